"""Probabilistic linkage of department rows without a usable ID number to registered persons (R4).

Rows whose ID number passes the check digit are linked exactly (exchange/link.py); this module links the rest on name,
birth date, sex and address with Splink 5 on in-memory DuckDB (link_only: records ↔ persons).

- Names are folded (traditional → simplified with OpenCC ``t2s``, whitespace removed, middle-dot look-alikes
  unified) and compared: exact; same toneless pinyin (homophones: 张伟/章伟/张玮); same 模糊音 key (zh/z, ch/c, sh/s,
  n/l, ang/an, eng/en, ing/in: 林/凌, 陈/程); one character apart (3+ characters). Exact and pinyin agreement carry
  term-frequency adjustments: agreeing on 张伟 is weaker evidence than agreeing on 司马婉清.
- Birth dates: exact; day and month swapped; one digit changed or two adjacent digits transposed in yyyymmdd;
  same year (lunar birthdays, "1 January" placeholders).
- Sex: exact. Addresses are normalised (province and prefecture names from GB/T 2260 with or without their suffix,
  the 街道/镇/乡 and 村委会 parts, the 号/栋/单元/室 markers) and compared: exact; same road and house number; same
  road — each only when the districts agree or one is missing.
- Blocking: same birth date; same 模糊音 key and birth year; same key and month-day (a wrong year); same address;
  same key when a birth date is missing. ≈ 1.1 M pairs for 100 k records against 200 k persons.

``match_probability`` is the posterior that *this* person is the record's, given every candidate the blocking found:
a record is of a registered person with probability ``SHARE_REGISTERED`` (each one equally likely) or of nobody
registered; see ``prior_match_probability``. The prior thus follows the size of the population linked against, and
two near-identical registered persons share the probability, so neither links by itself.

The shipped model (``data/linkage_model.json``) is reproducible, byte for byte, with::

    .venv/bin/python -m jiuzhu.exchange.linkage --train          # ≈ 30 s of CPU

which generates 200 000 persons and 100 000 records with ``synth_linkage_truth(seed=TRAIN_SEED)``, estimates u by
random sampling (2·10⁷ pairs, fixed seed) and m by expectation maximisation on pairs blocked on birth date and on
address (no labels are used), and writes the settings dict (m and u to 6 significant digits). Thresholds for the
caller: auto-link at ``JIUZHU_LINK_AUTO`` (default ``AUTO_THRESHOLD`` 0.99), review at ``REVIEW_THRESHOLD`` (0.80);
``bench/linkage_bench.py`` measures them.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import math
import random
import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import opencc
import pyarrow as pa
import pyarrow.compute as pc

MODEL_PATH = Path(__file__).resolve().parent / "data" / "linkage_model.json"
AUTO_THRESHOLD = 0.99  # default of JIUZHU_LINK_AUTO: at or above, the caller links without a person looking
REVIEW_THRESHOLD = 0.80  # at or above (and below auto), a clerk confirms; below, the record stays unlinked
MIN_PROBABILITY = 0.05  # candidates below this are not returned at all
SHARE_REGISTERED = 0.9  # prior: share of records that belong to some registered person
TRAIN_SEED = 20240801
TRAIN_PERSONS = 200_000
TRAIN_RECORDS = 100_000
_PREDICT_MIN_WEIGHT = -12.0  # pairs below this (p ≈ 0.0002) add nothing measurable to the candidate sum

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------------------------------
# Names


@functools.cache
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)  # "t2s": traditional → simplified; "s2t" for generating records


_DOTS = str.maketrans({c: "·" for c in "•・‧∙⋅･.．·﹒"})  # middle-dot look-alikes → U+00B7
_SPACES = re.compile(r"\s+")


def fold_name(name: str) -> str:
    """The name as compared: simplified characters, no whitespace, one kind of middle dot (维吾尔族 names)."""
    if not name:
        return ""
    if not unicodedata.is_normalized("NFKC", name):
        name = unicodedata.normalize("NFKC", name)  # full-width letters and spaces
    text = "".join(name.split()).translate(_DOTS)
    return _opencc("t2s").convert(text).strip("·")


@functools.lru_cache(maxsize=65536)
def _char_pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin  # here, not at import: its dictionaries take a quarter of a second

    if char == "·" or not char.strip():
        return ""
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower()


def name_pinyin(name: str) -> str:
    """Toneless pinyin of the folded name, one syllable per character, joined by spaces: 張偉 → 'zhang wei'.

    Characters are read one at a time (the common reading, cached), so a 1 M-name batch takes seconds; both sides of a
    comparison are read the same way, so a surname's special reading (单 shan, 曾 zeng) does not matter."""
    return _pinyin_of_folded(fold_name(name))


def _pinyin_of_folded(folded: str) -> str:
    return " ".join(p for p in map(_char_pinyin, folded) if p)


_FUZZY_INITIAL = re.compile(r"^(zh|ch|sh|n)")
_FUZZY_FINAL = re.compile(r"(ang|eng|ing)$")


@functools.lru_cache(maxsize=4096)
def _fuzzy_syllable(syllable: str) -> str:
    syllable = _FUZZY_INITIAL.sub(lambda m: {"zh": "z", "ch": "c", "sh": "s", "n": "l"}[m.group(1)], syllable)
    return _FUZZY_FINAL.sub(lambda m: m.group(1)[:-1], syllable)


def fuzzy_pinyin(pinyin: str) -> str:
    """The 模糊音 key of a pinyin string, as input methods offer it for southern speakers: zh/z, ch/c, sh/s, n/l and
    ang/an, eng/en, ing/in are not told apart ('lin ming' and 'ling min' → 'lin min')."""
    return " ".join(_fuzzy_syllable(s) for s in pinyin.split())


# ---------------------------------------------------------------------------------------------------------------------
# Addresses

_ADDR_UNIT = re.compile(  # one administrative unit at the start: 云南省 / 昆明市 / 盘龙区 / 石林彝族自治县
    r"^[^省市区县州旗盟路街道镇乡村号\d-]{1,8}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗)"
)
_NOT_AFTER_PREFIX = "路街巷道弄里市县区州盟旗"  # 北京路 is a road, 楚雄市 a county-level city
_ADDR_STREET = re.compile(r"^[^路\d]{1,6}?(?:街道办事处|街道|镇|乡)(?![路街巷道])")  # 拓东街道, 狗街镇
_ADDR_COMMITTEE = re.compile(r"[^村\d]{1,6}?(?:村委会|村民委员会|居委会|居民委员会|社区)")
_ADDR_MARKERS = re.compile(r"(?:单元|号楼|号院|号|栋|幢|座|室|户|楼|弄|[-—－#/、,，.\s])+")


