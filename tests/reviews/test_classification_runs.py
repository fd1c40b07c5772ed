"""A change of facts changes the colour, with the file's history and reason; unchanged colours are not written;
the dry run writes nothing; who may classify, and where; the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from jiuzhu.audit.models import AuditEntry
from jiuzhu.registry import services as registry
from jiuzhu.reviews import services
from jiuzhu.reviews.errors import ReviewsError
from jiuzhu.reviews.models import ColourClassification
from tests.reviews.conftest import ADULT, china, family


def close_to(moment, text: str) -> bool:
    return abs(moment - china(text)) < timedelta(seconds=5)


@pytest.fixture
def green_household(chengbei, street_officer_a, units):
    return family(street_officer_a, units["grid_a"], [ADULT, {**ADULT, "name": "王强", "born": date(1990, 2, 2)}])


def test_a_change_of_facts_changes_the_colour_with_history(green_household, street_officer_a, time_machine):
    # given a green household (able-bodied adults, no steady income)
    services.colours_classify(actor=None)
    green_household.refresh_from_db()
    assert green_household.color_class == "green"
    # when a member is found seriously ill and the file is updated
    time_machine.move_to(china("2025-02-10 09:00"))
    member = green_household.current_memberships().get(person__name="王强").person
    registry.person_update(actor=street_officer_a, person=member, reason="入户发现", serious_illness="尿毒症")
    services.colours_classify(actor=None)
    # then the household is yellow, and the file's history says why, from which rule
    green_household.refresh_from_db()
    assert green_household.color_class == "yellow"
    change = green_household.history.latest()
    assert (change.prev_record.color_class, change.color_class) == ("green", "yellow")
    assert change.history_change_reason.startswith("三色分类规则：有重病、重残")
    entry = AuditEntry.objects.filter(action="household.colour").latest("seq")
    assert entry.changes == {"color_class": ["green", "yellow"]} and "630105-chengbei/colours.yaml" in entry.reason
    classification = ColourClassification.objects.get(household=green_household)
    assert classification.rule_index == 2 and close_to(classification.since, "2025-02-10 09:00")


def test_an_unchanged_colour_is_not_written_again(green_household, time_machine):
    services.colours_classify(actor=None)
    versions = green_household.history.count()
    colour_entries = AuditEntry.objects.filter(action="household.colour").count()
    time_machine.move_to(china("2025-01-07 02:30"))
    run = services.colours_classify(actor=None)
    assert run.changes == []
    assert green_household.history.count() == versions
    assert AuditEntry.objects.filter(action="household.colour").count() == colour_entries
    assert close_to(ColourClassification.objects.get(household=green_household).checked_at, "2025-01-07 02:30")


def test_a_dry_run_writes_nothing(green_household):
    run = services.colours_classify(actor=None, dry_run=True)
    assert [(n, old, new) for n, old, new, _ in run.changes] == [(green_household.number, "", "green")]
    green_household.refresh_from_db()
    assert green_household.color_class == ""
    assert not ColourClassification.objects.exists()


def test_only_the_street_and_the_district_classify_on_demand(green_household, coordinator_a, grid_worker_a):
    for actor in (coordinator_a, grid_worker_a):
        with pytest.raises(ReviewsError, match="无权"):
            services.colours_classify(actor=actor)


def test_a_street_classifies_only_its_own_households(
    chengbei, green_household, street_officer_a, street_officer_b, units
):
    other = family(street_officer_b, units["grid_b"], [{"born": date(1950, 1, 1)}], programmes=("tekun",))
    run = services.colours_classify(actor=street_officer_b)
    assert run.households == 1
    other.refresh_from_db()
    green_household.refresh_from_db()
    assert (other.color_class, green_household.color_class) == ("red", "")


def test_the_cli_shows_a_dry_run_and_then_classifies(green_household):
    out = StringIO()
    call_command("colours", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "试运行" in text and "630105-chengbei/colours.yaml" in text and "绿色：1 户" in text
    assert f"{green_household.number}  未分类 → 绿色" in text
    green_household.refresh_from_db()
    assert green_household.color_class == ""
    call_command("colours", stdout=StringIO())
    green_household.refresh_from_db()
    assert green_household.color_class == "green"
    assert AuditEntry.objects.filter(action="colours.classify", actor__isnull=True).count() == 1
