import json
import sys

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.parsing import parse_date
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.errors import FactsInvalid, PolicyError
from jiuzhu.policy.localities import home_locality, pack_for, today


class Command(BaseCommand):
    help = "资格检查：读入家庭情况 JSON，按地区政策包判断每一项救助，输出与 API 相同的 JSON"

    def add_arguments(self, parser):
        parser.add_argument("file", help="家庭情况 JSON 文件（- 表示标准输入）")
        parser.add_argument("--locality", default="", help="区划代码或政策包目录名，默认本平台所在地区")
        parser.add_argument("--as-of", default="", help="决定日期 YYYY-MM-DD，默认今天")

    def handle(self, *args, file: str, locality: str, as_of: str, **options):
        try:
            text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()  # noqa: SIM115
            document = json.loads(text)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取家庭情况文件：{exc}") from None
        try:
            day = parse_date(as_of) if as_of else today()
            result = eligibility_check(
                locality=pack_for(locality) if locality else home_locality(), as_of=day, document=document
            )
        except ValueError as exc:
            raise CommandError(f"--as-of：{exc}") from None
        except FactsInvalid as exc:
            self.stdout.write(
                json.dumps({"detail": exc.message, "problems": exc.problems}, ensure_ascii=False, indent=2)
            )
            raise CommandError(exc.message, returncode=2) from None
        except PolicyError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