@functools.cache
def _admin_names() -> dict[str, tuple[str, ...]]:
    """Province and prefecture names from GB/T 2260 (python-stdnum's copy), full and short (云南省, 云南, 昆明市, 昆明),
    by first character, longest first: addresses often start with them, with or without the suffix."""
    from stdnum import numdb

    names: set[str] = set()
    for _, _, _, props, children in numdb.get("cn/loc").prefixes:
        found = [props.get("province", "")]
        found += [c[3].get("county", "") for c in children if c[1].endswith("00") and c[1] != "0000"]
        for entry in found:
            for part in entry.split(","):
                name = re.sub(r"\[[^]]*\]", "", part)
                if len(name) < 2 or name in ("市辖区", "县", "省直辖县级行政单位"):
                    continue
                names.add(name)
                if "自治" in name:
                    names.add(name[:2])
                short = re.sub(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市|地区|盟)$", "", name)
                if len(short) >= 2:
                    names.add(short)
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        by_first.setdefault(name[0], []).append(name)
    return {first: tuple(group) for first, group in by_first.items()}


def _strip_admin_prefix(text: str) -> str:
    names = _admin_names()
    while text:
        for name in names.get(text[0], ()):
            if text.startswith(name) and text[len(name) : len(name) + 1] not in _NOT_AFTER_PREFIX:
                text = text[len(name) :]
                break
        else:
            return text
    return text


@functools.lru_cache(maxsize=262144)
def _address_parts(address: str) -> tuple[str, str, str, str, str]:
    """(normalised, core, road, house number, district key) of one address; the core is without province, city and
    district; the district key is the district's first two characters (石林彝族自治县 and 石林县 → 石林)."""
    text = _SPACES.sub("", _opencc("t2s").convert(unicodedata.normalize("NFKC", address)))
    text = _strip_admin_prefix(text)
    district = ""
    while m := _ADDR_UNIT.match(text):  # the last unit before the street is the district (or county-level city)
        district, text = m.group(0), text[m.end() :]
    text = _ADDR_STREET.sub("", text)
    text = _ADDR_COMMITTEE.sub("", text)
    text = _ADDR_MARKERS.sub("-", text).strip("-")
    digit = re.search(r"\d", text)
    road = text[: digit.start()].strip("-") if digit else text
    number = re.match(r"\d+", text[digit.start() :]).group(0) if digit else ""  # type: ignore[union-attr]
    return district + text, text, road, number, district[:2]


def normalise_address(address: str) -> str:
    """昆明市盘龙区拓东街道拓东路12号3栋2单元501室 → 盘龙区拓东路12-3-2-501."""
    return _address_parts(address)[0] if address else ""


# ---------------------------------------------------------------------------------------------------------------------
# Preparing both sides for Splink


def _map_unique(column: pa.ChunkedArray | pa.Array, fn, types: list[pa.DataType]) -> list[pa.Array]:
    """Apply fn (returning one value per type, empty for NULL) to each distinct non-null value once: names repeat."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(column)
    values = [None if v is None else fn(v) for v in encoded.dictionary.to_pylist()]
    return [
        pa.array([None if v is None else (v[i] or None) for v in values], dtype).take(encoded.indices)
        for i, dtype in enumerate(types)
    ]


def _name_keys(name: str) -> tuple[str, str, str, list[str]]:
    """Folded name, pinyin, 模糊音 key and, for names of 3+ characters, the name with each character blanked in turn
    (王建华 → _建华, 王_华, 王建_): two names one character apart share one (DuckDB's levenshtein counts bytes)."""
    folded = fold_name(name)
    pinyin = _pinyin_of_folded(folded)
    wild = [folded[:i] + "_" + folded[i + 1 :] for i in range(len(folded))] if len(folded) >= 3 else []
    return folded, pinyin, fuzzy_pinyin(pinyin), wild


_SEX = {"M": "M", "F": "F", "男": "M", "女": "F", "1": "M", "2": "F"}  # GB/T 2261.1: 1 male, 2 female


def _prepare(table: pa.Table, id_column: str) -> pa.Table:
    names = table.column("name")
    folded, pinyin, fuzzy, wild = _map_unique(names, _name_keys, [pa.string()] * 3 + [pa.list_(pa.string())])
    address = table.column("address") if "address" in table.column_names else pa.nulls(len(table), pa.string())
    addr_norm, addr_core, addr_road, addr_no, addr_district = _map_unique(address, _address_parts, [pa.string()] * 5)
    birth = table.column("birth_date").cast(pa.date32())
    (sex,) = _map_unique(table.column("sex").cast(pa.string()), lambda s: (_SEX.get(s.strip().upper()),), [pa.string()])
    return pa.table(
        {
            "unique_id": table.column(id_column).cast(pa.int64()),
            "name_folded": folded,
            "name_py": pinyin,
            "name_fuzzy": fuzzy,
            "name_wild": wild,
            "dob": birth,
            "dob_s": pc.strftime(birth, format="%Y%m%d"),
            "birth_year": pc.year(birth),
            "birth_mmdd": pc.strftime(birth, format="%m%d"),
            "sex": sex,
            "addr_norm": addr_norm,
            "addr_core": addr_core,
            "addr_road": addr_road,
            "addr_no": addr_no,
            "addr_district": addr_district,
        }
    )


# ---------------------------------------------------------------------------------------------------------------------
# The model

BLOCKING_RULES = [
    "l.dob = r.dob",
    "l.name_fuzzy = r.name_fuzzy AND l.birth_year = r.birth_year",
    "l.name_fuzzy = r.name_fuzzy AND l.birth_mmdd = r.birth_mmdd",
    "l.addr_core = r.addr_core",
    "l.name_fuzzy = r.name_fuzzy AND (l.dob IS NULL OR r.dob IS NULL)",
]
_EM_BLOCKING_RULES = [
    "l.dob = r.dob",  # trains name, sex, address
    "l.addr_core = r.addr_core",  # trains name, birth date, sex (households: a third of the pairs match)
]


def _level(sql: str, label: str, *, null: bool = False, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _else() -> dict[str, Any]:
    return _level("ELSE", "All other comparisons")


def model_settings() -> dict[str, Any]:
    """The untrained Splink settings: link_only, the blocking rules and the comparison levels."""
    name = {
        "output_column_name": "name",
        "comparison_description": "folded name: exact / same pinyin / same 模糊音 pinyin / one character apart",
        "comparison_levels": [
            _level("name_folded_l IS NULL OR name_folded_r IS NULL", "null", null=True),
            _level("name_folded_l = name_folded_r", "exact", tf="name_folded"),
            _level("name_py_l = name_py_r", "same pinyin", tf="name_py"),
            _level("name_fuzzy_l = name_fuzzy_r", "same fuzzy pinyin"),
            _level("len(list_intersect(name_wild_l, name_wild_r)) > 0", "one character apart (3+ characters)"),
            _else(),
        ],
    }
    birth = {
        "output_column_name": "birth_date",
        "comparison_description": "birth date: exact / day and month swapped / one digit / same year",
        "comparison_levels": [
            _level("dob_l IS NULL OR dob_r IS NULL", "null", null=True),
            _level("dob_l = dob_r", "exact"),
            _level(
                "birth_year_l = birth_year_r AND month(dob_l) = day(dob_r) AND day(dob_l) = month(dob_r)",
                "day and month swapped",
            ),
            _level("damerau_levenshtein(dob_s_l, dob_s_r) <= 1", "one digit changed or two swapped"),
            _level("birth_year_l = birth_year_r", "same year"),
            _else(),
        ],
    }
    sex = {
        "output_column_name": "sex",
        "comparison_description": "sex",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "null", null=True),
            _level("sex_l = sex_r", "exact"),
            _else(),
        ],
    }
    same_district = "coalesce(addr_district_l = addr_district_r, TRUE)"  # when both name one
    address = {
        "output_column_name": "address",
        "comparison_description": "normalised address: exact / road and number / road",
        "comparison_levels": [
            _level("addr_core_l IS NULL OR addr_core_r IS NULL", "null", null=True),
            _level(f"addr_core_l = addr_core_r AND {same_district}", "exact"),
            _level(f"addr_road_l = addr_road_r AND addr_no_l = addr_no_r AND {same_district}", "same road and number"),
            _level(f"addr_road_l = addr_road_r AND {same_district}", "same road"),
            _else(),
        ],
    }
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior_match_probability(TRAIN_PERSONS),
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "comparisons": [name, birth, sex, address],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.0001,
        "max_iterations": 25,
    }


