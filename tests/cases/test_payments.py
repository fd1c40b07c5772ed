"""Monthly payment rolls (发放名册): amounts from the rules as of the month, every change explained, nothing held
paid, gradual exit on the pack's schedule, the death re-check, suspension and stop with reasons, and the bank
file in the configured columns and encoding."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import bankfile, intake, payments
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.models import BenefitEvent, PaymentLine, PaymentRoll
from jiuzhu.cases.payroll_config import clear_cache
from jiuzhu.registry.models import ProgrammeStatus
from jiuzhu.workorders.models import WorkOrder
from tests.factories import add_income

OCTOBER, NOVEMBER = date(2024, 10, 1), date(2024, 11, 1)


@pytest.fixture
def approved(apply, street_officer_a, walk, time_machine):
    """The poor household's 低保, approved in September 2024: paid from October."""
    time_machine.move_to(date(2024, 9, 2))
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = walk(application.cases.get())
    assert case.payment_from == OCTOBER
    time_machine.move_to(date(2024, 9, 28))
    return case


@pytest.fixture
def account(approved, street_officer_a):
    household = approved.household
    return payments.payee_account_set(
        actor=street_officer_a,
        household=household,
        holder=household.head(),
        bank="富滇银行拓东支行",
        account_number="6231 0000 1234 5678 901",
    )


def roll_for(actor, units, month):
    return payments.roll_generate(actor=actor, programme="dibao", street=units["street_a"], month=month)


def only_line(roll) -> PaymentLine:
    return roll.lines.get()


def test_the_first_roll_pays_the_decided_amount_from_the_month_after(approved, street_officer_a, units):
    roll = roll_for(street_officer_a, units, OCTOBER)
    line = only_line(roll)
    assert line.change == "new" and line.amount == approved.amount and approved.decision_number in line.explanation
    assert roll.households == 1 and roll.total == approved.amount and roll.held == 0
    assert "家庭月人均收入" in "".join(line.basis["facts"]) or line.basis["amounts"]
    # nobody is on the September roll: payment starts the month after the decision
    assert not roll_for(street_officer_a, units, date(2024, 9, 1)).lines.exists()


def test_making_the_roll_again_changes_nothing(approved, street_officer_a, units):
    first = roll_for(street_officer_a, units, OCTOBER)
    again = roll_for(street_officer_a, units, OCTOBER)
    assert first.pk == again.pk and again.lines.count() == 1 and again.total == first.total


def test_an_unchanged_month_says_so_and_a_change_is_explained(approved, street_officer_a, units):
    roll_for(street_officer_a, units, OCTOBER)
    assert only_line(roll_for(street_officer_a, units, NOVEMBER)).change == "same"
    add_income(approved.household, "100", valid_from=date(2024, 12, 1), category="pension")
    line = only_line(roll_for(street_officer_a, units, date(2024, 12, 1)))
    assert line.change == "changed" and line.amount < line.previous
    assert f"金额 {line.previous} → {line.amount} 元" in line.explanation and "收入" in line.explanation


def test_a_household_no_longer_eligible_is_held_not_paid_and_blocks_confirmation(
    approved, street_officer_a, approver, units, account
):
    roll_for(street_officer_a, units, OCTOBER)
    add_income(approved.household, "5000", valid_from=NOVEMBER, category="pension")  # not work: no gradual exit
    roll = roll_for(street_officer_a, units, NOVEMBER)
    line = only_line(roll)
    assert line.change == "held" and line.amount == 0 and "不再符合条件" in line.explanation and roll.held == 1
    with pytest.raises(CaseError, match="1户待核查"):
        payments.roll_confirm(actor=approver, roll=roll)
    # the district stops it with a reason: the next roll shows the stop once, then nothing
    payments.benefit_stop(
        actor=approver, household=approved.household, programme="dibao", reason="养老金收入超过标准", month=NOVEMBER
    )
    line = only_line(roll_for(street_officer_a, units, NOVEMBER))
    assert line.change == "stopped" and "养老金收入超过标准" in line.explanation
    assert not roll_for(street_officer_a, units, date(2024, 12, 1)).lines.exists()


