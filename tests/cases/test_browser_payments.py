"""From the decision to the first payment in a real browser: the street makes October's roll and records the
family's account, the district confirms the roll and downloads the bank file."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.cases import intake
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_an_approved_family_is_paid_from_the_next_month(
    page, live_server, apply, street_officer_a, approver, walk, units, time_machine
):
    time_machine.move_to(date(2024, 9, 2))
    case = walk(intake.application_accept(actor=street_officer_a, application=apply()).cases.get())
    time_machine.move_to(date(2024, 9, 28))
    household = case.household
    # the street makes October's roll: the family is new on it, from the decision
    log_in(page, live_server, "street_a")
    page.click("nav >> text=发放")
    page.select_option("#roll-form select[name=programme]", "dibao")
    page.fill("#roll-form input[name=month]", "2024-10")
    page.click("#roll-form button")
    line = page.locator("#line-table tr[data-change=new]")
    assert case.decision_number in line.inner_text() and str(case.amount) in line.inner_text()
    assert "未登记" in line.inner_text()
    # records the account on the family's payment page, and makes the roll again
    roll_url = page.url
    line.locator("a").first.click()
    page.select_option("#account-form select[name=holder]", str(household.head().pk))
    page.fill("#account-form input[name=bank]", "富滇银行拓东支行")
    page.fill("#account-form input[name=account_number]", "6231 0000 1234 5678 901")
    page.click("#account-form button")
    assert "****8901" in page.locator("#accounts").inner_text()
    page.goto(roll_url)
    page.click("#regenerate")
    assert "✓" in page.locator("#line-table tr[data-change=new]").inner_text()
    # the district confirms and downloads the bank file
    log_in(page, live_server, "approver")
    page.goto(roll_url)
    page.click("#confirm")
    assert page.locator("#roll-status").inner_text() == "已审核"
    with page.expect_download() as download:
        page.click("#export")
    content = download.value.path().read_bytes().decode("gbk")
    assert "6231000012345678901" in content and f"{case.amount:.2f}" in content
