"""End to end in Debian's Chromium: a street officer opens a work order from the list, writes feedback with a photo
and closes it."""

from __future__ import annotations

import io

import pytest

from jiuzhu.workorders.models import WorkOrder
from tests.web.test_browser_street_officer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_street_officer_feeds_back_with_a_photo_and_closes(
    page, live_server, make_order, street_officer_a, household_a
):
    order = make_order(title="大额医疗支出：张建国（未在册）", household=household_a)
    # given a street officer on the work-order list
    log_in(page, live_server, "street_a")
    page.click('nav >> text="工单"')
    row = page.locator(f"tr[data-work-order='{order.pk}']")
    assert "剩余" in row.inner_text()
    # when they open the order, accept it and send feedback with a photo
    row.locator("a").first.click()
    page.wait_for_url(f"**/workorders/{order.pk}/")
    page.click("#accept")
    page.fill("#feedback-form textarea[name=note]", "已入户核实，家中老人住院，已告知临时救助和医疗救助政策")
    page.set_input_files(
        "#feedback-form input[name=photos]",
        files=[{"name": "入户.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    page.click("#send-feedback")
    page.wait_for_selector(".photos img")
    # then the photo shows in the log, served only through the checked view
    src = page.locator(".photos img").first.get_attribute("src")
    assert src.startswith(f"/workorders/{order.pk}/photos/")
    page.wait_for_function("document.querySelector('.photos img').complete")  # loaded (or failed) by now
    assert page.evaluate("document.querySelector('.photos img').naturalWidth") == 32
    # when they close it with the result
    page.fill("#close-form textarea[name=feedback]", "已协助申请临时救助，街道已受理")
    page.click("#close")
    page.wait_for_selector("#feedback")
    assert "已办结" in page.locator("#status").inner_text()
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.CLOSED and order.attachments.count() == 1
    assert [a for a in order.actions.values_list("action", flat=True)] == ["created", "accepted", "feedback", "closed"]
