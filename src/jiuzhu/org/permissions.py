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
RUN_SCREENING = "monitoring.run_screening"  # start a 政策找人 run over the whole registry (results scoped by street)
IMPORT_FEED = "exchange.add_feedbatch"  # send a department's data in and see its batches (a liaison: own department)
REVIEW_LINK = "exchange.change_linkreview"  # confirm or refuse a probable match of a record to a person
MANAGE_FEED_TOKENS = "exchange.add_sourcetoken"  # issue and revoke a department system's push token
APPLY_ON_BEHALF = "cases.add_application"  # register an application at a window or for a family (帮办代办)
ACCEPT_APPLICATION = "cases.accept_application"  # accept it (受理) for the street and open its cases
INVESTIGATE = "cases.investigate"  # record home investigations, appraisals, objections during public notice
REVIEW_CASE = "cases.review_case"  # the street's review (审核/初审), public notice, advance aid, extensions
APPROVE_CASE = "cases.approve_case"  # the district's decision (审批/审核确认); a street officer only where delegated
REFER = "cases.add_referral"  # refer a family's need to a department (转介)
PREPARE_PAYROLL = "cases.prepare_payroll"  # make the monthly roll, suspend and resume payment, record accounts
CONFIRM_PAYROLL = "cases.confirm_payroll"  # confirm a roll, export the bank file, stop a payment (district)

_READ = {VIEW_HOUSEHOLD}
_CASEWORK = _READ | {CHANGE_HOUSEHOLD, UNMASK_IDENTITY, APPLY_ON_BEHALF, INVESTIGATE, REFER}
_STREET = {ACCEPT_APPLICATION, REVIEW_CASE, PREPARE_PAYROLL}
_DISTRICT = _CASEWORK | _STREET | {APPROVE_CASE, CONFIRM_PAYROLL}
_DISTRICT |= {MANAGE_STAFF, VIEW_AUDIT, EDIT_CATALOGUE, RUN_WHAT_IF, RUN_SCREENING, IMPORT_FEED, REVIEW_LINK}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(_DISTRICT | {MANAGE_FEED_TOKENS}),
    "district_approver": frozenset(_DISTRICT),
    "street_officer": frozenset(_CASEWORK | _STREET | {MANAGE_STAFF, RUN_WHAT_IF, RUN_SCREENING, REVIEW_LINK}),
    "community_coordinator": frozenset(_CASEWORK),
    "grid_worker": frozenset(_READ | {APPLY_ON_BEHALF}),
    "department_liaison": frozenset(_READ | {EDIT_CATALOGUE, IMPORT_FEED}),
    "social_organisation": frozenset(_READ),
    "supervisor": frozenset(_READ | {VIEW_AUDIT, RUN_WHAT_IF}),
}
