from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.audit import services as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.audit.services import verify_chain


@pytest.fixture
def chain(street_officer_a, household_a):
    for i in range(3):
        audit.record(actor=street_officer_a, action="test.look", obj=household_a, reason=f"第{i}次")
    return AuditEntry.objects.order_by("seq")


def test_an_untouched_chain_verifies(chain, capsys):
    checked, problems = verify_chain()
    assert checked == chain.count() and problems == []
    call_command("audit", "verify")
    assert "校验通过" in capsys.readouterr().out


def test_editing_an_entry_is_detected(chain):
    victim = chain[2]
    AuditEntry.objects.filter(pk=victim.pk).update(reason="改过的原因")  # bypasses the model, as an intruder would
    _, problems = verify_chain()
    assert [p.seq for p in problems] == [victim.seq]
    with pytest.raises(CommandError, match="校验失败"):
        call_command("audit", "verify")


def test_deleting_an_entry_is_detected(chain):
    AuditEntry.objects.filter(pk=chain[1].pk).delete()
    _, problems = verify_chain()
    assert problems and "缺少" in problems[0].problem


def test_deleting_the_last_entry_is_detected(chain):
    AuditEntry.objects.filter(pk=chain.last().pk).delete()
    _, problems = verify_chain()
    assert problems and "链尾" in problems[-1].problem


def test_entries_cannot_be_changed_through_the_model(chain):
    entry = chain.first()
    entry.reason = "x"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
