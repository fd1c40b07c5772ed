"""Each programme's procedure in a real browser: the window registers and accepts, the community records the home
investigation, the street reviews, the district decides — approval with its decision number and first payment
month, or refusal with the rules' reasons and the refusal letter; a coordinator cannot decide. The county's
verification and the 7-day notice are moved on through the services (another office's work, and a week)."""

from __future__ import annotations

import pytest

from jiuzhu.cases.models import Application, Case
from tests.cases.conftest import china
from tests.factories import PASSWORD, make_household, new_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# programme, whether the district approves, what the family brought, an emergency declared at the window
PATHS = [
    ("dibao", True, ["低保申请书", "家庭成员收入情况声明"], None),
    ("dibao", False, ["低保申请书", "家庭成员收入情况声明"], None),
    ("temporary_aid", True, ["临时救助申请书", "遭遇急难或大额支出的证明（事故认定、医疗票据等）"], ("fire", "8000")),
    ("temporary_aid", False, ["临时救助申请书", "遭遇急难或大额支出的证明（事故认定、医疗票据等）"], ("fire", "8000")),
    ("tekun", True, ["特困人员救助供养申请书", "法定义务人无履行义务能力的证明材料"], None),
    ("tekun", False, ["特困人员救助供养申请书", "法定义务人无履行义务能力的证明材料"], None),
]


def family_for(programme: str, approve: bool, actor, grid):
    """A family of two of working age; for 特困 approved, an old woman of 76 living alone with no income."""
    if programme != "tekun" or not approve:
        return make_household(actor, grid, head_name="李桂兰", members=2)
    from datetime import date

    from jiuzhu.registry import services as registry

    household = registry.household_create(
        actor=actor,
        org_unit=grid,
        residence_address=f"{grid.name}金星路8号",
        residence_division_code=grid.division_code[:12],
        hukou_division_code=grid.division_code[:12],
    )
    person = registry.person_create(actor=actor, name="李桂兰", id_number=new_id_number(date(1948, 2, 3)))
    registry.membership_add(
        actor=actor, household=household, person=person, relation="head", joined_on=date(1990, 1, 1)
    )
    return household


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def register_and_accept(page, live_server, household, programme, materials, emergency) -> Case:
    log_in(page, live_server, "street_a")
    page.goto(f"{live_server.url}/applications/new/?household={household.pk}")
    page.check(f"#id_programmes input[value={programme}]")
    for material in materials:
        page.check(f"input[name=materials][value='{material}']")
    page.fill("input[name=authorization_signed_on]", "2024-10-14")
    if emergency:
        page.check("input[name=emergency]")
        page.select_option("select[name=emergency_kind]", emergency[0])
        page.fill("input[name=emergency_loss]", emergency[1])
    page.click("#submit-application")
    page.wait_for_selector("#accept-form")
    assert "材料齐全" in page.locator("#one-time-notice").inner_text()
    page.click("#accept-form button")
    page.wait_for_selector("#status")
    application = Application.objects.get(household=household)
    assert application.status == "accepted"
    return application.cases.get(programme=programme)


@pytest.mark.parametrize(("programme", "approve", "materials", "emergency"), PATHS)
def test_a_programme_from_the_window_to_the_decision(
    page,
    live_server,
    units,
    street_officer_a,
    coordinator_a,
    coordinator_a2,
    approver,
    walk,
    time_machine,
    programme,
    approve,
    materials,
    emergency,
):
    time_machine.move_to(china("2024-10-14 09:00"))
    household = family_for(programme, approve, street_officer_a, units["grid_a"])
    case = register_and_accept(page, live_server, household, programme, materials, emergency)
    # the case page shows the step and its legal limit
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "入户调查" in page.content() and case.step_due_label in page.content()
    # the community records the home investigation with two investigators
    log_in(page, live_server, "coord_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.select_option(
        "#investigation-form select[name=investigators]", [str(coordinator_a.pk), str(coordinator_a2.pk)]
    )
    page.fill("#investigation-form textarea[name=findings]", "家中陈设简陋，收入微薄")
    page.click("#record-investigation")
    case.refresh_from_db()
    assert case.step == "verification"
    case = walk(case, until="review")  # the county completes the verification
    # the street reviews on the page
    log_in(page, live_server, "street_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    if not approve:
        page.check("#review-form input[name=recommend][value=refuse]")
    page.fill("#review-form textarea[name=opinion]", "符合条件" if approve else "家庭收入超过标准")
    page.click("#submit-review")
    case.refresh_from_db()
    case = walk(case, until="approval")
    # the district decides on the page
    log_in(page, live_server, "approver")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    if case.spot_check_required:  # 特困: the county spot-checks at least 30 % before deciding (43号 第十六条)
        page.fill("#spot-check-form textarea[name=finding]", "抽查属实")
        page.click("#record-spot-check")
    if not approve:
        page.check("#decision-form input[name=decision][value=refuse]")
    elif case.proposed_amount is None:
        # the file cannot say that no supporter is able (the rules assume one is): the investigation found none,
        # and the district states the amount itself
        page.fill("#decision-form input[name=amount]", "1096")
    page.fill("#decision-form textarea[name=opinion]", "同意" if approve else "不符合条件")
    page.click("#submit-decision")
    case.refresh_from_db()
    text = page.content()
    if approve:
        assert case.status == "approved" and case.decision_number in text
        if case.payment_from:
            assert "2024年11月" in text
    else:
        assert case.status == "refused" and case.reasons and case.reasons[0] in text
    letter = page.request.get(page.get_attribute("#letter-pdf", "href").join([live_server.url, ""]))
    assert letter.status == 200 and letter.body().startswith(b"%PDF")


def test_a_coordinator_is_refused_the_decision(page, live_server, apply, street_officer_a, walk, time_machine):
    from jiuzhu.cases import intake

    time_machine.move_to(china("2024-10-14 09:00"))
    case = walk(intake.application_accept(actor=street_officer_a, application=apply()).cases.get(), until="approval")
    log_in(page, live_server, "coord_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("#decision-form").count() == 0
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/cases/{case.pk}/act/decide/",
        form={"decision": "approve", "opinion": "同意"},
        headers={"X-CSRFToken": csrf, "Referer": f"{live_server.url}/cases/{case.pk}/"},
    )
    assert response.status == 403
    case.refresh_from_db()
    assert case.status == "in_progress" and case.step == "approval"