def prior_match_probability(n_persons: int, share_registered: float = SHARE_REGISTERED) -> float:
    """Splink's ``probability_two_random_records_match`` for linking against ``n_persons``.

    A record is of registered person j with probability s/N and of nobody registered with probability 1 − s. Given
    the pairwise Bayes factors BF_k of the candidates, the posterior of j is (s/N)·BF_j / ((1 − s) + Σ_k (s/N)·BF_k),
    that is ρ·BF_j / (1 + Σ_k ρ·BF_k) with prior odds ρ = s / ((1 − s)·N). Splink's pairwise weight is log2(ρ·BF)
    when its prior probability is ρ / (1 + ρ); the candidate sum is taken after prediction."""
    rho = share_registered / ((1 - share_registered) * max(n_persons, 1))
    return rho / (1 + rho)


def load_model() -> dict:
    """The shipped trained model (a Splink settings dict)."""
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def _registered(records: pa.Table, persons: pa.Table) -> list:
    """Both sides, prepared, in a fresh in-memory DuckDB of their own (close it with ``_close``)."""
    from splink import DuckDBAPI

    db_api = DuckDBAPI(duckdb.connect(":memory:"))
    left = db_api.register(_prepare(records, "rec_id"), table_name="records")
    right = db_api.register(_prepare(persons, "person_id"), table_name="persons")
    return [left, right]


def _close(tables: list) -> None:
    tables[0].db_api.duckdb_con.close()


def _linker(records: pa.Table, persons: pa.Table, settings: dict):
    from splink import Linker

    return Linker(_registered(records, persons), settings, log_level=None)


def count_comparisons(records: pa.Table, persons: pa.Table, *, model: dict | None = None) -> dict[str, int]:
    """How many record–person pairs each blocking rule adds (exact counts) and the total that is scored."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    rules = (model or load_model()).get("blocking_rules_to_generate_predictions") or BLOCKING_RULES
    rules = [r["blocking_rule"] if isinstance(r, dict) else r for r in rules]
    tables = _registered(records, persons)
    try:
        counts = count_comparisons_from_blocking_rules(
            tables, blocking_rules=rules, link_type="link_only", record_sample_proportion=1.0
        )
    finally:
        _close(tables)
    out = {rule: int(c["marginal_comparison_count"]) for rule, c in zip(rules, counts, strict=True)}
    out["total"] = int(counts[-1]["cumulative_comparison_count"]) if counts else 0
    return out


def _drop_unobserved_levels(settings: dict) -> dict:
    """Drop a level whose m or u could not be estimated (it never occurred in the training pairs), and round m and u
    to 6 significant digits: DuckDB's parallel sums differ in the last bits from run to run, the file should not."""
    for comparison in settings["comparisons"]:
        kept = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                kept.append(level)
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if isinstance(m, (int, float)) and isinstance(u, (int, float)) and m > 0 and u > 0:
                level["m_probability"], level["u_probability"] = float(f"{m:.6g}"), float(f"{u:.6g}")
                kept.append(level)
            else:
                logger.warning(
                    "dropping level %s/%s: m=%s u=%s", comparison["output_column_name"], level["label_for_charts"], m, u
                )
        comparison["comparison_levels"] = kept
    return settings


def train_model(persons: pa.Table, records: pa.Table) -> dict:
    """u by random sampling (fixed seed), m by EM on blocked pairs; no labels. Returns the settings dict."""
    settings = model_settings()
    settings["probability_two_random_records_match"] = prior_match_probability(len(persons))
    linker = _linker(records, persons, settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e7, seed=TRAIN_SEED % 1000)
    for rule in _EM_BLOCKING_RULES:
        # the share of matches inside a block is far above the population prior: let EM estimate it (not saved)
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    trained = linker.misc.save_model_to_json()
    linker._db_api.duckdb_con.close()
    trained["probability_two_random_records_match"] = float(f"{prior_match_probability(len(persons)):.6g}")
    trained.pop("linker_uid", None)
    return _drop_unobserved_levels(trained)


