"""Every policy pack loads, every one of its own YAML cases passes, and nothing it writes is left untested."""

from __future__ import annotations

import pytest

from jiuzhu.policy.casecheck import coverage_gaps, run_case
from jiuzhu.policy.packs import available_packs, load_pack

PACKS = sorted(available_packs())


def _cases():
    for folder in PACKS:
        for i in range(len(load_pack(folder).cases)):
            yield pytest.param(folder, i, id=f"{folder}:{i + 1}")


def test_the_seed_localities_and_national_have_packs():
    codes = {folder.split("-", 1)[0] for folder in PACKS}
    assert {"national", "530103", "320400", "530600", "630105", "330211"} <= codes


@pytest.mark.parametrize("folder", PACKS)
def test_pack_loads_and_has_cases(folder):
    pack = load_pack(folder)
    assert pack.cases, f"政策包 {folder} 没有测试用例"


@pytest.mark.parametrize(("folder", "index"), list(_cases()))
def test_case(folder, index):
    pack = load_pack(folder)
    case = pack.cases[index]
    outcome = run_case(pack, case)
    assert not outcome.failures, f"{case.file} 第{case.line}行「{case.name}」:\n" + "\n".join(outcome.failures)


@pytest.mark.parametrize("folder", PACKS)
def test_everything_a_pack_writes_is_tested(folder):
    pack = load_pack(folder)
    gaps = coverage_gaps(pack, [run_case(pack, case) for case in pack.cases])
    assert not gaps, f"政策包 {folder} 有未测试的规则:\n" + "\n".join(gaps)
