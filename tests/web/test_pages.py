from __future__ import annotations

from django.test import Client

from jiuzhu.audit.models import AuditEntry
from tests.factories import PASSWORD


def logged_in(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_pages_need_log_in(client, household_a):
    response = client.get(f"/households/{household_a.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_log_in_with_password(client, street_officer_a):
    response = client.post("/login/", {"username": "street_a", "password": PASSWORD}, follow=True)
    assert "工作台" in response.content.decode()


def test_repeated_failed_log_ins_lock_the_account(client, street_officer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "street_a", "password": "wrong-password"})
    response = client.post("/login/", {"username": "street_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_household_page_shows_the_file_with_masked_numbers(street_officer_a, household_a):
    head = household_a.head()
    html = logged_in(street_officer_a).get(f"/households/{household_a.pk}/").content.decode()
    assert head.name in html and household_a.number in html
    assert head.id_number not in html and head.id_number[:6] + "********" + head.id_number[-4:] in html
    assert "13987654321" not in html and "139****4321" in html


def test_reveal_returns_the_number_and_logs_it(street_officer_a, household_a):
    head = household_a.head()
    response = logged_in(street_officer_a).post(f"/persons/{head.pk}/reveal/id_number/")
    assert head.id_number in response.content.decode()
    assert AuditEntry.objects.filter(action="person.reveal_id_number", actor=street_officer_a).exists()


def test_grid_worker_gets_no_reveal_button_and_cannot_reveal(grid_worker_a, household_a):
    client = logged_in(grid_worker_a)
    html = client.get(f"/households/{household_a.pk}/").content.decode()
    assert "/reveal/" not in html
    head = household_a.head()
    response = client.post(f"/persons/{head.pk}/reveal/id_number/")
    assert response.status_code == 403 and head.id_number not in response.content.decode()


def test_search_page_is_scoped(street_officer_a, household_a, household_b):
    html = logged_in(street_officer_a).get("/households/?q=").content.decode()
    assert household_a.number in html and household_b.number not in html


def test_org_tree_shows_the_subtree(street_officer_a, units):
    html = logged_in(street_officer_a).get("/org/").content.decode()
    assert units["community_a"].name in html and units["street_b"].name not in html


def test_english_is_available(street_officer_a):
    client = logged_in(street_officer_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/").status_code == 200


def test_workbench_lists_what_awaits_a_grid_worker(grid_worker_a, household_a):
    from datetime import date

    from jiuzhu.registry.models import SpecialSituation

    SpecialSituation.objects.create(person=household_a.head(), kind="living_alone", valid_from=date(2024, 1, 1))
    html = logged_in(grid_worker_a).get("/").content.decode()
    assert 'id="to-visit"' in html and household_a.number in html


def test_workbench_lists_what_was_sent_to_a_department(liaison, approver, household_a, household_b, units):
    from jiuzhu.registry.services import household_share

    household_share(actor=approver, household=household_b, department=units["department"], reason="转介就业援助")
    html = logged_in(liaison).get("/").content.decode()
    assert "转介就业援助" in html and household_b.number in html and household_a.number not in html


def test_admin_issues_an_api_token_once(admin):
    client = logged_in(admin)
    response = client.post(
        "/admin/org/apiclient/add/", {"name": "医保局推送", "staff": admin.pk, "is_active": "on"}, follow=True
    )
    html = response.content.decode()
    assert "只显示这一次" in html
    from jiuzhu.org.models import ApiClient

    client_row = ApiClient.objects.get(name="医保局推送")
    token = html.split("妥善保存）：")[1].split("<")[0].strip()
    assert ApiClient.hash_token(token) == client_row.token_hash and token not in client_row.token_hash


def test_opening_a_household_file_is_logged(street_officer_a, household_a):
    logged_in(street_officer_a).get(f"/households/{household_a.pk}/")
    assert AuditEntry.objects.filter(action="household.view", object_id=str(household_a.pk)).count() == 1


def test_passwords_are_hashed_with_argon2(street_officer_a):
    assert street_officer_a.password.startswith("argon2")


def test_editing_a_member_needs_a_reason_and_lands_in_the_history(street_officer_a, household_a):
    head = household_a.head()
    client = logged_in(street_officer_a)
    form = {"phone": head.phone, "labor_capacity": "none", "disability_kind": "", "employment": "", "school_stage": ""}
    refused = client.post(f"/persons/{head.pk}/edit/", form | {"reason": " "})
    assert refused.status_code == 200 and "原因" in refused.content.decode()
    head.refresh_from_db()
    assert head.labor_capacity == "full"
    saved = client.post(f"/persons/{head.pk}/edit/", form | {"reason": "入户核实：卧床"}, follow=True)
    head.refresh_from_db()
    assert head.labor_capacity == "none"
    assert "入户核实：卧床" in saved.content.decode()  # the history table on the household page


def test_read_only_roles_get_no_edit_page(supervisor, household_a):
    assert logged_in(supervisor).get(f"/persons/{household_a.head().pk}/edit/").status_code == 404


def test_org_tree_names_service_points_and_their_staff(street_officer_a, units):
    from jiuzhu.org.services import service_point_create

    point = service_point_create(actor=None, org_unit=units["street_a"], name="拓东街道一门受理窗口", kind="window")
    street_officer_a.service_point = point
    street_officer_a.save()
    html = logged_in(street_officer_a).get("/org/").content.decode()
    assert "拓东街道一门受理窗口" in html and street_officer_a.full_name in html
