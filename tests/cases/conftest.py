"""An applying family in 拓东街道 (盘龙区), staff along the whole procedure, and helpers that walk a case forward."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from jiuzhu.cases import intake, steps
from jiuzhu.cases.decisions import case_decide
from jiuzhu.core import sms
from jiuzhu.org.services import department_create
from jiuzhu.verification.services import verification_complete, verification_start
from tests.factories import add_income, make_household, make_staff

CHINA = ZoneInfo("Asia/Shanghai")
DIBAO_MATERIALS = ["低保申请书", "家庭成员收入情况声明"]


def china(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


@pytest.fixture(autouse=True)
def quiet_sms(settings, tmp_path):
    settings.JIUZHU_LOCALITY = "demo-530103"  # the demo pack: assumed values where Kunming's are not published
    settings.JIUZHU_SMS_BACKEND = "memory"
    settings.DATA_DIR = tmp_path
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    yield
    translation.deactivate()


@pytest.fixture
def coordinator_a2(units):
    return make_staff("coord_a2", "community_coordinator", units["community_a"])


@pytest.fixture
def departments(units):
    return {
        code: department_create(actor=None, code=code, name=name, district=units["district"])
        for code, name in (("medical_insurance", "医疗保障局"), ("education", "教育体育局"))
    }


@pytest.fixture
def poor_household(street_officer_a, units):
    household = make_household(street_officer_a, units["grid_a"], head_name="王福贵", members=2)
    add_income(household, "300", valid_from=date(2024, 1, 1))
    return household


@pytest.fixture
def apply(street_officer_a, units, poor_household):
    """Register a complete application for the poor household at 拓东街道's window."""

    def make(programmes=("dibao",), **extra):
        fields = {
            "actor": street_officer_a,
            "unit": units["street_a"],
            "channel": "window",
            "applicant_name": "王福贵",
            "phone": "13900001111",
            "programmes": list(programmes),
            "household": poor_household,
            "materials_provided": DIBAO_MATERIALS,
            "authorization_signed_on": date(2024, 9, 2),
            "situation": "户主失业，孩子上学",
        }
        return intake.application_create(**(fields | extra))

    return make


@pytest.fixture
def walk(street_officer_a, coordinator_a, coordinator_a2, approver):
    """Move a case through each step with the right person, up to (not including) `until`."""

    def go(case, until="decided", approve=True):
        while case.is_open and case.step != until:
            step = case.step
            if step == "investigation":
                case = steps.case_investigate(
                    actor=coordinator_a,
                    case=case,
                    investigators=[coordinator_a, coordinator_a2],
                    findings="家中陈设简陋",
                )
            elif step == "verification":
                v = case.verification
                if v.status == "requested":
                    verification_start(actor=approver, request=v)
                if v.status != "completed":  # another case of the family may have had it completed already
                    verification_complete(actor=approver, request=v)
                case = steps.case_verification_done(actor=street_officer_a, case=case)
            elif step == "appraisal":
                case = steps.case_appraise(actor=coordinator_a, case=case, attendees=7, outcome="一致同意")
            elif step == "review":
                case = steps.case_review(actor=street_officer_a, case=case, recommend=approve, opinion="符合条件")
            elif step == "notice":
                case.notice_ends_on = date(2000, 1, 1)
                case.save(update_fields=["notice_ends_on"])
                case = steps.case_notice_close(actor=street_officer_a, case=case)
            elif step == "approval":
                case = case_decide(actor=approver, case=case, approve=approve, opinion="同意" if approve else "不符合")
            case.refresh_from_db()
        return case

    return go


@pytest.fixture
def open_case(apply, street_officer_a):
    """Register a complete application and accept it at the window; returns the case of its first programme."""

    def make(programmes=("dibao",), **extra):
        application = intake.application_accept(actor=street_officer_a, application=apply(programmes, **extra))
        return application.cases.get(programme=programmes[0])

    return make


@pytest.fixture
def local_pack(tmp_path, settings):
    """A locality of our own (test-530103, inheriting the demo pack) with the workflows.yaml given, made the
    platform's locality; returns its folder."""
    from jiuzhu.cases import workflows
    from jiuzhu.policy import packs
    from jiuzhu.workorders import deadlines

    def clear():
        packs.clear_cache()
        deadlines.clear_cache()
        workflows.clear_cache()

    def write(text: str, *, name: str = "test-530103", inherits: str = "demo-530103"):
        folder = tmp_path / "policies" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pack.yaml").write_text(
            f"code: {name}\nname: 测试区\ninherits: {inherits}\nnotes: 测试用政策包\n", encoding="utf-8"
        )
        (folder / "workflows.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        settings.JIUZHU_POLICY_DIRS = [*settings.JIUZHU_POLICY_DIRS, str(tmp_path / "policies")]
        settings.JIUZHU_LOCALITY = name
        clear()
        return folder

    yield write
    clear()
