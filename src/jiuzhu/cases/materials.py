"""What an application needs (一次性告知): the materials of every programme applied for, from the policy list as the
departments keep it, less what the platform already holds (57号 第十条: no asking again for what can be looked up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jiuzhu.cases.workflows import config
from jiuzhu.policy.catalogue import catalogue_item
from jiuzhu.registry.models import Household

OPTIONAL_MARK = "如有"
EITHER_MARK = "或"


@dataclass
class MaterialsStatus:
    required: list[str] = field(default_factory=list)  # every material, in the order the programmes list them
    optional: list[str] = field(default_factory=list)  # "（如有）": bring it when it applies
    held: list[str] = field(default_factory=list)  # on file already: not asked for
    provided: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what the one-time notice lists

    @property
    def complete(self) -> bool:
        return not self.missing


def materials_for(locality: str, programmes: list[str]) -> list[str]:
    seen: list[str] = []
    for code in programmes:
        item = catalogue_item(locality, code)
        for material in item.materials if item else []:
            if material not in seen:
                seen.append(material)
    return seen


def _check(name: str, household: Household | None, authorization_signed_on: date | None) -> bool:
    if name == "authorization_signed":
        return authorization_signed_on is not None
    if household is None:
        return False
    members = [m.person for m in household.current_memberships()]
    if name == "household_on_file":
        return bool(members)
    if name == "id_numbers_on_file":
        return bool(members) and all(p.id_number for p in members)
    if name == "disability_on_file":
        return any(p.disability_grade for p in members)
    return False


def materials_status(
    *,
    locality: str,
    programmes: list[str],
    household: Household | None,
    authorization_signed_on: date | None,
    provided: list[str],
) -> MaterialsStatus:
    on_file = config(locality).materials_on_file
    status = MaterialsStatus(required=materials_for(locality, programmes))
    for material in status.required:
        # "户口簿、居民身份证" is held only when both are; "居民身份证或户口簿" when either is
        checks = [
            _check(check, household, authorization_signed_on) for key, check in on_file.items() if key in material
        ]
        if checks and (any(checks) if EITHER_MARK in material else all(checks)):
            status.held.append(material)
        elif material in provided:
            status.provided.append(material)
        elif OPTIONAL_MARK in material:
            status.optional.append(material)
        else:
            status.missing.append(material)
    return status
