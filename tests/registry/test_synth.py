"""The demo-district generator: deterministic, valid, plausible, and loadable into the database or Parquet."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from io import StringIO

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from jiuzhu.audit.models import AuditEntry
from jiuzhu.core.id_number import parse_id_number
from jiuzhu.org.models import Department, OrgUnit, ServicePoint
from jiuzhu.registry import choices as c
from jiuzhu.registry.models import Household, Membership, Person
from jiuzhu.registry.synth.district import allocate_households, build_district_spec, grid_count
from jiuzhu.registry.synth.economy import COUNTED, STANDARD
from jiuzhu.registry.synth.generator import HouseholdGenerator
from jiuzhu.registry.synth.loader import SynthError, load_district
from jiuzhu.registry.synth.parquet import write_parquet

AS_OF = date(2025, 6, 1)
SPEC = build_district_spec()


def generate(households: int, seed: int) -> list:
    return list(HouseholdGenerator(SPEC, households=households, seed=seed, as_of=AS_OF))


@pytest.fixture(scope="module")
def sample():
    generator = HouseholdGenerator(SPEC, households=3000, seed=7, as_of=AS_OF)
    households = list(generator)
    return generator.summary, households


def persons_of(households):
    return [m for h in households for m in h.members]


# --- the tree ---------------------------------------------------------------------------------------------------
def test_the_district_has_twelve_streets_and_about_a_hundred_communities_with_nested_codes():
    assert len(SPEC.streets) == 12
    assert 95 <= len(SPEC.communities) <= 105
    for street in SPEC.streets:
        assert 8 <= len(street.communities) <= 9
        assert len(street.code) == 9 and street.code.startswith("530103")
        for community in street.communities:
            assert len(community.code) == 12 and community.code.startswith(street.code)
            assert community.name.endswith("社区" if street.is_urban else "村")
    assert [s.name for s in SPEC.streets if not s.is_urban] == ["双龙街道", "松华街道", "滇源街道", "阿子营街道"]
    assert len({x.code for x in SPEC.communities}) == len({x.name for x in SPEC.communities}) == len(SPEC.communities)


def test_households_are_spread_over_communities_with_one_grid_per_about_300():
    allocation = allocate_households(SPEC, 30_000)
    assert sum(allocation) == 30_000 and min(allocation) > 0 and max(allocation) > 2 * min(allocation)
    assert grid_count(0) == grid_count(100) == 1
    assert grid_count(900) == 3


# --- determinism --------------------------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_households():
    assert generate(400, seed=11) == generate(400, seed=11)


def test_iterating_again_starts_over():
    generator = HouseholdGenerator(SPEC, households=200, seed=5, as_of=AS_OF)
    assert list(generator) == list(generator)


def test_a_different_seed_gives_different_households():
    a, b = generate(200, seed=1), generate(200, seed=2)
    assert [m.id_number for m in persons_of(a)] != [m.id_number for m in persons_of(b)]
    assert [m.name for m in persons_of(a)] != [m.name for m in persons_of(b)]


def test_parquet_output_is_byte_identical_for_the_same_seed(tmp_path):
    digests = []
    for run in ("a", "b"):
        write_parquet(out_dir=tmp_path / run, households=300, seed=3, as_of=AS_OF, progress=False)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / run).iterdir()})
    assert digests[0] == digests[1]


# --- validity -------------------------------------------------------------------------------------------------------
def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_sex(sample):
    _, households = sample
    persons = persons_of(households)
    numbers = [m.id_number for m in persons]
    assert len(set(numbers)) == len(numbers)
    for m in persons:
        parsed = parse_id_number(m.id_number, as_of=AS_OF)
        assert parsed.number == m.id_number
        assert (parsed.birth_date, parsed.sex) == (m.birth_date, m.sex)
    local = sum(n.startswith("530103") for n in numbers) / len(numbers)
    assert 0.8 <= local <= 0.92
    assert {n[:6] for n in numbers} & {"530102", "530111", "530112", "530113", "530114"}
    assert any(not n.startswith("53") for n in numbers)  # some from other provinces


def test_every_household_has_exactly_one_head_and_sensible_ages(sample):
    _, households = sample
    numbers = [h.number for h in households]
    assert len(set(numbers)) == len(numbers)
    for h in households:
        relations = Counter(m.relation for m in h.members)
        assert relations["head"] == 1 and h.members[0].relation == "head"
        assert relations["spouse"] <= 1
        assert len(h.members) in range(1, 7)
        head = h.members[0]
        assert head.age >= 18
        for m in h.members:
            if m.relation == "child":
                assert m.age < head.age
            if m.relation == "parent":
                assert m.age > head.age
        assert h.number.startswith(h.community_code) and h.grid_code.startswith(h.community_code)


def test_values_are_valid_choices_and_dates_are_not_in_the_future(sample):
    _, households = sample
    for h in households:
        assert h.area_type in c.AreaType.values and h.color_class in {"", *c.ColorClass.values}
        for m in h.members:
            assert m.relation in c.Relation.values and m.labor_capacity in c.LaborCapacity.values
            assert m.employment in c.Employment.values and m.school_stage in c.SchoolStage.values
            assert m.disability_kind in {"", *c.DisabilityKind.values}
            assert (m.disability_grade is None) == (m.disability_kind == "")
            assert m.birth_date <= m.joined_on <= AS_OF
            assert not m.phone or (len(m.phone) == 11 and m.phone.startswith("1"))
        for s in h.situations:
            assert s.kind in c.Situation.values and s.valid_from <= AS_OF
        for i in h.incomes:
            assert i.category in c.IncomeCategory.values and i.amount > 0 and i.valid_from <= AS_OF
        for a in h.assets:
            assert a.kind in c.AssetKind.values and a.vehicle_kind in {"", *c.VehicleKind.values}
        for e in h.expenses:
            assert e.category in c.ExpenseCategory.values and e.period in c.Period.values
        for p in h.programmes:
            assert p.programme in c.Programme.values and p.status in c.ProgrammeStatusValue.values
            assert p.until is None or p.until >= p.since


# --- plausibility -------------------------------------------------------------------------------------------------
def test_proportions_are_plausible(sample):
    summary, households = sample
    n, persons = len(households), summary.persons
    sizes = Counter(len(h.members) for h in households)
    assert 0.14 <= sizes[1] / n <= 0.22 and 0.23 <= sizes[2] / n <= 0.33
    assert 0.035 <= summary.below_standard_households / n <= 0.07
    assert 0.03 <= summary.marginal_households / n <= 0.075
    assert 0.12 <= summary.aged_60_plus / persons <= 0.2
    assert 0.04 <= summary.disabled / persons <= 0.08
    assert 0.015 <= sum(bool(m.serious_illness) for m in persons_of(households)) / persons <= 0.045
    assert 0.08 <= sum(bool(m.chronic_illness) for m in persons_of(households)) / persons <= 0.16
    cars = sum(any(a.vehicle_kind == "car" for a in h.assets) for h in households)
    assert 0.18 <= cars / n <= 0.32
    assert 0.0005 <= summary.tekun_households / n <= 0.01
    moved = sum(h.hukou_division_code != h.residence_division_code for h in households)
    assert 0.05 <= moved / n <= 0.16


def test_incomes_put_each_household_in_its_tier_and_most_poor_households_get_dibao(sample):
    _, households = sample
    below_without_dibao = below = 0
    for h in households:
        counted = sum(i.amount for i in h.incomes if i.category in COUNTED)
        assert h.per_capita_income == round(counted / len(h.members))
        tier = "below" if h.per_capita_income < STANDARD else "marginal" if h.per_capita_income < 2 * STANDARD else None
        assert h.tier == (tier or "above")
        active = {p.programme for p in h.programmes if p.status == "active" and p.person_key is None}
        if h.tier == "below":
            below += 1
            below_without_dibao += "dibao" not in active and not any(p.programme == "tekun" for p in h.programmes)
    assert 0.05 <= below_without_dibao / below <= 0.3  # 漏保 left for screening to find


def test_colours_follow_the_programmes_and_plans_are_reviewed_within_60_days(sample):
    _, households = sample
    for h in households:
        current = {p.programme for p in h.programmes if p.status in ("active", "gradual_exit")}
        if "tekun" in current:
            assert h.color_class == "red"
        elif "dibao" in current:
            urgent = any(m.serious_illness or m.disability_grade in (1, 2) or not 18 <= m.age < 60 for m in h.members)
            assert h.color_class == ("yellow" if urgent else "green")
        else:
            assert h.color_class == ""
        if h.plan:
            assert 0 <= (h.plan.next_review_on - AS_OF).days <= 60 and h.plan.needs and h.plan.measures
    assert sum(h.plan is not None for h in households) > 0


def test_people_living_alone_are_elderly_one_person_households(sample):
    _, households = sample
    alone = [h for h in households if any(s.kind == "living_alone" for s in h.situations)]
    assert alone and all(len(h.members) == 1 and h.members[0].age >= 60 for h in alone)


# --- database -------------------------------------------------------------------------------------------------------
def test_load_district_creates_the_tree_households_and_one_audit_entry(db):
    summary = load_district(households=300, seed=1, as_of=AS_OF, batch_size=120, progress=False)
    district = OrgUnit.objects.get(division_code="530103")
    assert district.name == "盘龙区"
    assert OrgUnit.objects.filter(level="street", parent=district).count() == 12
    communities = OrgUnit.objects.filter(level="community")
    assert 95 <= communities.count() <= 105
    assert all(unit.children.exists() for unit in communities)
    assert ServicePoint.objects.filter(kind="window").count() == 12
    assert Department.objects.count() >= 27 and Department.objects.filter(kind="social").exists()
    assert Household.objects.count() == summary["households"] == 300
    assert Person.objects.count() == summary["persons"] == Membership.objects.count()
    assert not Person.objects.exclude(memberships__isnull=False).exists()
    assert Membership.objects.filter(relation="head").count() == 300
    assert all(h.org_unit.level == "grid" for h in Household.objects.select_related("org_unit")[:20])
    assert Person.history.count() == summary["persons"]
    entries = AuditEntry.objects.filter(action="synth.load")
    assert entries.count() == 1 and entries.get().changes["households"] == 300


def test_loading_the_same_district_twice_is_refused(db):
    load_district(households=20, seed=1, as_of=AS_OF, progress=False)
    with pytest.raises(SynthError, match="已存在"):
        load_district(households=20, seed=2, as_of=AS_OF, progress=False)


def test_the_command_loads_and_prints_a_chinese_summary_then_refuses_a_second_run(db):
    out = StringIO()
    call_command("synth", households=30, seed=4, as_of=AS_OF, no_progress=True, stdout=out)
    assert "户数：30" in out.getvalue() and "低保户数" in out.getvalue()
    with pytest.raises(CommandError, match="已存在"):
        call_command("synth", households=30, seed=4, no_progress=True, stdout=StringIO())


# --- parquet ---------------------------------------------------------------------------------------------------------
def test_parquet_row_counts_match_the_generator_summary(tmp_path):
    summary = write_parquet(out_dir=tmp_path, households=20_000, seed=9, as_of=AS_OF, progress=False)
    for table in ("households", "persons", "situations", "incomes", "assets", "expenses", "programmes"):
        assert pq.ParquetFile(tmp_path / f"{table}.parquet").metadata.num_rows == summary[table]
    persons = pq.read_table(tmp_path / "persons.parquet", columns=["person_id", "household_id", "relation"])
    assert persons.num_rows == summary["memberships"]
    assert len(set(persons.column("person_id").to_pylist())) == persons.num_rows
    heads = [r for r in persons.column("relation").to_pylist() if r == "head"]
    assert len(heads) == summary["households"] == 20_000
    org = pq.read_table(tmp_path / "org_units.parquet").to_pylist()
    grids = [u for u in org if u["level"] == "grid"]
    assert sum(u["households"] for u in grids) == 20_000


def test_a_load_that_fails_half_way_leaves_nothing_and_can_be_rerun(db, monkeypatch):
    from jiuzhu.org.models import OrgUnit
    from jiuzhu.registry.models import Household
    from jiuzhu.registry.synth import loader

    real_insert, calls = loader._insert, []

    def crash_on_second_batch(batch, made):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_insert(batch, made)

    # given a load that crashes after its first batch
    monkeypatch.setattr(loader, "_insert", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        loader.load_district(households=120, seed=3, batch_size=50, progress=False)
    # then nothing of it is left
    assert not OrgUnit.objects.exists() and not Household.objects.exists()
    # and a re-run completes
    monkeypatch.setattr(loader, "_insert", real_insert)
    summary = loader.load_district(households=120, seed=3, batch_size=50, progress=False)
    assert Household.objects.count() == summary["households"] == 120