def test_work_income_over_the_standard_starts_the_gradual_exit_and_it_ends_on_schedule(
    approved, street_officer_a, units
):
    roll_for(street_officer_a, units, OCTOBER)
    add_income(approved.household, "6000", valid_from=NOVEMBER, category="wage")
    line = only_line(roll_for(street_officer_a, units, NOVEMBER))
    assert line.change == "gradual_exit" and line.amount > 0 and "渐退期" in line.explanation
    status = ProgrammeStatus.objects.get(household=approved.household, until__isnull=True)
    assert status.status == "gradual_exit" and status.since == NOVEMBER
    # month by month through the schedule (national: at most 6 months), then stopped with the reason
    month, seen = NOVEMBER, []
    for _ in range(7):
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        line = only_line(roll_for(street_officer_a, units, month))
        seen.append(line.change)
        if line.change == "stopped":
            break
    assert seen[:-1] == ["gradual_exit"] * (len(seen) - 1) and seen[-1] == "stopped"
    assert len(seen) == 6  # December … April in the exit (with November, 6 months), stopped in May
    assert BenefitEvent.objects.filter(kind="exit_end").exists()


def test_suspension_pays_nothing_with_its_reason_and_resumption_pays_again(approved, street_officer_a, units):
    roll_for(street_officer_a, units, OCTOBER)
    household = approved.household
    payments.benefit_suspend(
        actor=street_officer_a, household=household, programme="dibao", reason="复核时联系不上", month=NOVEMBER
    )
    line = only_line(roll_for(street_officer_a, units, NOVEMBER))
    assert line.change == "suspended" and line.amount == 0 and "联系不上" in line.explanation
    payments.benefit_resume(
        actor=street_officer_a, household=household, programme="dibao", reason="已入户复核", month=date(2024, 12, 1)
    )
    line = only_line(roll_for(street_officer_a, units, date(2024, 12, 1)))
    assert line.change == "resumed" and line.amount == approved.amount and "已入户复核" in line.explanation


def test_a_members_death_opens_the_three_month_recheck_once(approved, street_officer_a, units):
    roll_for(street_officer_a, units, OCTOBER)
    member = next(m.person for m in approved.household.current_memberships() if m.relation != "head")
    member.death_date = date(2024, 10, 20)
    member.save()
    line = only_line(roll_for(street_officer_a, units, NOVEMBER))
    assert line.members == 1 and "2025-01-20前核查" in line.explanation
    order = WorkOrder.objects.get(origin="death_recheck")
    assert order.kind == "review" and order.owner_unit == units["street_a"]
    assert order.due_at.date().isoformat() == "2025-01-20"
    roll_for(street_officer_a, units, date(2024, 12, 1))
    assert WorkOrder.objects.filter(origin="death_recheck").count() == 1


def test_the_bank_file_has_the_configured_columns_in_gbk(approved, street_officer_a, approver, units, account):
    roll = roll_for(street_officer_a, units, OCTOBER)
    with pytest.raises(CaseError, match="先经区县审核"):
        bankfile.roll_export(actor=approver, roll=roll)
    payments.roll_confirm(actor=approver, roll=roll)
    export = bankfile.roll_export(actor=approver, roll=roll)
    rows = list(csv.reader(io.StringIO(export.content.decode("gbk"))))
    assert rows[0] == ["序号", "姓名", "身份证号", "开户行", "账号", "金额", "项目", "发放月份", "备注"]
    head = approved.household.head()
    assert rows[1][:6] == [
        "1",
        head.name,
        head.id_number,
        "富滇银行拓东支行",
        "6231000012345678901",
        f"{approved.amount:.2f}",
    ]
    assert export.rows == 1 and export.total == approved.amount
    assert AuditEntry.objects.filter(action="payment.roll_export").exists()
    # an exported roll is not made again
    with pytest.raises(CaseError, match="不能重新生成"):
        roll_for(street_officer_a, units, OCTOBER)


