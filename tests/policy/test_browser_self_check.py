"""In a real browser on a phone-sized screen: a citizen answers the self-check questions without logging in and
sees what the family may get, how much, where to apply and what to bring; a street officer opens a household's
eligibility from its file and downloads the letter."""

from __future__ import annotations

import pytest

from tests.factories import add_income
from tests.web.test_browser_street_officer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_pack(settings):
    settings.JIUZHU_LOCALITY = "demo-530103"


def test_a_citizen_checks_on_a_phone(browser, live_server, demo_pack, units):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    # given a citizen on the self-check page, not logged in
    page.goto(f"{live_server.url}/self-check/")
    # when they say the family has three people
    page.select_option("select[name=size]", "3")
    page.wait_for_selector("#member-3")
    # and answer the questions
    page.check("input[name=area_type][value=urban]")
    page.fill("input[name=m0-age]", "45")
    page.select_option("select[name=m0-employment]", "employed")
    page.fill("input[name=m0-wage]", "800")
    page.fill("input[name=m1-age]", "44")
    page.select_option("select[name=m1-employment]", "unemployed")
    page.fill("input[name=m2-age]", "10")
    page.select_option("select[name=m2-labor_capacity]", "none")
    page.select_option("select[name=m2-school_stage]", "primary")
    page.fill("input[name=homes]", "1")
    page.fill("input[name=financial]", "3000")
    page.click("button[type=submit]")
    # then they see that the family may get 低保, with the amount, where to apply and what to bring
    likely = page.locator("#likely")
    likely.wait_for()
    dibao = likely.locator("article[data-code=dibao]")
    assert "最低生活保障" in dibao.inner_text()
    assert dibao.locator(".amount b").inner_text().strip() == "1432"  # 744 × 3 − 800 under today's standard
    assert "社会救助窗口" in dibao.inner_text()
    assert "户口簿、居民身份证" in page.locator("#notice").inner_text()
    # and nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()


def test_a_street_officer_opens_a_households_eligibility_and_prints_it(
    page, live_server, demo_pack, street_officer_a, household_a
):
    add_income(household_a, "600")
    log_in(page, live_server, "street_a")
    page.goto(f"{live_server.url}/households/{household_a.pk}/")
    page.click("#eligibility-link")
    page.wait_for_url(f"**/households/{household_a.pk}/eligibility/")
    dibao = page.locator("#likely article[data-code=dibao]")
    dibao.locator("summary").click()
    assert "家庭月人均收入低于低保标准" in dibao.inner_text()
    link = page.locator("a[href*='eligibility.pdf']")
    link.evaluate("a => a.setAttribute('download', '')")  # save the letter, not open it in a viewer
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
