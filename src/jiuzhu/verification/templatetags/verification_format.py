"""Display of the plain-JSON values of a verification result (amounts as strings, ISO datetimes)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

from jiuzhu.core.workdays import CHINA

register = template.Library()


@register.filter
def yuan(value) -> str:
    """'1850.00' → '1,850.00'; empty stays empty."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


@register.filter
def percent(value) -> str:
    """'0.10' → '10%'."""
    try:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    except InvalidOperation:
        return str(value)


@register.filter
def china_time(value) -> str:
    """An ISO datetime string (or a datetime) as '2024-03-01 15:20' in China time."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    return moment.strftime("%Y-%m-%d %H:%M")


@register.filter
def comparison_status(value: str) -> str:
    return {
        "match": _("一致"),
        "difference": _("有差异"),
        "undeclared": _("未申报"),
        "no_department_data": _("无部门数据"),
    }.get(value, value)


@register.filter
def basis_label(value: str) -> str:
    return {"monthly": _("每月"), "one_off": _("一次性")}.get(value, value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None
