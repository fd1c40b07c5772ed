"""A department's file in: every row accepted or rejected with a reason, counts add up, the same data twice changes
nothing, and what is accepted lands on the right person's file with its lineage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from jiuzhu.exchange import store
from jiuzhu.exchange.errors import ExchangeError
from jiuzhu.exchange.ingest import import_file
from jiuzhu.exchange.models import FeedBatch, PersonEvent
from jiuzhu.exchange.readers import clean_header
from jiuzhu.registry.models import IncomeRecord, Person
from tests.exchange.conftest import write_csv

PENSION_HEADER = ["序号", "姓名", "公民身份号码", "发放年月", "发放金额（元）", "险种"]


def _rows(household_a, household_b):
    head_a, head_b = household_a.head(), household_b.head()
    return [
        ["2024年3月城镇职工养老金发放名册"],
        [],
        PENSION_HEADER,
        [1, head_a.name, head_a.id_number, "2024年3月", "1,850.00", "城镇职工"],
        [
            2,
            head_b.name,
            head_b.id_number.lower() if head_b.id_number.endswith("X") else head_b.id_number,
            "202403",
            "0.2万",
            "城镇职工",
        ],
        [3, "王五", "530103197003051235", "2024-03", "1200", "城乡居民"],  # wrong check digit: linked by name instead
        [4, "赵六", "", "2024-03", "1200", "城乡居民"],  # no ID: matched by name, nobody registered
        [5, "钱七", "110105194912310021", "2024-13", "abc", "城镇职工"],  # bad month and amount
    ]


@pytest.mark.django_db
def test_gbk_csv_rows_are_accepted_or_rejected_with_reasons_and_land_on_persons(tmp_path, two_households):
    household_a, household_b = two_households
    path = write_csv(tmp_path / "养老金.csv", _rows(household_a, household_b), encoding="gbk")

    outcome = import_file(source="hrss", path=path)

    batch = outcome.batch
    assert not outcome.duplicate
    assert batch.status == FeedBatch.Status.COMMITTED and batch.kind == "pension"
    assert batch.encoding == "GB18030" and batch.header_row == 3
    assert (batch.rows_in, batch.accepted, batch.rejected) == (5, 4, 1)
    assert batch.counts_add_up
    assert (batch.linked_id, batch.unlinked) == (2, 2)  # 王五 and 赵六 match nobody on file by name
    reasons = dict(zip(*store.read_rejected(batch).select(["_row", "_reason"]).to_pydict().values(), strict=True))
    assert set(reasons) == {8}  # the row a clerk sees in Excel (title, blank, header above)
    assert "发放年月" in reasons[8] and "发放金额" in reasons[8]
    notes = dict(
        zip(*pq.read_table(store.accepted_path(batch)).select(["_row", "_note"]).to_pydict().values(), strict=True)
    )
    assert "校验位" in notes[6] and notes[4] is None
    income = IncomeRecord.objects.get(person=household_a.head())
    assert income.amount == Decimal("1850.00") and income.category == "pension"
    assert (income.valid_from, income.valid_to) == (date(2024, 3, 1), date(2024, 3, 31))
    assert (income.source_batch, income.source_row) == (str(batch.pk), 4)
    assert IncomeRecord.objects.get(person=household_b.head()).amount == Decimal("2000.00")
    assert PersonEvent.objects.filter(kind="pension_paid", batch=batch).count() == 2


@pytest.mark.django_db
def test_the_same_file_twice_changes_nothing(tmp_path, two_households):
    path = write_csv(tmp_path / "养老金.csv", _rows(*two_households))
    first = import_file(source="hrss", path=path)
    before = (IncomeRecord.objects.count(), PersonEvent.objects.count(), FeedBatch.objects.count())

    again = import_file(source="hrss", path=path)

    assert again.duplicate and again.batch.pk == first.batch.pk
    assert (IncomeRecord.objects.count(), PersonEvent.objects.count(), FeedBatch.objects.count()) == before


@pytest.mark.django_db
def test_a_record_sent_again_in_another_file_is_unchanged_and_a_correction_is_recorded(tmp_path, two_households):
    household_a, _ = two_households
    head = household_a.head()
    header = ["姓名", "身份证号", "发放年月", "发放金额", "险种"]
    import_file(
        source="hrss",
        path=write_csv(tmp_path / "a.csv", [header, [head.name, head.id_number, "2024-03", "1850", "职工"]]),
    )

    resent = import_file(
        source="hrss",
        path=write_csv(tmp_path / "b.csv", [header, [head.name, head.id_number, "2024-03", "1850", "职工"], []]),
    ).batch
    corrected = import_file(
        source="hrss",
        path=write_csv(tmp_path / "c.csv", [header, [head.name, head.id_number, "2024-03", "1900", "职工"]]),
    ).batch

    assert (resent.derived_new, resent.derived_changed) == (0, 0) and resent.derived_same >= 1
    assert corrected.derived_changed >= 1
    income = IncomeRecord.objects.get(person=head)
    assert income.amount == Decimal("1900.00") and income.source_batch == str(corrected.pk)
    assert income.history.count() == 2  # created, then corrected — the old amount is kept in the history


@pytest.mark.django_db
def test_a_file_without_a_required_column_is_refused_as_a_whole_and_can_be_sent_again(tmp_path, two_households):
    path = write_csv(tmp_path / "缺列.csv", [["姓名", "身份证号", "发放年月"], ["张三", "", "2024-03"]])

    with pytest.raises(ExchangeError) as refused:
        import_file(source="hrss", path=path, kind="pension")

    assert "发放金额" in refused.value.message
    batch = FeedBatch.objects.get()
    assert batch.status == FeedBatch.Status.FAILED and "发放金额" in batch.error


@pytest.mark.django_db
def test_a_death_from_public_security_sets_the_death_date_with_history(tmp_path, two_households):
    household_a, _ = two_households
    head = household_a.head()
    path = write_csv(tmp_path / "死亡.csv", [["姓名", "身份证号", "死亡日期"], [head.name, head.id_number, "2024/3/5"]])

    import_file(source="public_security", path=path, kind="death")

    head.refresh_from_db()
    assert head.death_date == date(2024, 3, 5)
    assert "部门数据" in (head.history.first().history_change_reason or "")
    assert PersonEvent.objects.get(kind="death").person == head


@pytest.mark.django_db
def test_rejected_rows_download_as_excel_in_the_departments_columns_with_the_reason(tmp_path, two_households):
    path = write_csv(tmp_path / "养老金.csv", _rows(*two_households))
    batch = import_file(source="hrss", path=path).batch
    out = tmp_path / "退回.xlsx"

    store.rejected_workbook(batch, out)

    sheet = load_workbook(out).active
    rows = list(sheet.values)
    assert list(rows[0][: len(PENSION_HEADER)]) == [clean_header(h) for h in PENSION_HEADER]
    assert rows[0][-2:] == ("原行号", "退回原因")
    assert [r[-2] for r in rows[1:]] == [8]
    assert rows[1][3:5] == ("2024-13", "abc")  # the cells as the department sent them, to be corrected


@pytest.mark.django_db
def test_an_excel_export_with_a_title_merged_header_and_numeric_id_cells(tmp_path, two_households):
    household_a, _ = two_households
    head = household_a.head()
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年医保大额结算明细"])
    ws.merge_cells("A1:F1")
    ws.append(["结算单号", "人员信息", None, "结算日期", "费用", None])
    ws.merge_cells("B2:C2")
    ws.merge_cells("E2:F2")
    ws.append([None, "姓名", "身份证号", None, "医疗总费用", "个人自付"])
    ws.append(["JS001", head.name, head.id_number, date(2024, 5, 6), 52000, 45000.5])
    ws.append(["JS002", "孙八", 530103197003051000, date(2024, 5, 7), 1000, 200])  # an ID Excel made a number
    path = tmp_path / "医保.xlsx"
    wb.save(path)

    batch = import_file(source="medical_insurance", path=path).batch

    # the mangled ID is set aside (a settlement may link by name), never turned back into 18 digits
    assert (batch.rows_in, batch.accepted, batch.rejected, batch.linked_id, batch.unlinked) == (2, 2, 0, 1, 1)
    notes = dict(
        zip(*pq.read_table(store.accepted_path(batch)).select(["_row", "_note"]).to_pydict().values(), strict=True)
    )
    assert "Excel" in notes[5]
    event = PersonEvent.objects.get(kind="medical_settlement", person=head)
    assert Decimal(event.values["self_paid"]) == Decimal("45000.50")
    assert Person.objects.filter(name="孙八").count() == 0
