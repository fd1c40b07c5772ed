"""In Debian's Chromium on a 390×844 phone screen: a grid worker logs in, picks a person of the grid, chooses the
situation, attaches a photo and reports; the page shows the due time. Timed: the whole round in a few seconds."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from jiuzhu.leads.models import Lead
from jiuzhu.workorders.models import WorkOrder
from tests.leads.conftest import png
from tests.web.test_browser_street_officer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grid_worker_reports_a_lead_on_a_phone(browser, live_server, grid_worker_a, household_a, units, tmp_path):
    photo = tmp_path / "现场.png"
    photo.write_bytes(png().read())
    head = household_a.head()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    started = time.perf_counter()
    # given a grid worker logged in on a phone
    log_in(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/leads/new/")
    # when they find the person by name and pick them
    page.fill("input[name=q]", head.name)
    page.locator(f"#subjects input[name=person][value='{head.pk}']").check()
    # and choose the situation, attach a photo and report
    page.locator("#situation label", has_text="独居老人摔伤/生病").click()
    page.set_input_files("input[name=photo]", str(photo))
    submit = page.locator("button[type=submit]", has_text="上报")
    assert submit.bounding_box()["height"] >= 44  # a thumb-sized button
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    submit.click()
    page.wait_for_url("**/leads/*/")
    # then they see the due time: the end of today, with the community
    lead = Lead.objects.get()
    order = WorkOrder.objects.get(pk=lead.work_order_id)
    due = timezone.localtime(order.due_at)
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    assert due.date() == timezone.localtime(lead.received_at).date()
    assert due.strftime("%Y-%m-%d %H:%M") in page.locator("#due").inner_text()
    assert order.owner_unit == units["community_a"] and lead.person == head and lead.photo_path
    page.wait_for_function("document.querySelector('img.lead-photo').complete")  # loaded (or failed) by now
    assert page.locator("img.lead-photo").evaluate("img => img.naturalWidth") == 8  # served back to its reporter
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    elapsed = time.perf_counter() - started
    print(f"grid lead on a phone: {elapsed:.1f} s")
    assert elapsed < 30
    context.close()
