from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Schema

from jiuzhu.core.masking import mask_id_number, mask_phone


class MemberOut(Schema):
    person_id: int
    name: str
    relation: str
    sex: str
    birth_date: date
    id_number_masked: str
    phone_masked: str
    disability_kind: str
    disability_grade: int | None
    labor_capacity: str

    @staticmethod
    def from_membership(m) -> MemberOut:
        p = m.person
        return MemberOut(
            person_id=p.pk,
            name=p.name,
            relation=m.relation,
            sex=p.sex,
            birth_date=p.birth_date,
            id_number_masked=mask_id_number(p.id_number),
            phone_masked=mask_phone(p.phone),
            disability_kind=p.disability_kind,
            disability_grade=p.disability_grade,
            labor_capacity=p.labor_capacity,
        )


class HouseholdSummary(Schema):
    id: int
    number: str
    org_unit: str
    area_type: str
    residence_address: str
    head_name: str
    color_class: str


class ProgrammeOut(Schema):
    programme: str
    status: str
    since: date
    until: date | None
    monthly_amount: Decimal | None


class HouseholdDetail(HouseholdSummary):
    hukou_address: str
    phone_masked: str
    members: list[MemberOut]
    programmes: list[ProgrammeOut]


class HouseholdPage(Schema):
    count: int
    items: list[HouseholdSummary]


class RevealIn(Schema):
    field: str = "id_number"
    reason: str = ""


class RevealOut(Schema):
    person_id: int
    field: str
    value: str
