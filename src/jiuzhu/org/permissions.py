"""What each role may do. The code is the source of truth; an admin may grant a person more in the admin site.

Permission names are Django's "app_label.codename" strings, checked with `staff.has_perm(...)`.
"""

from __future__ import annotations

VIEW_HOUSEHOLD = "registry.view_household"
CHANGE_HOUSEHOLD = "registry.change_household"
UNMASK_IDENTITY = "registry.unmask_identity"  # see a full ID number or phone (every look is audited)
MANAGE_STAFF = "org.manage_staff"  # create and change accounts below one's own level (逐级下放)
VIEW_AUDIT = "audit.view_auditentry"
EDIT_CATALOGUE = "policy.change_catalogueentry"  # keep policy-list entries current (a liaison: own department only)
RUN_WHAT_IF = "policy.run_what_if"  # estimate a draft rule change over the registry in one's jurisdiction

_READ = {VIEW_HOUSEHOLD}
_CASEWORK = _READ | {CHANGE_HOUSEHOLD, UNMASK_IDENTITY}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(_CASEWORK | {MANAGE_STAFF, VIEW_AUDIT, EDIT_CATALOGUE, RUN_WHAT_IF}),
    "district_approver": frozenset(_CASEWORK | {MANAGE_STAFF, VIEW_AUDIT, EDIT_CATALOGUE, RUN_WHAT_IF}),
    "street_officer": frozenset(_CASEWORK | {MANAGE_STAFF, RUN_WHAT_IF}),
    "community_coordinator": frozenset(_CASEWORK),
    "grid_worker": frozenset(_READ),
    "department_liaison": frozenset(_READ | {EDIT_CATALOGUE}),
    "social_organisation": frozenset(_READ),
    "supervisor": frozenset(_READ | {VIEW_AUDIT, RUN_WHAT_IF}),
}
