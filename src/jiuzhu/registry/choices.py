"""Value lists of the household file (R2.2), named as in the glossary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AreaType(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class LaborCapacity(models.TextChoices):
    FULL = "full", _("有劳动能力")
    PARTIAL = "partial", _("部分丧失劳动能力")
    NONE = "none", _("无劳动能力")


class DisabilityKind(models.TextChoices):
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class DisabilityGrade(models.IntegerChoices):
    ONE = 1, _("一级")
    TWO = 2, _("二级")
    THREE = 3, _("三级")
    FOUR = 4, _("四级")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("在岗就业")
    FLEXIBLE = "flexible", _("灵活就业")
    FARMING = "farming", _("务农")
    SELF_EMPLOYED = "self_employed", _("个体经营")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("离退休")
    STUDENT = "student", _("在校学生")
    NOT_APPLICABLE = "not_applicable", _("无（未成年/丧失劳动能力）")


class SchoolStage(models.TextChoices):
    NONE = "", _("未在学")
    PRESCHOOL = "preschool", _("学前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    COLLEGE = "college", _("高职/大专")
    UNDERGRADUATE = "undergraduate", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Situation(models.TextChoices):
    LIVING_ALONE = "living_alone", _("独居")
    EMPTY_NEST = "empty_nest", _("空巢")
    LEFT_BEHIND = "left_behind", _("留守")
    DISABLED_CARE_NEEDED = "disabled_care_needed", _("失能")
    ORPHAN = "orphan", _("孤儿")
    UNSUPPORTED_CHILD = "unsupported_child", _("事实无人抚养儿童")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("困境儿童")


class IncomeCategory(models.TextChoices):
    """57号 第十三条: four counted classes, and the kinds that are not counted."""

    WAGE = "wage", _("工资性收入")
    BUSINESS = "business", _("经营净收入")
    PROPERTY = "property", _("财产净收入")
    TRANSFER = "transfer", _("转移净收入")
    PENSION = "pension", _("离退休金/养老金")
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit", _("失业保险金")
    SUPPORT_RECEIVED = "support_received", _("赡养/抚养/扶养费")
    OTHER = "other", _("其他应计入收入")
    EXCLUDED_MERIT = "excluded_merit", _("不计入：优待抚恤金、奖励性补助")
    EXCLUDED_FAMILY_PLANNING = "excluded_family_planning", _("不计入：计划生育奖励与扶助金")
    EXCLUDED_ASSISTANCE = "excluded_assistance", _("不计入：政府发放的社会救助款物")
    EXCLUDED_BASIC_PENSION = "excluded_basic_pension", _("不计入：城乡居民基本养老保险基础养老金")
    EXCLUDED_LOCAL = "excluded_local", _("不计入：地方规定的其他收入")


class Period(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    ANNUAL = "annual", _("每年")
    ONE_OFF = "one_off", _("一次性")


class AssetKind(models.TextChoices):
    DEPOSIT = "deposit", _("银行存款")
    SECURITIES = "securities", _("证券/基金")
    INSURANCE = "insurance", _("商业保险")
    INTERNET_FINANCE = "internet_finance", _("互联网金融资产")
    CLAIM = "claim", _("债权")
    VEHICLE = "vehicle", _("机动车辆")
    PROPERTY = "property", _("房屋")
    BUSINESS = "business", _("市场主体登记")
    OTHER = "other", _("其他财产")


class VehicleKind(models.TextChoices):
    CAR = "car", _("小型汽车")
    TRUCK = "truck", _("货车/营运车辆")
    MOTORCYCLE = "motorcycle", _("摩托车")
    DISABILITY = "disability", _("残疾人机动轮椅车/代步车")
    AGRICULTURAL = "agricultural", _("农用车")


class ExpenseCategory(models.TextChoices):
    MEDICAL = "medical", _("医疗自付费用")
    EDUCATION = "education", _("教育支出")
    REHABILITATION = "rehabilitation", _("康复支出")
    DISASTER = "disaster", _("灾害/意外事故支出")
    OTHER = "other", _("其他刚性支出")


class EvidenceSource(models.TextChoices):
    DECLARED = "declared", _("申请人申报")
    DEPARTMENT = "department", _("部门数据")
    INVESTIGATION = "investigation", _("入户调查")


class ProgrammeStatusValue(models.TextChoices):
    ACTIVE = "active", _("享受中")
    SUSPENDED = "suspended", _("暂停")
    GRADUAL_EXIT = "gradual_exit", _("渐退期")
    ENDED = "ended", _("已停止")


class ColorClass(models.TextChoices):
    RED = "red", _("红色")
    YELLOW = "yellow", _("黄色")
    GREEN = "green", _("绿色")


class Programme(models.TextChoices):
    """Programme codes of the glossary; the policy catalogue describes each one per locality."""

    DIBAO = "dibao", _("最低生活保障")
    TEKUN = "tekun", _("特困人员救助供养")
    MARGINAL = "marginal", _("低保边缘家庭")
    RIGID_EXPENSE = "rigid_expense", _("刚性支出困难家庭")
    TEMPORARY_AID = "temporary_aid", _("临时救助")
    MEDICAL_AID = "medical_aid", _("医疗救助")
    EDUCATION_AID = "education_aid", _("教育救助")
    HOUSING_AID = "housing_aid", _("住房救助")
    EMPLOYMENT_AID = "employment_aid", _("就业救助")
    DISABILITY_LIVING_SUBSIDY = "disability_living_subsidy", _("困难残疾人生活补贴")
    DISABILITY_CARE_SUBSIDY = "disability_care_subsidy", _("重度残疾人护理补贴")
    RELAPSE_WATCH = "relapse_watch", _("防止返贫监测对象")