def save_model(path: Path | str = MODEL_PATH, *, seed: int = TRAIN_SEED) -> dict:
    """Train on generated data and write the model; the shipped file comes from ``save_model()``."""
    persons, records, _ = synth_linkage_truth(TRAIN_PERSONS, TRAIN_RECORDS, seed=seed)
    model = train_model(persons, records)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return model


# ---------------------------------------------------------------------------------------------------------------------
# Linking

_OUTPUT_SCHEMA = pa.schema(
    [
        ("rec_id", pa.int64()),
        ("person_id", pa.int64()),
        ("match_probability", pa.float64()),
        ("match_weight", pa.float64()),
    ]
)


def link_probabilistic(
    records: pa.Table,
    persons: pa.Table,
    *,
    model: dict | None = None,
    share_registered: float = SHARE_REGISTERED,
) -> pa.Table:
    """The best registered person for each record (both rows on a tie), if its probability is >= MIN_PROBABILITY.

    ``match_probability`` is the posterior that this person is the record's, given every candidate the blocking rules
    found and the prior that a record is of a registered person with probability ``share_registered`` (see
    ``prior_match_probability``); two near-identical registered persons share it, so neither links by itself.
    ``match_weight`` is Splink's weight of the pair alone: log2 of (prior odds × Bayes factor)."""
    if len(records) == 0 or len(persons) == 0:
        return _OUTPUT_SCHEMA.empty_table()
    settings = json.loads(json.dumps(model if model is not None else load_model()))  # a deep copy
    settings["probability_two_random_records_match"] = prior_match_probability(len(persons), share_registered)
    if not settings.get("blocking_rules_to_generate_predictions"):
        settings["blocking_rules_to_generate_predictions"] = list(BLOCKING_RULES)
    linker = _linker(records, persons, settings)
    db = linker._db_api.duckdb_con  # the linker's own in-memory DuckDB
    try:
        scored = linker.inference.predict(threshold_match_weight=_PREDICT_MIN_WEIGHT, warning_mode="never")
        out = db.sql(_POSTERIOR_SQL.format(scored=scored.physical_name, floor=MIN_PROBABILITY)).to_arrow_table()
    finally:
        db.close()
    return out.sort_by([("rec_id", "ascending"), ("person_id", "ascending")]).cast(_OUTPUT_SCHEMA)


# posterior of each candidate: 2^w_j / (1 + Σ_k 2^w_k), computed shifted by max(0, max w) so that nothing overflows
_POSTERIOR_SQL = """
    WITH pairs AS (
        SELECT CASE WHEN source_dataset_l = 'records' THEN unique_id_l ELSE unique_id_r END AS rec_id,
               CASE WHEN source_dataset_l = 'records' THEN unique_id_r ELSE unique_id_l END AS person_id,
               match_weight
        FROM {scored}
    ), best AS (
        SELECT *, max(match_weight) OVER (PARTITION BY rec_id) AS top FROM pairs
    ), posterior AS (
        SELECT rec_id, person_id, match_weight, top,
               pow(2, match_weight - greatest(top, 0))
                 / (pow(2, -greatest(top, 0)) + sum(pow(2, match_weight - greatest(top, 0))) OVER (PARTITION BY rec_id))
                 AS match_probability
        FROM best
    )
    SELECT rec_id::BIGINT AS rec_id, person_id::BIGINT AS person_id,
           match_probability::DOUBLE AS match_probability, match_weight::DOUBLE AS match_weight
    FROM posterior
    WHERE match_weight = top AND match_probability >= {floor}
"""


def precision_recall(predicted: pa.Table, truth: pa.Table, threshold: float) -> dict:
    """Links are predicted rows with match_probability >= threshold. Precision over links; recall over the records
    that truly have a person. ``fp_unregistered`` counts links made for records of people not registered."""
    con = duckdb.connect()
    con.register("predicted", predicted)
    con.register("truth", truth)
    row = con.execute(
        """
        WITH links AS (SELECT rec_id, person_id FROM predicted WHERE match_probability >= ?)
        SELECT
          count(*) FILTER (WHERE t.person_id = l.person_id) AS tp,
          count(*) FILTER (WHERE t.person_id IS DISTINCT FROM l.person_id) AS fp,
          count(*) FILTER (WHERE t.person_id IS NULL) AS fp_unregistered,
          count(*) AS links,
          (SELECT count(*) FROM truth WHERE person_id IS NOT NULL) AS true_matches,
          (SELECT count(*) FROM truth) AS records
        FROM links l LEFT JOIN truth t USING (rec_id)
        """,
        [threshold],
    ).fetchall()[0]
    con.close()
    tp, fp, fp_unreg, links, true_matches, records = row
    precision = tp / links if links else 1.0
    recall = tp / true_matches if true_matches else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fp_unregistered": fp_unreg,
        "fn": true_matches - tp,
        "links": links,
        "true_matches": true_matches,
        "records": records,
    }


# ---------------------------------------------------------------------------------------------------------------------
# Generated persons and records with a known truth

