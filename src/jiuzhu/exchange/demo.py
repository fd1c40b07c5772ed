"""Department files for the demo district, written the way departments send them and dropped in the watched folder.

Each has what real exports have: a title row, full-width digits, 万元 amounts, Chinese dates, a few rows a clerk
must send back, a name written in traditional characters with no ID number. Importing them shows every path of the
exchange: accepted, rejected with reasons, linked by ID, linked by name, waiting for review, events for monitoring.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import opencc
from openpyxl import Workbook

from jiuzhu.exchange.feedback import COLUMNS as FEEDBACK_COLUMNS
from jiuzhu.exchange.tasks import scan_inbox
from jiuzhu.registry.models import Person

TRADITIONAL = str.maketrans(
    "张刘陈杨黄赵吴郑王冯钟华国建军红兰丽云龙凤东贵兴", "張劉陳楊黃趙吳鄭王馮鍾華國建軍紅蘭麗雲龍鳳東貴興"
)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def write_demo_files(inbox: Path, *, seed: int = 2026, today: date) -> list[Path]:
    rng = random.Random(seed)
    adults = list(
        Person.objects.filter(death_date__isnull=True, birth_date__lte=date(today.year - 60, 1, 1))
        .exclude(id_number=None)
        .order_by("pk")[:400]
    )
    if len(adults) < 40:
        return []
    rng.shuffle(adults)
    month = today.replace(day=1)
    written = [
        _pensions(inbox / "hrss", adults[:30], month, rng),
        _settlements(inbox / "medical_insurance", adults[30:36], today),
        _deaths(inbox / "public_security", adults[36:37], today),
        _feedback(inbox / "disability_federation", adults[37:40], today),
    ]
    return written


def _pensions(folder: Path, persons: list[Person], month: date, rng: random.Random) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        [f"{month.year}年{month.month}月城乡养老保险待遇发放名册"],
        ["序号", "姓名", "公民身份号码", "发放年月", "发放金额(元)"],
    ]
    for i, p in enumerate(persons, start=1):
        number = _full_width(p.id_number) if i % 7 == 0 else p.id_number
        amount = f"{rng.randint(150, 320) * 10}" if i % 5 else f"{rng.randint(20, 35) / 100:.2f}万"
        rows.append([i, p.name, number, f"{month.year}年{month.month}月", amount])
    head = persons[0]
    rows += [
        [
            len(rows) - 1,
            "王德明",
            head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1"),
            f"{month:%Y%m}",
            "2100",
        ],
        [len(rows), "李桂芬", "", f"{month.year}年13月", "1980"],
        [len(rows) + 1, persons[1].name, persons[1].id_number, f"{month:%Y-%m}", "一千二"],
    ]
    path = folder / f"养老金发放{month:%Y%m}.csv"
    with open(path, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _settlements(folder: Path, persons: list[Person], today: date) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.append(["医疗费用结算明细（大额自付）"])
    ws.merge_cells("A1:G1")
    ws.append(["结算单号", "人员信息", None, None, "结算日期", "费用（元）", None])
    ws.merge_cells("B2:D2")
    ws.merge_cells("F2:G2")
    ws.append([None, "姓名", "身份证号", "性别", None, "医疗总费用", "个人自付"])
    for i, p in enumerate(persons):
        self_paid = 45600 if i == 0 else 800 + 350 * i
        ws.append(
            [f"JS{today:%Y%m%d}{i:03d}", p.name, p.id_number, p.get_sex_display(), today, self_paid * 3, self_paid]
        )
    # no usable ID: a name in traditional characters, for the matcher (and, if unsure, a clerk)
    p = persons[-1]
    traditional = opencc.OpenCC("s2t").convert(p.name)
    ws.append([f"JS{today:%Y%m%d}900", traditional, None, p.get_sex_display(), today, 6000, 2100])
    path = folder / f"医保结算{today:%Y%m%d}.xlsx"
    wb.save(path)
    return path


def _deaths(folder: Path, persons: list[Person], today: date) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"死亡注销{today:%Y%m%d}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "公民身份号码", "死亡日期"])
        for p in persons:
            writer.writerow([p.name, p.id_number, f"{today.year}年{today.month}月{max(today.day - 2, 1)}日"])
    return path


def _feedback(folder: Path, persons: list[Person], today: date) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.append(["区残联困难群众疑点信息反馈表"])
    ws.append(list(FEEDBACK_COLUMNS))
    for i, p in enumerate(persons, start=1):
        household = p.current_membership().household if p.current_membership() else None
        address = household.residence_address if household else ""
        ws.append(
            [i, p.name, address, "持证重度残疾人，家中无固定收入，未享受低保", household.phone if household else ""]
        )
    path = folder / f"疑点信息反馈{today:%Y%m}.xlsx"
    wb.save(path)
    return path


def load_demo_feeds(inbox: Path, *, today: date) -> list[tuple[Path, str]]:
    write_demo_files(inbox, today=today)
    return scan_inbox(inbox)
