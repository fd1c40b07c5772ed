"""Two district approvers press "approve" on the same case at the same moment, each on their own database connection:
exactly one decision results, and the other approver is told the case is already decided."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jiuzhu.cases.decisions import case_decide
from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.models import Case, CaseAction
from jiuzhu.registry.models import ProgrammeStatus
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def race(case: Case, approvers, approve: list[bool]) -> list[object]:
    """Each approver decides in a thread of their own; a barrier lets them into case_decide together."""
    barrier = threading.Barrier(len(approvers))
    outcomes: list[object] = [None] * len(approvers)

    def decide(i: int) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)  # each loads the case on its own connection
            barrier.wait(timeout=10)
            outcomes[i] = case_decide(
                actor=approvers[i], case=mine, approve=approve[i], opinion="同意" if approve[i] else "不符合条件"
            )
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(approvers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.parametrize("choices", [(True, True), (True, False)], ids=["both approve", "approve and refuse"])
def test_two_approvers_deciding_at_once_make_exactly_one_decision(open_case, walk, approver, units, choices):
    # given a 低保 case at the district, and two approvers with it open on their screens
    case = walk(open_case(), until="approval")
    colleague = make_staff("approver2", "district_approver", units["district"])
    # when both decide at the same moment
    outcomes = race(case, [approver, colleague], list(choices))
    # then one decision is made
    decided = [o for o in outcomes if isinstance(o, Case)]
    refused = [o for o in outcomes if not isinstance(o, Case)]
    assert len(decided) == 1 and len(refused) == 1, outcomes
    # and the other approver is told, clearly, that the case is already decided
    error = refused[0]
    assert isinstance(error, CaseError), repr(error)
    assert error.code in (CaseErrorCode.ALREADY_DECIDED, CaseErrorCode.WRONG_STEP), error.message
    winner = decided[0]
    case.refresh_from_db()
    assert case.status == winner.status and case.decided_by_id == winner.decided_by_id
    assert CaseAction.objects.filter(case=case, action__in=["approve", "refuse"]).count() == 1
    expected_standing = 1 if case.status == Case.Status.APPROVED else 0
    assert ProgrammeStatus.objects.filter(household=case.household, programme="dibao").count() == expected_standing