def test_a_locality_writes_its_own_bank_format(approved, street_officer_a, approver, units, account, local_pack):
    from openpyxl import load_workbook

    folder = local_pack("workflows: {}\n")
    (folder / "payments.yaml").write_text(
        "bank_file:\n  format: xlsx\n  amount: fen\n  columns:\n"
        "    - {header: 卡号, field: account_number}\n    - {header: 金额（分）, field: amount}\n",
        encoding="utf-8",
    )
    clear_cache()
    roll = roll_for(street_officer_a, units, OCTOBER)
    payments.roll_confirm(actor=approver, roll=roll)
    export = bankfile.roll_export(actor=approver, roll=roll)
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[1]] == ["卡号", "金额（分）"]
    assert [c.value for c in sheet[2]] == ["6231000012345678901", str(int(approved.amount * 100))]


def test_a_malformed_payments_file_is_refused_with_its_place(approved, street_officer_a, units, local_pack):
    folder = local_pack("workflows: {}\n")
    (folder / "payments.yaml").write_text("bank_file:\n  format: pdf\n  columns: []\n", encoding="utf-8")
    clear_cache()
    with pytest.raises(CaseError) as error:
        roll_for(street_officer_a, units, OCTOBER)
    assert "test-530103/payments.yaml" in error.value.message and "format" in error.value.message


def test_roles_without_the_right_are_refused_and_audited(approved, coordinator_a, street_officer_a, units):
    with pytest.raises(CaseError, match="无权"):
        roll_for(coordinator_a, units, OCTOBER)
    roll = roll_for(street_officer_a, units, OCTOBER)
    with pytest.raises(CaseError, match="无权"):
        payments.roll_confirm(actor=street_officer_a, roll=roll)
    assert AuditEntry.objects.filter(action="payment.refused").count() == 2


def test_an_account_number_must_be_digits_and_the_holder_a_member(approved, street_officer_a, household_b):
    with pytest.raises(CaseError, match="不正确"):
        payments.payee_account_set(
            actor=street_officer_a,
            household=approved.household,
            holder=approved.household.head(),
            bank="x",
            account_number="6231-ABC",
        )
    with pytest.raises(CaseError, match="家庭成员"):
        payments.payee_account_set(
            actor=street_officer_a,
            household=approved.household,
            holder=household_b.head(),
            bank="x",
            account_number="62310000123456",
        )


def test_the_command_makes_the_rolls_of_the_users_streets_and_writes_confirmed_bank_files(
    approved, street_officer_a, approver, units, account, tmp_path
):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("payroll", "--as", street_officer_a.username, "--month", "2024-10", stdout=out)
    assert f"拓东街道 最低生活保障 2024-10：发放1户，合计{approved.amount}元" in out.getvalue()
    roll = PaymentRoll.objects.get()
    payments.roll_confirm(actor=approver, roll=roll)
    call_command("payroll", "--as", approver.username, "--month", "2024-10", "--export", str(tmp_path), stdout=out)
    (written,) = tmp_path.iterdir()
    assert written.suffix == ".csv" and "6231000012345678901" in written.read_bytes().decode("gbk")


def test_a_death_whose_recheck_window_has_passed_opens_nothing_now(approved, street_officer_a, units):
    member = next(m.person for m in approved.household.current_memberships() if m.relation != "head")
    member.death_date = date(2024, 6, 30)  # the window closed on 2024-09-30, before this roll
    member.save()
    line = only_line(roll_for(street_officer_a, units, OCTOBER))
    assert line.members == 1 and "核查" not in line.explanation
    assert not WorkOrder.objects.filter(origin="death_recheck").exists()
