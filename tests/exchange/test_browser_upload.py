"""In a real browser: a district clerk uploads a department's GBK export, sees the counts and the reasons, and
downloads the rejected rows as Excel to send back."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.exchange.conftest import write_csv
from tests.web.test_browser_street_officer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_then_download_the_rejected_rows(page, live_server, approver, household_a, tmp_path):
    head = household_a.head()
    path = write_csv(
        tmp_path / "养老金发放.csv",
        [
            ["姓名", "身份证号码", "发放年月", "发放金额"],
            [head.name, head.id_number, "2024年3月", "1850"],
            ["王五", "", "2024年13月", "1200"],
            ["赵六", head.id_number, "2024年3月", "一千二"],
        ],
        encoding="gbk",
    )
    log_in(page, live_server, "approver")
    page.click("text=部门数据")
    page.select_option("select[name=source]", "hrss")
    page.set_input_files("input[name=file]", str(path))
    page.click("#upload button[type=submit]")

    page.wait_for_selector("#batch-counts")
    counts = page.locator("#batch-counts").inner_text()
    assert "3\n收到行数" in counts and "1\n接收" in counts and "2\n退回" in counts
    rejected = page.locator("#rejected").inner_text()
    assert "发放年月" in rejected and "发放金额" in rejected

    with page.expect_download() as download:
        page.click("#download-rejected")
    saved = tmp_path / "back.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.values)
    assert rows[0] == ("姓名", "身份证号码", "发放年月", "发放金额", "原行号", "退回原因")
    assert [r[4] for r in rows[1:]] == [3, 4]
    assert "一千二" in rows[2] and "金额" in rows[2][5]
