from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from jiuzhu.audit.models import AuditEntry
from jiuzhu.core.id_number import IdNumberError
from jiuzhu.registry import selectors, services
from jiuzhu.registry.errors import RegistryError
from jiuzhu.registry.models import Membership, Person
from tests.factories import new_id_number


def test_person_takes_sex_and_birth_date_from_the_id_number(street_officer_a):
    person = services.person_create(actor=street_officer_a, name="周桂兰", id_number="53010319580214004x")
    assert person.id_number == "53010319580214004X"
    assert (person.sex, person.birth_date) == ("F", date(1958, 2, 14))


def test_a_legacy_15_digit_number_is_stored_as_18(street_officer_a):
    person = services.person_create(actor=street_officer_a, name="周建华", id_number="110105491231002")
    assert person.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("530103195802140041", "校验位"), ("5.30103195802140E+17", "Excel"), ("530103195802300023", "出生日期")],
)
def test_bad_id_numbers_are_refused_with_the_reason(street_officer_a, raw, reason):
    with pytest.raises(IdNumberError, match=reason):
        services.person_create(actor=street_officer_a, name="某人", id_number=raw)
    assert not Person.objects.filter(name="某人").exists()


def test_an_id_number_contradicting_the_given_sex_is_refused(street_officer_a):
    with pytest.raises(RegistryError, match="性别"):
        services.person_create(actor=street_officer_a, name="周桂兰", id_number="53010319580214004X", sex="M")


def test_the_same_person_cannot_be_registered_twice(street_officer_a):
    number = new_id_number()
    services.person_create(actor=street_officer_a, name="孙立", id_number=number)
    with pytest.raises(RegistryError, match="孙立"):
        services.person_create(actor=street_officer_a, name="孙立", id_number=number.lower().replace("x", "x"))


def test_the_database_itself_refuses_a_duplicate_id_number(db):
    number = new_id_number()
    Person.objects.create(name="甲", id_number=number, sex="M", birth_date=date(1970, 3, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="乙", id_number=number, sex="M", birth_date=date(1970, 3, 5))


def test_a_person_is_in_one_household_at_a_time(street_officer_a, household_a, units):
    other = services.household_create(actor=street_officer_a, org_unit=units["grid_a"])
    member = household_a.current_memberships().exclude(relation="head").first().person
    with pytest.raises(RegistryError, match=household_a.number):
        services.membership_add(
            actor=street_officer_a,
            household=other,
            person=member,
            relation="head",
            joined_on=date(2024, 1, 1),
        )
    # after moving out, joining the new household works
    services.membership_end(
        actor=street_officer_a,
        membership=member.current_membership(),
        left_on=date(2024, 1, 1),
        reason="分户",
    )
    services.membership_add(
        actor=street_officer_a, household=other, person=member, relation="head", joined_on=date(2024, 1, 1)
    )
    assert member.current_membership().household == other


def test_the_database_keeps_a_person_in_one_household(street_officer_a, household_a, units):
    other = services.household_create(actor=street_officer_a, org_unit=units["grid_a"])
    person = household_a.head()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(household=other, person=person, relation="head", joined_on=date(2024, 1, 1))


def test_a_change_needs_a_reason_and_is_kept_with_old_and_new_values(street_officer_a, household_a):
    head = household_a.head()
    with pytest.raises(RegistryError, match="原因"):
        services.person_update(actor=street_officer_a, person=head, reason="  ", labor_capacity="none")
    services.person_update(
        actor=street_officer_a,
        person=head,
        reason="2024年3月入户调查：中风后无劳动能力",
        labor_capacity="none",
        disability_kind="physical",
        disability_grade=2,
    )
    latest = head.history.first()
    assert latest.history_change_reason == "2024年3月入户调查：中风后无劳动能力"
    assert latest.history_user == street_officer_a
    changed = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changed["labor_capacity"] == ("full", "none")
    entry = AuditEntry.objects.filter(action="person.update").first()
    assert entry.changes["disability_grade"] == [None, 2] and entry.reason.startswith("2024年3月")
    history = selectors.household_history(household=household_a)
    assert any(e["reason"].startswith("2024年3月") and e["changes"] for e in history)


def test_phone_changes_are_audited_masked(street_officer_a, household_a):
    head = household_a.head()
    services.person_update(actor=street_officer_a, person=head, reason="本人告知新号码", phone="13700001111")
    entry = AuditEntry.objects.filter(action="person.update").first()
    assert "13700001111" not in str(entry.changes)


def test_officers_cannot_change_files_outside_their_street(street_officer_b, household_a):
    with pytest.raises(RegistryError, match="管辖范围"):
        services.household_update(actor=street_officer_b, household=household_a, reason="测试", phone="1")


def test_read_only_roles_cannot_change_files(supervisor, household_a):
    with pytest.raises(RegistryError, match="无权"):
        services.household_update(actor=supervisor, household=household_a, reason="测试", phone="1")


def test_evidence_is_dated_and_carries_its_source(street_officer_a, household_a, units):
    head = household_a.head()
    record = services.evidence_add(
        actor=street_officer_a,
        kind="income",
        household=household_a,
        person=head,
        category="wage",
        amount=Decimal("2300.00"),
        period="monthly",
        source="department",
        department=units["department"],
        source_batch="hrss-2024-03",
        source_row=17,
        valid_from=date(2024, 3, 1),
        valid_to=date(2024, 12, 31),
    )
    assert record.holds_on(date(2024, 6, 1)) and not record.holds_on(date(2025, 1, 1))
    file = selectors.household_file(household=household_a)
    assert file["incomes"] == [record]


def test_evidence_cannot_end_before_it_starts(street_officer_a, household_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.evidence_add(
            actor=street_officer_a,
            kind="expense",
            household=household_a,
            category="medical",
            amount=Decimal("45000"),
            source="declared",
            valid_from=date(2024, 3, 1),
            valid_to=date(2024, 2, 1),
        )


def test_search_by_name_id_tail_phone_and_address(street_officer_a, household_a):
    head = household_a.head()
    for query in (head.name, head.id_number, head.id_number[-6:], "13987654321"[-4:], "金星路"):
        assert household_a in selectors.household_list(actor=street_officer_a, query=query), query


def test_reveal_needs_the_right_and_is_logged(street_officer_a, grid_worker_a, household_a):
    head = household_a.head()
    assert services.identity_reveal(actor=street_officer_a, person=head, field="id_number") == head.id_number
    entry = AuditEntry.objects.get(action="person.reveal_id_number")
    assert entry.actor == street_officer_a and entry.object_id == str(head.pk)
    with pytest.raises(RegistryError, match="无权"):
        services.identity_reveal(actor=grid_worker_a, person=head, field="id_number")