# Surnames, with rough shares (per cent) of the population: the 2020 census order, Yunnan's minorities included.
_SURNAMES = (
    "王7.1 李7.2 张6.7 刘5.4 陈4.5 杨3.4 黄2.2 赵2.0 吴2.0 周1.9 徐1.5 孙1.4 马1.3 朱1.3 胡1.2 郭1.1 何1.1 林1.0 高1.0 "
    "罗1.0 郑0.9 梁0.8 谢0.8 宋0.8 唐0.8 许0.7 韩0.7 邓0.7 冯0.7 曹0.6 彭0.6 曾0.6 肖0.6 田0.6 董0.6 潘0.5 袁0.5 "
    "蔡0.5 蒋0.5 余0.5 于0.5 杜0.5 叶0.5 程0.5 魏0.4 苏0.4 吕0.4 丁0.4 任0.4 卢0.4 姚0.4 沈0.4 钟0.4 姜0.4 崔0.3 "
    "谭0.3 陆0.3 范0.3 汪0.3 廖0.3 石0.3 金0.3 韦0.3 贾0.3 夏0.3 付0.3 方0.3 邹0.25 熊0.25 白0.25 孟0.25 秦0.2 "
    "邱0.2 侯0.2 江0.2 尹0.2 薛0.2 段0.2 雷0.2 龙0.2 黎0.2 史0.2 陶0.2 贺0.2 毛0.15 郝0.15 顾0.15 龚0.15 邵0.15 "
    "万0.15 普0.1 武0.1 钱0.1 戴0.1 严0.1 莫0.1 孔0.1 向0.1 常0.1 汤0.1 岩0.1 刀0.05 者0.05 沙0.05 欧阳0.03 "
    "司马0.02 诸葛0.01 上官0.01 皇甫0.01"
)
# Given names by era (born before 1960 / 1960–1989 / from 1990) and sex: single-character names, then first and
# second characters of two-character names, most common first (Zipf weights). A few whole names are common in
# their own right (建国, 秀英, 子涵).
_GIVEN = {
    ("old", "M"): (
        "华 明 林 福 荣 贵 忠 国 德 才 清 海 山 成 发 军 富 祥 昌 勇 全 义 良 顺 文 礼 和 生 茂 元 "
        "仁 寿 有 金 春 喜 宝 根 鸿 泉",
        "建 国 志 德 文 永 玉 学 明 振 树 春 金 家 兴 光 福 绍 正 开 世 庆 宗 继 长 宝 贵 汝 昌 成 "
        "朝 天 万 廷 恩 本 启 友 丕",
        "国 华 明 民 林 生 福 荣 才 成 忠 祥 山 发 平 昌 贵 全 安 军 富 和 章 魁 仁 元 泉 勋 财 禄 "
        "江 海 清 武 修 银 先 高 亮 彬",
    ),
    ("old", "F"): (
        "英 兰 珍 芬 秀 梅 凤 琴 桂 华 芳 云 莲 香 仙 娥 菊 花 翠 玉 荣 珠 娟 霞 琼 群 淑 贞 美 萍 "
        "月 彩 芝 秋 爱 蓉 春 银 金 妹",
        "秀 桂 玉 淑 凤 素 春 美 金 翠 瑞 月 丽 兰 惠 桃 彩 银 冬 菊 琼 丹 爱 巧 德 新 振 竹 雪 慧 "
        "会 粉 腊 双 群 碧 宝 志 海 正",
        "英 兰 珍 芳 华 芬 梅 琴 凤 云 莲 香 荣 仙 娥 花 菊 珠 芝 贞 霞 琼 秀 萍 蓉 清 娣 妹 枝 莉 "
        "群 翠 彩 燕 容 月 美 鲜 英 先",
    ),
    ("mid", "M"): (
        "伟 强 磊 军 勇 杰 涛 明 超 刚 平 斌 波 辉 鹏 峰 华 亮 林 健 龙 飞 东 宁 浩 鑫 斌 宇 锋 俊 "
        "彬 毅 坚 松 雷 凯 晖 敏 进 江",
        "志 建 晓 海 永 国 小 文 红 俊 卫 春 立 德 家 金 云 世 伟 宏 新 学 光 大 振 利 朝 兴 明 华 "
        "向 胜 光 育 正 勇 继 天 成 庆",
        "强 明 华 军 平 峰 伟 刚 勇 林 波 辉 东 斌 涛 杰 龙 鹏 亮 成 荣 飞 宇 彬 锋 宁 超 松 兵 俊 "
        "祥 武 军 生 洪 江 海 坤 雄 鸣",
    ),
    ("mid", "F"): (
        "敏 静 丽 艳 芳 娟 霞 燕 红 萍 玲 琳 莉 梅 颖 洁 婷 雪 琴 英 娜 慧 红 华 玉 蓉 兰 凤 琼 云 "
        "芬 莹 薇 丹 宁 岚 瑜 虹 琦 菲",
        "丽 海 红 晓 春 秀 小 美 雪 玉 建 桂 金 彩 慧 文 艳 秋 爱 冬 永 卫 凤 志 翠 新 云 亚 素 少 "
        "淑 明 育 俊 美 瑞 思 月 静 琼",
        "华 燕 娟 红 梅 霞 英 芳 萍 玲 丽 琴 敏 静 艳 莉 娜 云 兰 凤 琼 莲 平 蓉 珍 菊 清 洁 慧 霞 "
        "颖 妮 丹 宁 芬 荣 虹 君 群 鸿",
    ),
    ("new", "M"): (
        "浩 宇 杰 鑫 磊 博 涛 轩 昊 晨 阳 鹏 俊 帅 凯 航 旭 睿 超 峰 斌 强 亮 龙 飞 翔 宁 毅 琦 恒 "
        "可 彬 健 哲 乐 朗 铭 锐 畅 驰",
        "子 浩 宇 俊 一 天 家 梓 皓 思 嘉 泽 博 明 文 志 雨 晨 奕 睿 宏 锦 明 铭 俊 佳 景 承 靖 彦 "
        "昊 宸 煜 致 逸 建 国 立 云 正",
        "轩 然 宇 杰 豪 涵 博 辰 泽 阳 航 睿 鑫 凯 文 翔 俊 铭 瑞 霖 宸 熙 晨 诚 远 浩 洋 恒 林 伟 "
        "哲 楠 川 帆 源 安 彬 平 舟 珂",
    ),
    ("new", "F"): (
        "婷 静 雪 欣 怡 琪 悦 萱 颖 璐 佳 倩 瑶 晶 丹 妍 蕾 雯 洁 琳 莹 娜 慧 敏 萌 菲 薇 茜 露 月 "
        "蓉 晴 岚 媛 钰 玥 滢 楠 瑾 恬",
        "欣 子 梓 雨 佳 思 诗 晓 可 紫 一 雅 嘉 语 若 心 梦 婉 玉 安 昕 依 静 淑 书 芷 钰 艺 馨 沐 "
        "丽 美 亦 彦 晨 舒 怡 婧 乐 奕",
        "涵 怡 萱 琪 婷 悦 彤 妍 雪 琳 瑶 颖 欣 洁 晴 蕾 然 雯 璐 菲 汐 宁 馨 晗 月 琦 玥 瑜 雅 楠 "
        "茹 娜 文 姝 洋 菡 柔 溪 婕 莹",
    ),
}
_WHOLE_GIVEN = {  # whole given names that were fashions of their time
    ("old", "M"): "建国 建华 国强 建军 志强 国华 德明 振华 文华 玉明 德华 志明",
    ("old", "F"): "秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 玉英 淑珍 桂芳 秀芳",
    ("mid", "M"): "志强 建华 海涛 晓东 志刚 建平 俊杰 红军 卫东 立新 建军 海波",
    ("mid", "F"): "海燕 丽娟 红梅 晓燕 丽华 春燕 秀兰 艳红 小红 晓红 丽萍 雪梅",
    ("new", "M"): "子轩 浩然 宇轩 梓轩 俊杰 子豪 一鸣 浩宇 子涵 皓轩 宇航 博文",
    ("new", "F"): "子涵 梓涵 欣怡 诗涵 雨涵 一诺 紫涵 梦琪 思涵 佳怡 雨欣 可馨",
}
# Transliterated names (Uyghur, Hui, foreign-born) written with a middle dot.
_DOTTED = "买买提·艾力 阿依古丽·买买提 艾尔肯·吐尔逊 古丽娜尔·阿不都 穆罕默德·阿里 玛丽亚·李 约翰·陈"
# Sound-alike characters that a pinyin input method offers side by side (the clerk picks the wrong one).
_HOMOPHONES = (
    "张章 伟维玮卫炜 芳方 明鸣铭 丽莉俐利 静婧 华桦 军君均 杰洁捷 红宏鸿洪 英瑛 燕艳雁 刚钢纲 勇涌 平萍坪 玲琳灵凌 "
    "霞侠 敏民 辉晖徽 峰锋丰风 涛滔韬 斌彬宾 梅玫 兰岚蓝 娟鹃 秀绣 建健剑 志智治 文雯闻 云芸 鹏朋彭 磊蕾雷 "
    "欣新馨心鑫 怡宜仪 婷亭庭 佳家嘉 俊骏峻 浩昊皓 宇雨语羽 子紫梓 涵晗含寒韩 轩萱宣 泽则 晨辰臣陈 桂贵 玉钰 "
    "凤奉 成诚程承 荣蓉融容 王汪 李黎理 刘柳 杨阳扬洋 赵照兆 吴武伍 周舟州 徐许 朱诸祝 胡湖 郭国 何和 林琳霖 "
    "罗骆 郑正政 梁良 宋颂 唐汤堂 邓登 曹草 肖萧晓小 田甜 董东 袁元原源园 潘盘 于余俞鱼 蒋江姜 蔡彩才 杜度 "
    "叶业烨 苏酥 魏卫韦伟 吕侣 丁叮 任仁 沈申深 姚尧瑶 卢鲁陆路 钟中忠 谭谈 范凡 金锦今 石时史施 贾佳 龙隆 "
    "海亥 强蔷 波博 东冬 飞菲 亮靓 超朝 翔祥 琪琦淇祺 雪薛 颖影 晶菁精 倩茜 娜那 琴勤芹 莲连 香湘 珍真贞 "
    "生升声 福富 才财 清青 山珊 德得 学雪 春纯 树书 振震 国果 民敏"
)
# Sound-alikes across a distinction Yunnan speakers often do not make (in/ing, en/eng, n/l, z/zh, s/sh, c/ch).
_DIALECT = "林凌 琳玲 敏明 斌兵 陈程 晨成 珍征 静晋 芬峰 南兰 宁玲 娜拉 兰南 张赞 周邹 志字 曾 春村 顺孙 山三 生森 伟为"
_DISTRICTS = {
    "五华区": "华山 护国 大观 龙翔 丰宁 莲华 红云 黑林铺 普吉 西翥",
    "盘龙区": "拓东 鼓楼 东华 联盟 金辰 青云 龙泉 茨坝 松华 双龙",
    "官渡区": "关上 太和 吴井 金马 小板桥 官渡 矣六 六甲 大板桥 阿拉",
    "西山区": "金碧 永昌 前卫 福海 西苑 马街 金星 碧鸡 海口 团结",
    "呈贡区": "龙城 乌龙 洛羊 斗南 吴家营 雨花 大渔 七甸",
    "晋宁区": "昆阳 宝峰 晋城 上蒜 六街 二街 双河 夕阳",
    "安宁市": "连然 金方 八街 县街 温泉 草铺 太平 青龙 禄脿",
    "宜良县": "匡远 北古城 狗街 汤池 马街 竹山 九乡 耿家营",
    "嵩明县": "嵩阳 杨林 小街 牛栏江 滇源 阿子营",
    "石林彝族自治县": "鹿阜 石林 板桥 西街口 长湖 圭山 大可",
}
_ROAD_WORDS = (
    "人民 北京 青年 环城 东风 金碧 滇池 南屏 正义 书林 白塔 穿金 新闻 教场 学府 龙泉 金星 小康 世博 关兴 春城 "
    "日新 西昌 江东 彩云 昌源 虹桥 民航 兴隆 顺城 同仁 长春 和平 建设 文化 团结 光华 东寺 太和 菊花 双龙 鼓楼 "
    "拓东 华山 翠湖 圆通 盘江 尚义 云瑞 福德 万宏 官南 丹霞 广福 前兴 明通 北辰 新迎 董家湾 石闸 松华"
)
_VILLAGE_CHARS = (
    "大小新老上下东西南北中前后石松柏杨李张王马龙凤花果水田山河坝沟箐塘营哨寨庄铺桥湾坡冲甸海" + "安平和兴福德"
)
_ROAD_SUFFIX = "路 路 路 街 大道 巷 中路 北路 南路 东路 西路"
# 5-year age bands from 0–4 to 95–99, per mille, roughly the shape of China's 2020 census
_AGE_BANDS = (55, 63, 60, 53, 54, 64, 88, 70, 66, 82, 87, 72, 52, 53, 34, 22, 15, 8, 3, 1)  # fmt: skip
_AS_OF = date(2024, 7, 1)


