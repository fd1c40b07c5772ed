"""End to end in a real browser: a street officer logs in, searches, opens a household, unmasks an ID number
(and the audit log shows it), and cannot reach another street's household by typing its URL."""

from __future__ import annotations

import pytest

from jiuzhu.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_street_officer_finds_a_household_and_unmasks_an_id(
    page, live_server, street_officer_a, household_a, household_b, approver
):
    head = household_a.head()
    masked = head.id_number[:6] + "********" + head.id_number[-4:]
    # given a street officer logged in
    log_in(page, live_server, "street_a")
    # when they search by the head's name and open the household
    page.fill("input[name=q]", head.name)
    page.click("form.search button")
    page.click(f"text={household_a.number}")
    page.wait_for_url(f"**/households/{household_a.pk}/")
    row = page.locator(f"tr[data-person='{head.pk}']")
    # then the ID number is masked
    assert masked in row.inner_text() and head.id_number not in page.content()
    # when they ask to see it, the full number appears
    row.locator("button.reveal").first.click()
    page.wait_for_selector(".revealed")
    assert head.id_number in row.inner_text()
    # and the look is in the audit log, with who and when
    entry = AuditEntry.objects.get(action="person.reveal_id_number")
    assert entry.actor == street_officer_a and entry.object_id == str(head.pk)
    # when they type another street's household URL, it is not found
    response = page.goto(f"{live_server.url}/households/{household_b.pk}/")
    assert response.status == 404
    assert household_b.head().name not in page.content()
    # and a district approver sees the look in the audit log page
    page.context.clear_cookies()
    log_in(page, live_server, "approver")
    page.goto(f"{live_server.url}/audit/")
    assert "person.reveal_id_number" in page.locator("#audit").inner_text()


def test_grid_worker_phone_layout(browser, live_server, grid_worker_a, household_a):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/households/")
    assert household_a.number in page.locator("#results").inner_text()
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()
