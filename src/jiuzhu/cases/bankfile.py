"""The bank file of a confirmed roll (代发文件), in the columns, format and encoding the locality configured in
payments.yaml. Only lines with an amount are paid; ID and account numbers are written as text (in Excel too), so
no digit is lost to scientific notation. Every export is audited with its row count and total."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.models import PayeeAccount, PaymentLine, PaymentRoll
from jiuzhu.cases.payments import _authorise
from jiuzhu.cases.payroll_config import BankFile, payroll_config
from jiuzhu.org.models import OrgUnit
from jiuzhu.org.permissions import CONFIRM_PAYROLL


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    content_type: str
    rows: int
    total: Decimal


def _amount(value: Decimal, unit: str) -> str:
    return str(int(value * 100)) if unit == "fen" else f"{value:.2f}"


def _community(line: PaymentLine) -> str:
    unit = line.household.org_unit
    found = unit if unit.level == OrgUnit.Level.COMMUNITY else unit.ancestors().filter(level="community").last()
    return found.name if found else ""


def _rows(roll: PaymentRoll, spec: BankFile) -> list[list[str]]:
    lines = roll.lines.filter(amount__gt=0).select_related("household__org_unit", "person").order_by("pk")
    accounts = {
        (a.household_id, a.programme): a
        for a in PayeeAccount.objects.filter(household__in=[x.household_id for x in lines]).select_related("holder")
    }
    rows = []
    for seq, line in enumerate(lines, start=1):
        account = accounts.get((line.household_id, roll.programme)) or accounts.get((line.household_id, ""))
        values = {
            "seq": str(seq),
            "payee_name": account.holder.name if account else line.payee_name,
            "payee_id_number": (account.holder.id_number or "") if account else "",
            "bank": account.bank if account else "",
            "account_number": account.account_number if account else "",
            "amount": _amount(line.amount, spec.amount),
            "programme": roll.programme_name,
            "month": f"{roll.month:%Y-%m}",
            "street": roll.street.name,
            "community": _community(line),
            "members": str(line.members),
            "change": line.get_change_display(),
            "note": line.explanation[:60],
        }
        rows.append([values[c.field] for c in spec.columns])
    return rows


def _csv(spec: BankFile, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in spec.columns])
    writer.writerows(rows)
    return buffer.getvalue().encode(spec.encoding)


def _xlsx(spec: BankFile, rows: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.header for c in spec.columns])
    for row in rows:
        sheet.append(row)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.number_format = "@"  # text: an 18-digit ID or a 19-digit account stays as written
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roll_export(*, actor, roll: PaymentRoll) -> Export:
    """导出银行文件 of a confirmed (or already exported) roll."""
    _authorise(actor, CONFIRM_PAYROLL, roll.street, "导出银行文件", roll)
    with transaction.atomic():
        return _export(actor, roll)


def _export(actor, roll: PaymentRoll) -> Export:
    roll = PaymentRoll.objects.select_for_update().select_related("street").get(pk=roll.pk)
    if roll.status == PaymentRoll.Status.DRAFT:
        raise CaseError(E.ROLL_NOT_CONFIRMED)
    spec = payroll_config(roll.locality).bank_file
    rows = _rows(roll, spec)
    name = f"{roll.street.name}_{roll.programme_name}_{roll.month:%Y%m}"
    if spec.format == "xlsx":
        content = _xlsx(spec, rows, name)
        kind, suffix = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    else:
        content, kind, suffix = _csv(spec, rows), f"text/csv; charset={spec.encoding}", "csv"
    total = sum((line.amount for line in roll.lines.filter(amount__gt=0)), Decimal(0))
    roll.status, roll.exported_at = PaymentRoll.Status.EXPORTED, timezone.now()
    roll.save(update_fields=["status", "exported_at"])
    audit.record(actor=actor, action="payment.roll_export", obj=roll, changes={"rows": len(rows), "total": str(total)})
    return Export(f"{name}.{suffix}", content, kind, len(rows), total)