def _zipf(items: list[str], s: float = 0.8) -> tuple[list[str], list[float]]:
    items = list(dict.fromkeys(items))
    return items, [1 / (i + 1) ** s for i in range(len(items))]


class _NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [re.sub(r"[\d.]", "", t) for t in _SURNAMES.split()]
        self.surname_w = [float(re.sub(r"[^\d.]", "", t)) for t in _SURNAMES.split()]
        self.pools = {key: (_zipf(a.split()), _zipf(b.split()), _zipf(c.split())) for key, (a, b, c) in _GIVEN.items()}
        self.whole = {key: _zipf(v.split()) for key, v in _WHOLE_GIVEN.items()}

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_w)[0]

    def given(self, year: int, sex: str) -> str:
        era = "old" if year < 1960 else "mid" if year < 1990 else "new"
        single, first, second = self.pools[(era, sex)]
        single_share = {"old": 0.2, "mid": 0.25, "new": 0.1}[era]
        r = self.rng.random()
        if r < single_share:
            return self.rng.choices(*single)[0]
        if r < single_share + 0.06:
            return self.rng.choices(*self.whole[(era, sex)])[0]
        a = self.rng.choices(*first)[0]
        b = self.rng.choices(*second)[0]
        return a + b if a != b or self.rng.random() < 0.3 else a + self.rng.choices(*second)[0]

    def name(self, surname: str, year: int, sex: str) -> str:
        if self.rng.random() < 0.003:
            return self.rng.choice(_DOTTED.split())
        return surname + self.given(year, sex)


