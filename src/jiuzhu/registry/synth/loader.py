"""Load a synthetic district into the database: the tree through the org services, households in bulk.

Households, persons and their evidence are inserted with `bulk_create_with_history` in batches, all in one
transaction (a crash leaves nothing half-loaded, and a re-run starts clean),
so each row starts its history ("合成演示数据") exactly as a service-made row would. One audit entry `synth.load`
records what was loaded. Works on SQLite and PostgreSQL (both return primary keys from bulk inserts).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from jiuzhu.audit import services as audit
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org.models import Department, OrgUnit
from jiuzhu.registry.models import (
    AssetRecord,
    ExpenseRecord,
    Household,
    HouseholdPlan,
    IncomeRecord,
    Membership,
    Person,
    ProgrammeStatus,
    SpecialSituation,
)
from jiuzhu.registry.synth.district import CreatedDistrict, build_district_spec, create_district, district_names
from jiuzhu.registry.synth.generator import HouseholdGenerator
from jiuzhu.registry.synth.records import HouseholdRec

CHANGE_REASON = "合成演示数据"


class SynthErrorCode(models.TextChoices):
    DISTRICT_EXISTS = (
        "district_exists",
        _("区划代码为{division}的区县（{name}）已存在，不能重复生成；请换一个数据目录或区划代码"),
    )
    BAD_DISTRICT_CODE = "bad_district_code", _("区划代码{division}不是有效的区县级行政区划代码")
    BAD_COUNT = "bad_count", _("户数必须是正整数")


class SynthError(JiuzhuError):
    pass


def _money(amount: int | None) -> Decimal | None:
    return None if amount is None else Decimal(amount)


def _bulk(model: type[models.Model], objs: list) -> None:
    if objs:
        bulk_create_with_history(objs, model, default_change_reason=CHANGE_REASON)


def _insert(batch: list[HouseholdRec], made: CreatedDistrict) -> None:
    """Insert one batch of households with everything they carry, in one transaction."""
    depts: dict[str, Department] = made.departments
    with transaction.atomic():
        households = [
            Household(
                number=h.number,
                org_unit=made.grids[h.grid_code],
                area_type=h.area_type,
                phone=h.phone,
                color_class=h.color_class,
                hukou_division_code=h.hukou_division_code,
                hukou_address=h.hukou_address,
                residence_division_code=h.residence_division_code,
                residence_address=h.residence_address,
            )
            for h in batch
        ]
        _bulk(Household, households)
        persons: dict[int, Person] = {}
        for h in batch:
            for m in h.members:
                persons[m.key] = Person(
                    id_number=m.id_number,
                    name=m.name,
                    sex=m.sex,
                    birth_date=m.birth_date,
                    ethnicity=m.ethnicity,
                    phone=m.phone,
                    labor_capacity=m.labor_capacity,
                    disability_kind=m.disability_kind,
                    disability_grade=m.disability_grade,
                    serious_illness=m.serious_illness,
                    chronic_illness=m.chronic_illness,
                    employment=m.employment,
                    school_stage=m.school_stage,
                    hukou_division_code=h.hukou_division_code,
                    hukou_address=h.hukou_address,
                    residence_division_code=h.residence_division_code,
                    residence_address=h.residence_address,
                )
        _bulk(Person, list(persons.values()))

        def who(key: int | None) -> Person | None:
            return None if key is None else persons[key]

        def evidence(hh: Household, rec) -> dict:
            """What every income, asset and expense record carries: whose, from where, since when."""
            source = {"household": hh, "person": who(rec.person_key), "source": rec.source}
            return source | {"department": depts.get(rec.department), "valid_from": rec.valid_from}

        rows: dict[type[models.Model], list] = {m: [] for m in (Membership, SpecialSituation, IncomeRecord)}
        rows |= {m: [] for m in (AssetRecord, ExpenseRecord, ProgrammeStatus, HouseholdPlan)}
        for hh, h in zip(households, batch, strict=True):
            rows[Membership] += [
                Membership(household=hh, person=persons[m.key], relation=m.relation, joined_on=m.joined_on)
                for m in h.members
            ]
            rows[SpecialSituation] += [
                SpecialSituation(person=persons[s.person_key], kind=s.kind, valid_from=s.valid_from, note=s.note)
                for s in h.situations
            ]
            rows[IncomeRecord] += [
                IncomeRecord(
                    **evidence(hh, i),
                    category=i.category,
                    amount=_money(i.amount),
                    period=i.period,
                )
                for i in h.incomes
            ]
            rows[AssetRecord] += [
                AssetRecord(
                    **evidence(hh, a),
                    kind=a.kind,
                    vehicle_kind=a.vehicle_kind,
                    value=_money(a.value),
                    quantity=None if a.quantity is None else Decimal(f"{a.quantity:.2f}"),
                    identifier=a.identifier,
                    description=a.description,
                )
                for a in h.assets
            ]
            rows[ExpenseRecord] += [
                ExpenseRecord(
                    **evidence(hh, e),
                    category=e.category,
                    amount=_money(e.amount),
                    period=e.period,
                    note=e.note,
                )
                for e in h.expenses
            ]
            rows[ProgrammeStatus] += [
                ProgrammeStatus(
                    household=hh,
                    person=who(p.person_key),
                    programme=p.programme,
                    status=p.status,
                    since=p.since,
                    until=p.until,
                    monthly_amount=_money(p.monthly_amount),
                    decision_ref=p.decision_ref,
                )
                for p in h.programmes
            ]
            if h.plan is not None:
                rows[HouseholdPlan].append(
                    HouseholdPlan(
                        household=hh, needs=h.plan.needs, measures=h.plan.measures, next_review_on=h.plan.next_review_on
                    )
                )
        for model, objs in rows.items():
            _bulk(model, objs)


def load_district(
    *,
    households: int,
    seed: int,
    district_code: str = "530103",
    district_name: str | None = None,
    city: str | None = None,
    as_of: date | None = None,
    batch_size: int = 2000,
    progress: bool = True,
) -> dict:
    """Create a demo district and `households` synthetic households in the database; return the counts.

    Refuses (SynthError) if a unit with `district_code` already exists. Names default to the GB/T 2260 table's
    (盘龙区, 昆明市 for 530103). `as_of` (default today) anchors ages, dates and review dates.
    """
    if households < 1:
        raise SynthError(SynthErrorCode.BAD_COUNT)
    try:
        default_name, default_city = district_names(district_code)
    except ValueError:
        raise SynthError(SynthErrorCode.BAD_DISTRICT_CODE, division=district_code) from None
    existing = OrgUnit.objects.filter(division_code=district_code).first()
    if existing is not None:
        raise SynthError(SynthErrorCode.DISTRICT_EXISTS, division=district_code, name=existing.name)
    as_of = as_of or timezone.localdate()
    spec = build_district_spec(
        district_code=district_code, district_name=district_name or default_name, city=city or default_city
    )
    generator = HouseholdGenerator(spec, households=households, seed=seed, as_of=as_of)
    with transaction.atomic():
        made = create_district(spec, generator.allocation)
        _load_households(generator, made, households=households, batch_size=batch_size, progress=progress)
        summary = {
            "district_code": spec.code,
            "district_name": spec.name,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "streets": len(made.streets),
            "communities": len(made.communities),
            "grids": len(made.grids),
            "departments": len(made.departments),
            **asdict(generator.summary),
        }
        audit.record(actor=None, action="synth.load", obj=made.district, changes=summary, reason="生成演示区县合成数据")
    return summary


def _load_households(
    generator: HouseholdGenerator, made: CreatedDistrict, *, households: int, batch_size: int, progress: bool
) -> None:
    batch: list[HouseholdRec] = []
    with tqdm(total=households, disable=not progress, unit="户", desc="写入家庭档案") as bar:
        for household in generator:
            batch.append(household)
            if len(batch) >= batch_size:
                _insert(batch, made)
                bar.update(len(batch))
                batch = []
        if batch:
            _insert(batch, made)
            bar.update(len(batch))
