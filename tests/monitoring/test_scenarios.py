"""Scenarios are a locality's configuration: inherited, overridden, switched off, and refused when malformed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jiuzhu.monitoring.scenarios import load_config
from jiuzhu.policy.errors import PackError
from jiuzhu.policy.packs import clear_cache

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_every_seed_locality_has_the_national_scenarios_and_zhenhai_its_own_line():
    national = load_config("national")
    assert {
        "large_medical",
        "main_earner_death",
        "severe_disability",
        "new_unemployment",
        "traffic_accident",
        "natural_disaster",
        "recipient_vehicle",
        "recipient_pension",
        "recipient_government_staff",
    } <= set(national.scenarios)
    zhenhai = load_config("330211")
    value = zhenhai.parameters["large_medical_self_paid"].values[-1]
    assert value.value == 40000 and "镇海区" in value.reference


@pytest.fixture
def pack_dir(settings, tmp_path):
    """A policy folder with the national pack and a locality of our own that inherits it."""
    shutil.copytree(POLICIES / "national", tmp_path / "national")
    local = tmp_path / "999999-test"
    local.mkdir()
    (local / "pack.yaml").write_text("code: '999999'\nname: 测试区\ninherits: national\n", encoding="utf-8")
    settings.JIUZHU_POLICY_DIRS = [str(tmp_path)]
    clear_cache()
    load_config.cache_clear()
    yield local
    clear_cache()
    load_config.cache_clear()


def test_a_locality_overrides_a_line_and_switches_a_scenario_off(pack_dir):
    (pack_dir / "monitoring.yaml").write_text(
        "parameters:\n"
        "  large_medical_self_paid:\n"
        "    values:\n"
        "      2024-01-01: {value: 30000, reference: 测试区文件}\n"
        "scenarios:\n"
        "  poor_worker: null\n",
        encoding="utf-8",
    )
    config = load_config("999999")
    assert config.parameters["large_medical_self_paid"].values[-1].value == 30000
    assert "poor_worker" not in config.scenarios and "large_medical" in config.scenarios


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("scenarios:\n  x:\n    name: 测试\n    events: [death]\n    severity: urgent\n", 5, "severity"),
        ("scenarios:\n  x:\n    name: 测试\n    events: []\n", 4, "events"),
        ("scenarios:\n  x:\n    name: 测试\n    events: [death]\n    colour: red\n", 5, "colour"),
        (
            "scenarios:\n  x:\n    name: 测试\n    events: [death]\n"
            "    conditions:\n      - {field: a, at_least: no_such}\n",
            6,
            "no_such",
        ),
        (
            "scenarios:\n  x:\n    name: 测试\n    events: [death]\n    conditions:\n      - {field: a, above: 3}\n",
            6,
            "above",
        ),
        ("parameters:\n  p:\n    values:\n      2024-01-01: {value: 5}\n", 4, "reference"),
        ("scenarios:\n  x: [1, 2\n", 3, "YAML"),
    ],
)
def test_a_malformed_file_is_refused_with_its_file_line_and_problem(pack_dir, text, line, words):
    (pack_dir / "monitoring.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as refused:
        load_config("999999")
    assert refused.value.file.endswith("999999-test/monitoring.yaml")
    assert refused.value.line == line
    assert words in refused.value.problem