class _AddressMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.streets = [(d, s) for d, streets in _DISTRICTS.items() for s in streets.split()]
        words = _ROAD_WORDS.split()
        suffixes = _ROAD_SUFFIX.split()
        # each street has its own roads; a few road names recur across districts, as in any city
        self.roads = {ds: [rng.choice(words) + rng.choice(suffixes) for _ in range(8)] for ds in self.streets}

    def make(self) -> tuple[str, ...]:
        rng = self.rng
        district, street = rng.choice(self.streets)
        rural = district.endswith("县") and rng.random() < 0.5
        if rural:
            village = rng.choice(_VILLAGE_CHARS) + rng.choice(_VILLAGE_CHARS)
            return (district, street + "镇", village + "村委会", village + "村", f"{rng.randint(1, 180)}号", "", "", "")
        road = rng.choice(self.roads[(district, street)])
        number = f"{rng.randint(1, 400)}号"
        if rng.random() < 0.3:  # a single house
            return (district, street + "街道", "", road, number, "", "", "")
        return (
            district,
            street + "街道",
            "",
            road,
            number,
            f"{rng.randint(1, 24)}栋",
            f"{rng.randint(1, 6)}单元",
            f"{rng.randint(1, 28)}{rng.randint(1, 4):02d}室",
        )


def _canonical_address(parts: tuple[str, ...]) -> str:
    return "云南省昆明市" + "".join(parts)


def _noisy_address(parts: tuple[str, ...], rng: random.Random) -> str:
    """The same address as another department writes it."""
    district, street, committee, road, number, building, unit, room = parts
    prefix = rng.choices(["云南省昆明市", "昆明市", "", "云南昆明"], [0.25, 0.35, 0.35, 0.05])[0]
    if rng.random() < 0.1:
        district = ""
    if rng.random() < 0.4:
        street = ""
    if committee and rng.random() < 0.5:
        committee = ""
    if room and rng.random() < 0.1:
        room = ""
    tail = [number, building, unit, room]
    if rng.random() < 0.2:  # 12-3-2-501
        tail = [re.sub(r"\D", "", t) for t in tail if t]
        text = "-".join(tail)
    else:
        text = "".join(tail)
        if rng.random() < 0.1:
            text = text.replace("室", "")
    if rng.random() < 0.02:  # a wrong digit
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        if digits:
            i = rng.choice(digits)
            text = text[:i] + str((int(text[i]) + rng.randint(1, 9)) % 10) + text[i + 1 :]
    return prefix + district + street + committee + road + text


def _birth_year(rng: random.Random, min_age: int = 0, max_age: int = 99) -> date:
    bands = [(i, w) for i, w in enumerate(_AGE_BANDS) if i * 5 + 4 >= min_age and i * 5 <= max_age]
    band = rng.choices([b for b, _ in bands], [w for _, w in bands])[0]
    age = max(min_age, min(max_age, band * 5 + rng.randint(0, 4)))
    born = _AS_OF - timedelta(days=age * 365 + rng.randint(0, 364))
    return born


def _people(n: int, rng: random.Random, names: _NameMaker, addresses: _AddressMaker) -> list[dict]:
    """Households of 1–5 at one address: a head, perhaps a spouse, children with the head's surname."""
    out: list[dict] = []
    while len(out) < n:
        size = rng.choices([1, 2, 3, 4, 5], [25, 30, 25, 15, 5])[0]
        address = addresses.make()
        head_born = _birth_year(rng, min_age=22 if size > 1 else 18)
        head_sex = rng.choice("MF")
        surname = names.surname()
        members = [(surname, head_born, head_sex)]
        if size >= 2:
            spouse_born = head_born + timedelta(days=rng.randint(-5 * 365, 5 * 365))
            members.append(
                (names.surname(), min(spouse_born, _AS_OF - timedelta(days=18 * 365)), "F" if head_sex == "M" else "M")
            )
        for _ in range(size - len(members)):
            child = head_born + timedelta(days=rng.randint(20 * 365, 40 * 365))
            if child < _AS_OF:
                members.append((surname, child, rng.choice("MF")))
        for surname_i, born, sex in members:
            out.append(
                {"name": names.name(surname_i, born.year, sex), "birth_date": born, "sex": sex, "address": address}
            )
    return out[:n]


def _substitute(name: str, table: dict[str, list[str]], rng: random.Random) -> str | None:
    spots = [i for i, c in enumerate(name) if c in table]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + rng.choice(table[name[i]]) + name[i + 1 :]


def _sound_table(groups: str, *, same_pinyin: bool) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for group in groups.split():
        for c in group:
            alts = [o for o in group if o != c and (_char_pinyin(o) == _char_pinyin(c)) == same_pinyin]
            if alts:
                table.setdefault(c, []).extend(alts)
    return table


def _typo_date(born: date, rng: random.Random) -> date:
    """Day and month swapped when that is a date, else one digit of yyyymmdd changed (a valid date in the past)."""
    if born.day <= 12 and born.day != born.month and rng.random() < 0.5:
        return born.replace(month=born.day, day=born.month)
    text = born.strftime("%Y%m%d")
    for _ in range(50):
        i = rng.choice([2, 3, 3, 4, 5, 6, 7, 7])  # the decade, year, month and day digits
        wrong = text[:i] + str((int(text[i]) + rng.randint(1, 9)) % 10) + text[i + 1 :]
        try:
            candidate = date(int(wrong[:4]), int(wrong[4:6]), int(wrong[6:]))
        except ValueError:
            continue
        if candidate <= _AS_OF:
            return candidate
    return born


