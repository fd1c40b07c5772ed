"""How benefits are paid, as configuration: payments.yaml beside a locality's pack.yaml, inherited along the pack
chain (the locality's own file over its parents', key by key; national last).

    gradual_exit:                 # 渐退 (57号 第三十三条): who enters it; months and monthly shares are pack parameters
      programmes: [dibao]
      employment_income: [wage, business]   # income kinds that make "income above the standard through work"
    death_recheck:                # 低保家庭成员死亡后3个月内核查 (2022年通知)
      months: 3
      reference: …
    bank_file:                    # the file the bank (or the 一卡通 platform) takes
      format: csv                 # csv | xlsx
      encoding: gbk               # csv only: gbk | utf-8 | utf-8-sig
      amount: yuan                # yuan (two decimals) | fen (whole fen, as some banks want)
      columns:
        - {header: 序号, field: seq}
        - {header: 账号, field: account_number}
        …

A malformed file is refused with the file, the place and a Chinese message, like workflows.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.policy import yamlsrc
from jiuzhu.policy.packs import ChainedFile
from jiuzhu.registry.choices import IncomeCategory

FILE = "payments.yaml"
TOP_KEYS = {"gradual_exit", "death_recheck", "bank_file"}
# What a bank-file column may carry (the field names operators write in payments.yaml).
FIELDS = {
    "seq": "序号",
    "payee_name": "收款人姓名",
    "payee_id_number": "收款人身份证号",
    "bank": "开户银行",
    "account_number": "账号",
    "amount": "金额",
    "programme": "救助项目",
    "month": "发放月份",
    "street": "街道（乡镇）",
    "community": "社区（村）",
    "members": "家庭人口",
    "change": "变动",
    "note": "备注",
}
FORMATS = ("csv", "xlsx")
ENCODINGS = ("gbk", "gb18030", "utf-8", "utf-8-sig")
AMOUNT_UNITS = ("yuan", "fen")


@dataclass(frozen=True)
class Column:
    header: str
    field: str


@dataclass(frozen=True)
class BankFile:
    format: str
    encoding: str
    amount: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class PayrollConfig:
    exit_programmes: tuple[str, ...]
    employment_income: tuple[str, ...]
    death_recheck_months: int
    death_recheck_reference: str
    bank_file: BankFile


def _invalid(file: str, where: str, problem: str) -> CaseError:
    return CaseError(E.PAYMENTS_CONFIG_INVALID, file=file, where=where, problem=problem)


def _mapping(doc, key: str, file: str) -> dict:
    value = doc.get(key)
    if not isinstance(value, dict):
        raise _invalid(file, yamlsrc.line_label(doc, key), f"{key} 应为键值对")
    return value


def _gradual_exit(doc, file: str) -> dict:
    spec = _mapping(doc, "gradual_exit", file)
    found = {}
    if "programmes" in spec:
        found["exit_programmes"] = tuple(str(p) for p in spec["programmes"] or [])
    if "employment_income" in spec:
        kinds = [str(k) for k in spec["employment_income"] or []]
        unknown = [k for k in kinds if k not in IncomeCategory.values]
        if unknown:
            raise _invalid(
                file,
                f"gradual_exit.employment_income（{yamlsrc.line_label(spec, 'employment_income')}）",
                f"不认识的收入类别 {'、'.join(unknown)}；可用：{'、'.join(IncomeCategory.values)}",
            )
        found["employment_income"] = tuple(kinds)
    return found


def _death_recheck(doc, file: str) -> dict:
    spec = _mapping(doc, "death_recheck", file)
    months = spec.get("months", 3)
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 12:
        raise _invalid(
            file, f"death_recheck.months（{yamlsrc.line_label(spec, 'months')}）", "months 应为 1 至 12 的整数"
        )
    return {"death_recheck_months": months, "death_recheck_reference": str(spec.get("reference") or "")}


def _bank_file(doc, file: str) -> BankFile:
    spec = _mapping(doc, "bank_file", file)
    where = f"bank_file（{yamlsrc.line_label(doc, 'bank_file')}）"
    kind, encoding, amount = spec.get("format", "csv"), spec.get("encoding", "gbk"), spec.get("amount", "yuan")
    if kind not in FORMATS:
        raise _invalid(file, where, f"format 应为 {'、'.join(FORMATS)} 之一，不是“{kind}”")
    if encoding not in ENCODINGS:
        raise _invalid(file, where, f"encoding 应为 {'、'.join(ENCODINGS)} 之一，不是“{encoding}”")
    if amount not in AMOUNT_UNITS:
        raise _invalid(file, where, f"amount 应为 yuan（元，两位小数）或 fen（分），不是“{amount}”")
    columns = spec.get("columns")
    if not isinstance(columns, list) or not columns:
        raise _invalid(file, where, "columns 应列出银行文件的各列：{header: 列名, field: 内容}")
    built = []
    for i, column in enumerate(columns, start=1):
        if not isinstance(column, dict) or not column.get("header") or column.get("field") not in FIELDS:
            usable = "、".join(f"{k}（{v}）" for k, v in FIELDS.items())
            raise _invalid(
                file, f"bank_file.columns 第{i}列", f"应写成 {{header: 列名, field: 内容}}，内容可用：{usable}"
            )
        built.append(Column(str(column["header"]), str(column["field"])))
    return BankFile(str(kind), str(encoding), str(amount), tuple(built))


def load_file(path) -> dict:
    file = f"{path.parent.name}/{FILE}"
    doc = yamlsrc.load_config(path, TOP_KEYS, _invalid)
    found: dict = {}
    if "gradual_exit" in doc:
        found |= _gradual_exit(doc, file)
    if "death_recheck" in doc:
        found |= _death_recheck(doc, file)
    if "bank_file" in doc:
        found["bank_file"] = _bank_file(doc, file)
    return found


def _merged(files) -> PayrollConfig:
    merged: dict = {
        "exit_programmes": (),
        "employment_income": (),
        "death_recheck_months": 3,
        "death_recheck_reference": "",
        "bank_file": None,
    }
    for path in reversed(files):
        merged |= load_file(path)
    if merged["bank_file"] is None:
        raise _invalid(FILE, "bank_file", "没有配置银行文件格式（national/payments.yaml 应有 bank_file）")
    return PayrollConfig(**merged)


# The locality's payment configuration: its own payments.yaml over its parents'.
payroll_config = ChainedFile(FILE, _merged)
clear_cache = payroll_config.clear
