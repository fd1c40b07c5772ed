"""A record without a usable ID number that probably belongs to someone on file waits for a clerk; the clerk's
answer lands the record (or not) and is remembered for the next time the same record arrives."""

from __future__ import annotations

import pytest

from jiuzhu.exchange import selectors
from jiuzhu.exchange.errors import ExchangeError
from jiuzhu.exchange.ingest import import_file
from jiuzhu.exchange.models import FeedBatch, LinkReview
from jiuzhu.exchange.services import link_review_decide
from jiuzhu.registry.models import IncomeRecord
from tests.exchange.conftest import write_csv

HEADER = ["姓名", "性别", "出生日期", "家庭住址", "发放年月", "发放金額", "身份证号"]


@pytest.fixture
def everything_to_review(settings):
    """Nothing links by itself: every probable match waits for a clerk."""
    settings.JIUZHU_LINK_AUTO = 1.01
    settings.JIUZHU_LINK_REVIEW = 0.5


def _pension_without_id(tmp_path, person, month: str, name: str | None = None):
    row = [name or person.name, "男" if person.sex == "M" else "女", person.birth_date.isoformat(),
           person.residence_address or "", month, "1850", ""]  # fmt: skip
    return write_csv(tmp_path / f"养老金{month}.csv", [HEADER, row])


@pytest.mark.django_db
def test_a_confirmed_match_lands_the_record_and_is_remembered(
    tmp_path, household_a, street_officer_a, everything_to_review
):
    head = household_a.head()
    batch = import_file(source="hrss", path=_pension_without_id(tmp_path, head, "2024-03")).batch
    assert (batch.to_review, batch.linked_match) == (1, 0)
    review = selectors.review_list(actor=street_officer_a).get()
    assert review.person == head and not IncomeRecord.objects.filter(person=head).exists()

    link_review_decide(actor=street_officer_a, review=review, same_person=True)

    income = IncomeRecord.objects.get(person=head)
    assert (income.source_batch, income.source_row) == (str(batch.pk), 2)
    batch.refresh_from_db()
    assert (batch.to_review, batch.linked_match) == (0, 1) and batch.counts_add_up
    # the same record next month links by itself: the clerk is not asked again
    later = import_file(source="hrss", path=_pension_without_id(tmp_path, head, "2024-04")).batch
    assert (later.to_review, later.linked_match) == (0, 1)
    assert IncomeRecord.objects.filter(person=head).count() == 2


@pytest.mark.django_db
def test_a_refused_match_stays_unlinked_and_is_not_proposed_again(
    tmp_path, household_a, street_officer_a, everything_to_review
):
    head = household_a.head()
    batch = import_file(source="hrss", path=_pension_without_id(tmp_path, head, "2024-03")).batch
    review = LinkReview.objects.get(batch=batch)

    link_review_decide(actor=street_officer_a, review=review, same_person=False)

    batch.refresh_from_db()
    assert (batch.to_review, batch.unlinked) == (0, 1) and batch.counts_add_up
    assert not IncomeRecord.objects.exists()
    with pytest.raises(ExchangeError):  # decided once, by one clerk
        link_review_decide(actor=street_officer_a, review=review, same_person=True)
    later = import_file(source="hrss", path=_pension_without_id(tmp_path, head, "2024-04")).batch
    assert (later.to_review, later.unlinked) == (0, 1)


@pytest.mark.django_db
def test_another_street_does_not_see_the_review(tmp_path, household_a, street_officer_b, everything_to_review):
    import_file(source="hrss", path=_pension_without_id(tmp_path, household_a.head(), "2024-03"))

    assert not selectors.review_list(actor=street_officer_b).exists()


@pytest.mark.django_db
def test_traditional_characters_of_a_registered_name_link_by_themselves(tmp_path, household_a):
    head = household_a.head()  # 张建国, on file with birth date, sex and address
    batch = import_file(source="hrss", path=_pension_without_id(tmp_path, head, "2024-03", name="張建國")).batch

    assert batch.linked_match == 1 and FeedBatch.objects.get().counts_add_up
    assert IncomeRecord.objects.get(person=head).source_row == 2