# Noise of a record, per record and independently (shares of records). These are assumptions, not rates measured
# on real feeds: most rows clean, typed names going wrong through the input method's homophones, a few per cent of
# dates and sexes missing or mistyped, one address in seven missing or out of date. On top of them every address is
# rewritten as another department would write it (_noisy_address: prefix 云南省昆明市 / 昆明市 / none / 云南昆明; 10 %
# without the district, 40 % without the 街道/镇, 50 % without the 村委会, 20 % as 12-3-2-501, 10 % without the room,
# 2 % with one wrong digit). The registry side is clean: persons have every field, in simplified characters.
NOISE = {
    "traditional_script": 0.08,  # name and address in traditional characters (HK/TW/older systems)
    "name_homophone": 0.04,  # one character replaced by a same-pinyin one (张伟 → 章伟)
    "name_dialect": 0.01,  # one character replaced by a dialect sound-alike (林 → 凌)
    "name_other_typo": 0.003,  # one character replaced by an unrelated one
    "name_space": 0.03,  # a space inside the name (张　伟)
    "birth_missing": 0.04,
    "birth_typo": 0.04,  # day/month swapped or one digit wrong
    "birth_year_only": 0.005,  # only the year known, written as 1 January
    "birth_lunar": 0.03,  # of people born before 1970: the lunar birthday written as if solar (20–50 days earlier)
    "sex_missing": 0.08,
    "sex_wrong": 0.005,
    "address_missing": 0.08,
    "address_moved": 0.07,  # an older or newer address, unrelated to the registered one
}


def synth_linkage_truth(n_persons: int, n_records: int, *, seed: int) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(persons, records, truth): ``n_persons`` registered persons; ``n_records`` records, 90 % of registered persons
    (each at most once) and 10 % of people who are not registered; truth maps rec_id → person_id (NULL when not
    registered). Record noise follows ``NOISE``; the population has real duplicates (common names by era, households
    sharing an address)."""
    rng = random.Random(seed)
    names = _NameMaker(rng)
    addresses = _AddressMaker(rng)
    homophones = _sound_table(_HOMOPHONES, same_pinyin=True)
    dialect = _sound_table(_DIALECT, same_pinyin=False)
    all_chars = sorted({c for group in _GIVEN.values() for pool in group for c in pool if not c.isspace()})
    n_unregistered = round(n_records * 0.1)
    n_registered = min(n_records - n_unregistered, n_persons)
    n_unregistered = n_records - n_registered
    persons = _people(n_persons, rng, names, addresses)
    # the unregistered come from the same city (same names, streets and roads) but from households of their own
    outsiders = _people(n_unregistered, rng, names, addresses) if n_unregistered else []
    chosen = rng.sample(range(n_persons), n_registered)
    sources = [(i + 1, persons[i]) for i in chosen] + [(None, p) for p in outsiders]
    rng.shuffle(sources)
    rec_ids = rng.sample(range(1, 10 * n_records + 1), n_records)

    records = {"rec_id": [], "name": [], "birth_date": [], "sex": [], "address": []}
    truth = {"rec_id": [], "person_id": []}
    for rec_id, (person_id, p) in zip(rec_ids, sources, strict=True):
        name, born, sex = p["name"], p["birth_date"], p["sex"]
        address: str | None = _noisy_address(p["address"], rng)
        r = rng.random()
        if r < NOISE["name_homophone"]:
            name = _substitute(name, homophones, rng) or name
        elif r < NOISE["name_homophone"] + NOISE["name_dialect"]:
            name = _substitute(name, dialect, rng) or name
        elif r < NOISE["name_homophone"] + NOISE["name_dialect"] + NOISE["name_other_typo"] and len(name) >= 2:
            i = rng.randrange(1, len(name))
            name = name[:i] + rng.choice(all_chars) + name[i + 1 :]
        if rng.random() < NOISE["name_space"] and len(name) >= 2 and "·" not in name:
            name = name[0] + rng.choice(["　", " ", "  "]) + name[1:]
        if "·" in name and rng.random() < 0.5:
            name = name.replace("·", rng.choice(["•", ".", "・", ""]))
        r = rng.random()
        if r < NOISE["birth_missing"]:
            born = None
        elif r < NOISE["birth_missing"] + NOISE["birth_typo"]:
            born = _typo_date(born, rng)
        elif r < NOISE["birth_missing"] + NOISE["birth_typo"] + NOISE["birth_year_only"]:
            born = born.replace(month=1, day=1)
        elif born.year < 1970 and rng.random() < NOISE["birth_lunar"]:
            born = born - timedelta(days=rng.randint(20, 50))
        r = rng.random()
        if r < NOISE["sex_missing"]:
            sex = None
        elif r < NOISE["sex_missing"] + NOISE["sex_wrong"]:
            sex = "F" if sex == "M" else "M"
        r = rng.random()
        if r < NOISE["address_missing"]:
            address = None
        elif r < NOISE["address_missing"] + NOISE["address_moved"]:
            address = _noisy_address(addresses.make(), rng)
        if rng.random() < NOISE["traditional_script"]:
            name = _opencc("s2t").convert(name)
            address = _opencc("s2t").convert(address) if address else address
        records["rec_id"].append(rec_id)
        records["name"].append(name)
        records["birth_date"].append(born)
        records["sex"].append(sex)
        records["address"].append(address)
        truth["rec_id"].append(rec_id)
        truth["person_id"].append(person_id)

    person_table = pa.table(
        {
            "person_id": pa.array(range(1, n_persons + 1), pa.int64()),
            "name": pa.array([p["name"] for p in persons], pa.string()),
            "birth_date": pa.array([p["birth_date"] for p in persons], pa.date32()),
            "sex": pa.array([p["sex"] for p in persons], pa.string()),
            "address": pa.array([_canonical_address(p["address"]) for p in persons], pa.string()),
        }
    )
    record_table = pa.table(
        {
            "rec_id": pa.array(records["rec_id"], pa.int64()),
            "name": pa.array(records["name"], pa.string()),
            "birth_date": pa.array(records["birth_date"], pa.date32()),
            "sex": pa.array(records["sex"], pa.string()),
            "address": pa.array(records["address"], pa.string()),
        }
    )
    truth_table = pa.table(
        {"rec_id": pa.array(truth["rec_id"], pa.int64()), "person_id": pa.array(truth["person_id"], pa.int64())}
    )
    return person_table, record_table, truth_table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="store_true", help=f"train on generated data and write {MODEL_PATH.name}")
    parser.add_argument("--out", default=str(MODEL_PATH))
    args = parser.parse_args(argv)
    if args.train:
        model = save_model(args.out)
        print(f"wrote {args.out}")
        for comparison in model["comparisons"]:
            for level in comparison["comparison_levels"]:
                if not level.get("is_null_level"):
                    m, u = level["m_probability"], level["u_probability"]
                    print(
                        f"  {comparison['output_column_name']:<10} {level['label_for_charts']:<32} "
                        f"m={m:.4g} u={u:.4g} weight={math.log2(m / u):+.2f}"
                    )
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
