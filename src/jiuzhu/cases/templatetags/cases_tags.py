"""Template helpers of the case pages: a deadline as a countdown badge (red when overdue), dictionary look-up, and
the referral pieces other apps' pages show (the alert page's 转介 form)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def countdown(due_at):
    """<span class="countdown badge …">剩余3天</span> for a deadline; red when passed, yellow within 48 hours."""
    from jiuzhu.cases.page_support import countdown as compute

    found = compute(due_at)
    if found is None:
        return ""
    colour = " red" if found["state"] == "overdue" else " yellow" if found["soon"] else ""
    due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
    return format_html(
        '<span class="countdown badge{}" data-state="{}" title="{}">{}</span>',
        colour,
        found["state"],
        due,
        found["text"],
    )


@register.filter
def lookup(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def referral_departments(household):
    """The departments of the household's district, to refer a need to (转介)."""
    from jiuzhu.cases.page_support import _departments

    return list(_departments(household))


@register.simple_tag
def referrals_from(origin: str, origin_id: int):
    """Referrals already made from an alert or a case, with their work orders."""
    from jiuzhu.cases.models import Referral

    return list(Referral.objects.filter(origin=origin, origin_id=origin_id).select_related("department", "work_order"))
