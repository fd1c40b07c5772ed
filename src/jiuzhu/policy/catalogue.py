"""The policy list (政策清单): the pack's programmes in the words their departments keep current, plus the helps
the packs do not decide. Reads are public (a citizen's policy look-up, R3.8); writes go through services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from jiuzhu.audit import services as audit
from jiuzhu.org.models import Department, Staff
from jiuzhu.org.permissions import EDIT_CATALOGUE
from jiuzhu.policy.errors import PolicyError, PolicyErrorCode
from jiuzhu.policy.models import CatalogueEntry
from jiuzhu.policy.packs import Programme, load_pack

EDITABLE = ("name", "category", "description", "eligibility", "materials", "where_to_apply", "contact", "legal_basis")


@dataclass
class CatalogueItem:
    """One line of the policy list as a reader sees it."""

    key: str  # the programme code, or "entry-<id>" for an entry without rules
    name: str
    category: str
    department: str
    description: str
    eligibility: str
    materials: list[str]
    where_to_apply: str
    contact: str
    legal_basis: list[str]
    decided_by_rules: bool
    entry: CatalogueEntry | None = None
    conditions: list[str] = field(default_factory=list)


def _from_programme(prog: Programme, entry: CatalogueEntry | None) -> CatalogueItem:
    item = CatalogueItem(
        key=prog.code,
        name=prog.name,
        category=prog.category,
        department=prog.department,
        description=prog.description.strip(),
        eligibility="；".join(rule.label for rule in prog.conditions.values()),
        materials=list(prog.materials),
        where_to_apply=prog.where_to_apply,
        contact="",
        legal_basis=list(prog.legal_basis),
        decided_by_rules=True,
        conditions=[rule.label for rule in prog.conditions.values()],
    )
    if entry is not None:
        _apply(item, entry)
    return item


def _apply(item: CatalogueItem, entry: CatalogueEntry) -> None:
    item.entry = entry
    item.name, item.category, item.department = entry.name, entry.category or item.category, entry.department.name
    item.description = entry.description
    item.eligibility = entry.eligibility or item.eligibility
    item.materials = entry.material_list() or item.materials
    item.where_to_apply, item.contact = entry.where_to_apply, entry.contact
    item.legal_basis = entry.legal_basis_list() or item.legal_basis


def catalogue(locality: str) -> list[CatalogueItem]:
    """Every policy of the locality: the pack's programmes first, then the entries without rules."""
    pack = load_pack(locality)
    entries = {e.key: e for e in entry_list(locality=locality)}
    items = [_from_programme(prog, entries.pop(code, None)) for code, prog in pack.programmes.items()]
    for key, entry in entries.items():
        if entry.programme and entry.programme not in pack.programmes:
            continue  # a programme the pack no longer has
        item = CatalogueItem(key, "", "", "", "", "", [], "", "", [], decided_by_rules=False)
        _apply(item, entry)
        items.append(item)
    return items


def catalogue_item(locality: str, key: str) -> CatalogueItem | None:
    return next((i for i in catalogue(locality) if i.key == key), None)


def entry_list(*, locality: str) -> list[CatalogueEntry]:
    return list(CatalogueEntry.objects.filter(locality=locality, active=True).select_related("department"))


def editable_departments(actor: Staff) -> list[Department]:
    """A liaison keeps their own department's entries; district staff with the right keep any."""
    if not actor.has_perm(EDIT_CATALOGUE):
        return []
    if actor.is_department_member:
        return [actor.department] if actor.department_id else []
    return list(Department.objects.filter(district__path__startswith=actor.org_unit.path))


def entries_due_for_review(*, actor: Staff, locality: str, today: date) -> list[CatalogueEntry]:
    """This year's April round (003): the actor's department entries not yet confirmed."""
    if not actor.is_department_member or not actor.department_id:
        return []
    entries = CatalogueEntry.objects.filter(locality=locality, department=actor.department, active=True)
    return [e for e in entries if e.review_due(today)]


@transaction.atomic
def catalogue_entry_save(
    *,
    actor: Staff,
    locality: str,
    programme: str = "",
    entry: CatalogueEntry | None = None,
    department: Department,
    today: date,
    **fields: str,
) -> CatalogueEntry:
    """Create or update a policy-list entry; saving it confirms it current for this year's review."""
    allowed = editable_departments(actor)
    if department not in allowed or (entry is not None and entry.department not in allowed):
        raise PolicyError(PolicyErrorCode.NOT_ALLOWED)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    if entry is None and programme:
        entry = CatalogueEntry.objects.filter(locality=locality, programme=programme).first()
    before = {f: getattr(entry, f) for f in EDITABLE} if entry else {}
    if entry is None:
        entry = CatalogueEntry(locality=locality, programme=programme)
    for name, value in fields.items():
        setattr(entry, name, value.strip())
    entry.department, entry.updated_by, entry.reviewed_on, entry.active = department, actor, today, True
    entry.full_clean()
    entry.save()
    changes = {f: [before.get(f, ""), getattr(entry, f)] for f in EDITABLE if before.get(f, "") != getattr(entry, f)}
    audit.record(actor=actor, action="catalogue_entry.save", obj=entry, changes=changes)
    return entry


def seed_entry_fields(locality: str, programme: str) -> dict[str, str]:
    """The pack's wording, as the starting point when a department first takes over an entry."""
    prog = load_pack(locality).programmes.get(programme)
    if prog is None:
        return {}
    item = _from_programme(prog, None)
    return {
        "name": item.name,
        "category": item.category,
        "description": item.description,
        "eligibility": item.eligibility,
        "materials": "\n".join(item.materials),
        "where_to_apply": item.where_to_apply,
        "contact": "",
        "legal_basis": "\n".join(item.legal_basis),
    }
