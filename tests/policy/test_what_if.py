"""What-if: a draft change to a pack decided over the registry beside the rules in force."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from jiuzhu.audit.models import AuditEntry
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.whatif import parse_changes, what_if
from jiuzhu.registry.models import Household
from tests.factories import add_income

AS_OF = date(2025, 8, 1)


@pytest.fixture
def demo(settings):
    settings.JIUZHU_LOCALITY = "demo-530103"


def _earning(household, amount: str):
    add_income(household, amount, valid_from=date(2025, 1, 1))


def test_raising_the_standard_brings_a_household_in_and_raises_anothers_amount(household_a, household_b, demo):
    # Two households of two: 1500 a month (750 a head) is above 744 and below 760; 1000 is below both.
    _earning(household_a, "1500")
    _earning(household_b, "1000")
    result = what_if(
        households=Household.objects.all(),
        locality="demo-530103",
        as_of=AS_OF,
        changes={"dibao_standard_urban": 760},
    )
    dibao = result.by_programme["dibao"]
    assert (dibao.households_gain, dibao.households_lose, dibao.households_change) == (1, 0, 1)
    # before: only B, 744 × 2 − 1000 = 488; after: A 760 × 2 − 1500 = 20, B 760 × 2 − 1000 = 520
    assert dibao.monthly_before == pytest.approx(488)
    assert dibao.monthly_after == pytest.approx(540)
    assert result.total.monthly_effect == pytest.approx(52 + result.by_programme["dibao_single"].monthly_effect)
    assert set(result.by_street) == {"拓东街道", "鼓楼街道"}


def test_a_draft_must_name_parameters_of_the_pack(demo, db):
    with pytest.raises(PolicyError, match="没有参数“dibao_standard”"):
        parse_changes("demo-530103", ["dibao_standard=760"])
    with pytest.raises(PolicyError, match="至少写一项"):
        parse_changes("demo-530103", ["", "  "])
    assert parse_changes("demo-530103", ["dibao_standard_urban = 760", "topup_stacking=true"]) == {
        "dibao_standard_urban": 760,
        "topup_stacking": True,
    }


def test_the_page_runs_over_the_actors_jurisdiction_only_and_is_recorded(
    client, street_officer_a, household_a, household_b, demo
):
    _earning(household_a, "1500")
    _earning(household_b, "1500")
    client.force_login(street_officer_a)
    page = client.post("/what-if/", {"as_of": "2025-08-01", "changes": "dibao_standard_urban=760"}).content.decode()
    assert 'id="gain">1<' in page  # household B, in the other street, is not counted
    assert "拓东街道" in page and "鼓楼街道" not in page
    assert AuditEntry.objects.filter(action="policy.what_if", actor=street_officer_a).exists()


def test_a_grid_worker_cannot_run_it(client, grid_worker_a, demo):
    client.force_login(grid_worker_a)
    assert client.get("/what-if/").status_code == 404


def test_the_command_prints_the_budget_effect(household_a, demo, capsys):
    _earning(household_a, "1000")
    call_command("whatif", "--set", "dibao_standard_urban=760", "--as-of", "2025-08-01", "--locality", "demo-530103")
    out = capsys.readouterr().out
    assert "每月变化 +32.00 元，每年变化 +384.00 元" in out


def test_a_draft_value_must_be_of_the_parameters_kind(demo, db):
    with pytest.raises(PolicyError, match="应为数值"):
        parse_changes("demo-530103", ["dibao_standard_urban=abc"])
    with pytest.raises(PolicyError, match="应为分档表"):
        parse_changes("demo-530103", ["temporary_aid_approval_tiers=[1, 2]"])
    assert parse_changes("demo-530103", ["temporary_aid_cap=1.2万元"]) == {"temporary_aid_cap": 12000}
