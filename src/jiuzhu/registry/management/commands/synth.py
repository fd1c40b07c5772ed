"""`jiuzhu synth`: a deterministic demo district, into the database or out to Parquet."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

LABELS = (
    ("households", "户数"),
    ("persons", "人数"),
    ("aged_60_plus", "60岁以上人数"),
    ("disabled", "残疾人数"),
    ("below_standard_households", "人均收入低于低保标准的户数"),
    ("marginal_households", "低保边缘收入（1～2倍标准）户数"),
    ("dibao_households", "低保户数"),
    ("tekun_households", "特困户数"),
    ("situations", "特殊情形记录"),
    ("incomes", "收入记录"),
    ("assets", "财产记录"),
    ("expenses", "刚性支出记录"),
    ("programmes", "救助项目记录"),
    ("plans", "一户一策"),
)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "生成演示区县的合成数据（同一随机种子得到相同数据）：默认写入数据库，指定 --out 则写出 Parquet 文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=5000, help="家庭户数（默认 5000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--district-code", default="530103", help="区县行政区划代码（默认 530103 盘龙区）")
        parser.add_argument("--district-name", default=None, help="区县名称（默认按区划代码查表）")
        parser.add_argument("--city", default=None, help="所属城市（默认按区划代码查表）")
        parser.add_argument("--as-of", type=_date, default=None, help="数据基准日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--out", default=None, help="写出 Parquet 的目录；不指定则写入数据库")
        parser.add_argument("--batch-size", type=int, default=2000, help="写入数据库的每批户数")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **o) -> None:
        if o["households"] < 1:
            raise CommandError("户数必须是正整数")
        as_of = o["as_of"] or timezone.localdate()
        common = {
            "households": o["households"],
            "seed": o["seed"],
            "district_code": o["district_code"],
            "district_name": o["district_name"],
            "city": o["city"],
            "as_of": as_of,
            "progress": not o["no_progress"],
        }
        started = time.monotonic()
        if o["out"]:
            from jiuzhu.registry.synth.parquet import write_parquet

            try:
                summary = write_parquet(out_dir=o["out"], **common)
            except ValueError as e:
                raise CommandError(f"无法生成：{e}") from None
        else:
            from jiuzhu.registry.synth.loader import SynthError, load_district

            try:
                summary = load_district(batch_size=o["batch_size"], **common)
            except SynthError as e:
                raise CommandError(str(e)) from None
        elapsed = time.monotonic() - started
        where = f"已写出 Parquet 文件到 {summary['out_dir']}" if o["out"] else "已写入数据库"
        self.stdout.write(
            self.style.SUCCESS(f"{summary['district_name']}（{summary['district_code']}）合成数据{where}")
        )
        self.stdout.write(f"  随机种子 {summary['seed']}，基准日期 {summary['as_of']}，用时 {elapsed:.1f} 秒")
        if not o["out"]:
            self.stdout.write(
                f"  街道 {summary['streets']} 个，社区/村 {summary['communities']} 个，网格 {summary['grids']} 个，"
                f"部门 {summary['departments']} 个"
            )
        for key, label in LABELS:
            self.stdout.write(f"  {label}：{summary[key]:,}")
        if o["out"]:
            files = "，".join(f"{name} {count:,} 行" for name, count in summary["rows"].items())
            self.stdout.write(f"  文件：{files}")
