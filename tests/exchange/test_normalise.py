"""The bulk rules in DuckDB SQL give exactly what the Python reference gives: the same value, the same message.

Every agreement test evaluates a whole list of generated values in one query, as an import does.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.core.id_number import INVISIBLE, check_digit, make_id_number, region_name
from jiuzhu.exchange import normalise
from jiuzhu.exchange.normalise import check_python

AS_OF = date(2026, 1, 1)
EXAMPLES = settings(max_examples=8, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
MACROS = {
    "id": "jz_id(s, DATE '{as_of}')",
    "date": "jz_date(s)",
    "month": "jz_month(s)",
    "amount": "jz_amount(s, {multiplier}, {allow_negative})",
    "int": "jz_int(s)",
    "phone": "jz_phone(s)",
    "sex": "jz_sex(s)",
    "text": "struct_pack(value := jz_text_value(s), error := NULL)",
    "name": "struct_pack(value := jz_name_value(s), error := NULL)",
}


@pytest.fixture(scope="module")
def con():
    # no extension may be fetched or loaded while importing: everything here is DuckDB's core
    connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    normalise.install(connection)
    normalise.install(connection)  # idempotent
    yield connection
    connection.close()


def _opts(kind: str, opts: dict) -> dict:
    if kind == "id":
        return {"as_of": opts.get("as_of", AS_OF)}
    if kind == "amount":
        return {"unit": opts.get("unit", "元"), "allow_negative": opts.get("allow_negative", False)}
    return {}


def in_sql(con, kind: str, values: list[str | None], **opts) -> list[tuple]:
    """(value, error) of every value, from one query over the whole list."""
    o = _opts(kind, opts)
    macro = MACROS[kind].format(
        as_of=o.get("as_of", AS_OF).isoformat(),
        multiplier=10000 if o.get("unit") == "万元" else 1,
        allow_negative=str(o.get("allow_negative", False)).lower(),
    )
    rows = con.execute(
        f"""SELECT i, r.value, r.error FROM (
                SELECT i, {macro} AS r FROM (
                    SELECT unnest(range(len(l))) AS i, unnest(l) AS s FROM (SELECT ?::VARCHAR[] AS l)))
            ORDER BY i""",
        [values],
    ).fetchall()
    return [(value, error) for _i, value, error in rows]


def in_python(kind: str, values: list[str | None], **opts) -> list[tuple]:
    return [check_python(kind, v, **_opts(kind, opts)) for v in values]


def assert_agree(con, kind: str, values: list[str | None], **opts) -> None:
    got, expected = in_sql(con, kind, values, **opts), in_python(kind, values, **opts)
    differ = [(v, e, g) for v, e, g in zip(values, expected, got, strict=True) if e != g]
    assert not differ, "\n".join(f"{v!r}: python {e!r}, sql {g!r}" for v, e, g in differ[:10])


def one(con, kind: str, value: str | None, **opts) -> tuple:
    [result] = in_sql(con, kind, [value], **opts)
    assert result == check_python(kind, value, **_opts(kind, opts))
    return result


# --- generated inputs ------------------------------------------------------------------------------------------

REGIONS = ["110105", "110103", "440524", "530103", "530000", "650102", "990101", "000000", "110199"]
FULL = {c: chr(ord(c) + 0xFEE0) for c in "0123456789Xx-./,+"}
SPACES = ["", "", "", " ", "\u3000", "\t", "\u00a0", "\u200b", "\ufeff", "\n", "\u2003"]
ODD = ["①", "²", "٣", "〇", "一", "Ⅲ", "ｘ", "x", "'", "-", ".", "E", "e", "+", "\x00", "🙂", "é"]
ALL_UNICODE = st.text(st.characters(exclude_categories=["Cs"]), max_size=25)


def _sprinkle(text: str, r: random.Random, rate: float = 0.3) -> str:
    """Typing variants: full-width characters and stray spaces."""
    out = []
    for c in text:
        if c in FULL and r.random() < rate:
            c = FULL[c]
        out.append(c + (r.choice(SPACES) if r.random() < rate / 2 else ""))
    return "".join(out)


@st.composite
def id_numbers(draw) -> str:
    edges = [AS_OF, AS_OF + timedelta(days=1), date(1800, 1, 1), date(1799, 12, 31), date(2000, 2, 29)]
    born = draw(st.one_of(st.sampled_from(edges), st.dates(min_value=date(1790, 1, 1), max_value=date(2030, 12, 31))))
    number = make_id_number(draw(st.sampled_from(REGIONS)), born, draw(st.integers(0, 999)))
    r = random.Random(draw(st.integers()))
    how = draw(st.integers(0, 15))
    if how == 1:
        number = number.lower()
    elif how == 2:
        number = _sprinkle(number, r)
    elif how == 3 and 1900 <= born.year < 2000:
        number = number[:6] + number[8:17]
    elif how == 4:
        number = number[:17] + r.choice("0123456789X")
    elif how == 5:
        i = r.randrange(17)
        number = number[:i] + str((int(number[i]) + r.randrange(1, 10)) % 10) + number[i + 1 :]
    elif how == 6:  # Excel's renderings of a number cell
        n = int(number[:17])
        number = r.choice([f"{n * 10:.14E}", f"{n * 10:.5E}", f"{n}.0", number[:15] + "000", f"{n * 10:.14e}"])
    elif how == 7:
        number = "'" + number
    elif how == 8:
        i = r.randrange(len(number) + 1)
        number = number[:i] + r.choice(ODD) + number[i:]
    elif how == 9:
        number = number[: r.randrange(len(number))] + number[r.randrange(len(number)) :]
    elif how == 10:
        number = "-".join([number[:6], number[6:14], number[14:]])
    elif how == 11:
        number = number[:17] + "x"
    elif how == 12:
        number = draw(ALL_UNICODE)
    elif how == 13:
        number = draw(st.text("0123456789Xx -.E+'", max_size=20))
    elif how == 14:  # one character replaced, the length kept (X inside, a stray letter, a full-width digit)
        i = r.randrange(len(number))
        number = number[:i] + r.choice(["X", "x", "A", "①", "Ｘ", "０", " ", "-", "."]) + number[i + 1 :]
    return number


@st.composite
def dates_as_typed(draw) -> str:
    if draw(st.booleans()):
        d = draw(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
        y, m, day = d.year, d.month, d.day
    else:  # maybe no such day: 2023-02-29, 2024-13-01, 0000-01-01
        years = st.one_of(st.sampled_from([0, 1, 999, 1800, 1900, 2000, 2023, 2024, 2100, 9999]), st.integers(0, 9999))
        y, m, day = draw(years), draw(st.integers(0, 14)), draw(st.one_of(st.integers(27, 32), st.integers(0, 33)))
    pad = draw(st.booleans())
    mm, dd = (f"{m:02d}", f"{day:02d}") if pad else (str(m), str(day))
    forms = [
        f"{y:04d}-{mm}-{dd}",
        f"{y:04d}/{mm}/{dd}",
        f"{y:04d}.{mm}.{dd}",
        f"{y:04d}年{mm}月{dd}日",
        f"{y:04d}{m:02d}{day:02d}",
        f"{y:04d}-{mm}/{dd}",
        f"{y:04d}-{mm}",
        f"{y:04d}年{mm}月",
        f"{y:04d}{m:02d}",
        f"{y:04d}/{mm}",
        f"{y:04d}.{mm}",
        f"{mm}/{dd}/{y:04d}",
        f"{y}-{mm}-{dd}",
        f"{y:04d}-{mm}-{dd} 00:00:00",
    ]
    text = draw(st.sampled_from(forms))
    r = random.Random(draw(st.integers()))
    how = draw(st.integers(0, 6))
    if how == 1:
        text = _sprinkle(text, r)
    elif how == 2:
        text = r.choice(SPACES) + text + r.choice(SPACES)
    elif how == 3:
        i = r.randrange(len(text) + 1)
        text = text[:i] + r.choice(ODD) + text[i:]
    elif how == 4:
        text = draw(ALL_UNICODE)
    return text


@st.composite
def amounts_as_typed(draw) -> str:
    whole = draw(
        st.sampled_from(["0", "1", "12", "1200", "007", "1234567", "9" * 12, "9" * 16, "1" + "0" * 16, "9" * 30])
    )
    text = whole
    if draw(st.booleans()):
        text += "." + draw(st.text("0123456789", min_size=1, max_size=8))
    if draw(st.integers(0, 4)) == 0 and len(whole) > 3:  # thousands separators, sometimes wrong
        digits = text.split(".")[0]
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        text = ",".join(groups) + text[len(whole) :]
        if draw(st.booleans()):
            text = text.replace(",", "", 1)[:2] + "," + text[2:]
    text = (
        draw(st.sampled_from(["", "", "", "-", "+"]))
        + text
        + draw(st.sampled_from(["", "", "元", "万", "万元", "美元"]))
    )
    r = random.Random(draw(st.integers()))
    how = draw(st.integers(0, 8))
    if how == 1:
        text = _sprinkle(text, r)
    elif how == 2:
        text = r.choice(SPACES) + text + r.choice(SPACES)
    elif how == 3:
        i = r.randrange(len(text) + 1)
        text = text[:i] + r.choice([*ODD, "，", ",", "万"]) + text[i:]
    elif how == 4:
        text = draw(ALL_UNICODE)
    elif how == 5:
        text = draw(
            st.sampled_from(
                [
                    "1.2万元",
                    "1,200",
                    "12,00",
                    "1.234",
                    "-5",
                    "１２００元",
                    "1.2.3",
                    "万元",
                    "-0",
                    ".5",
                    "9999999999999999元",
                    "9999999999999999.99",
                    "999999999999.9999万",
                    "1000000000000万元",
                    "0.000001万",
                    "0.0000001万",
                    "-0.001",
                    "1.2300元",
                ]
            )
        )
    return text


@st.composite
def integers_as_typed(draw) -> str:
    n = draw(st.integers(-(10**20), 10**20))
    text = draw(st.sampled_from([str(n), f"{n:,}", f"{n}.0", f"{n}.5", f"+{n}", f"00{n}", f"{n}.00"]))
    r = random.Random(draw(st.integers()))
    how = draw(st.integers(0, 5))
    if how == 1:
        text = _sprinkle(text, r)
    elif how == 2:
        text = draw(ALL_UNICODE)
    elif how == 3:
        i = r.randrange(len(text) + 1)
        text = text[:i] + r.choice([*ODD, ","]) + text[i:]
    return text


@st.composite
def phones_as_typed(draw) -> str:
    mobile = draw(st.sampled_from(["1", "12", "13", "19"])) + draw(st.text("0123456789", min_size=7, max_size=11))
    landline = draw(st.sampled_from(["010", "021", "0871", "0311", "011", "0", "871"])) + draw(
        st.text("0123456789", min_size=6, max_size=9)
    )
    text = draw(
        st.sampled_from(
            [
                mobile,
                landline,
                f"+86{mobile}",
                f"0086 {mobile}",
                f"+86-{landline}",
                f"{landline[:4]}-{landline[4:]}",
                f"({landline[:4]}){landline[4:]}",
                f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
                f"{landline}-801",
                f"+1{mobile}",
            ]
        )
    )
    r = random.Random(draw(st.integers()))
    how = draw(st.integers(0, 4))
    if how == 1:
        text = _sprinkle(text, r)
    elif how == 2:
        text = draw(ALL_UNICODE)
    return text


TEXTS = st.text(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(list(" \t\n\u3000\u00a0\u200b\ufeff·•．.・ＡＢ１")),
    ),
    max_size=20,
)


# --- agreement: SQL = Python on generated inputs -----------------------------------------------------------------


@EXAMPLES
@given(st.lists(id_numbers(), min_size=60, max_size=250))
def test_id_numbers_agree(con, values):
    assert_agree(con, "id", values)


@EXAMPLES
@given(st.lists(dates_as_typed(), min_size=60, max_size=250))
def test_dates_agree(con, values):
    assert_agree(con, "date", values)


@EXAMPLES
@given(st.lists(dates_as_typed(), min_size=60, max_size=250))
def test_months_agree(con, values):
    assert_agree(con, "month", values)


@EXAMPLES
@given(st.lists(amounts_as_typed(), min_size=60, max_size=250), st.sampled_from(["元", "万元"]), st.booleans())
def test_amounts_agree(con, values, unit, allow_negative):
    assert_agree(con, "amount", values, unit=unit, allow_negative=allow_negative)


@EXAMPLES
@given(st.lists(integers_as_typed(), min_size=60, max_size=250))
def test_integers_agree(con, values):
    assert_agree(con, "int", values)


@EXAMPLES
@given(st.lists(phones_as_typed(), min_size=60, max_size=250))
def test_phones_agree(con, values):
    assert_agree(con, "phone", values)


@EXAMPLES
@given(
    st.lists(
        st.one_of(st.sampled_from(["男", "女", "M", "f", "1", "2", "男性", "女性", "Ｍ", " 男 ", "0"]), TEXTS),
        max_size=300,
    )
)
def test_sexes_agree(con, values):
    assert_agree(con, "sex", values)


@EXAMPLES
@given(st.lists(TEXTS, max_size=300))
def test_texts_and_names_agree(con, values):
    assert_agree(con, "text", values)
    assert_agree(con, "name", values)


@EXAMPLES
@given(
    st.lists(
        st.one_of(id_numbers(), dates_as_typed(), amounts_as_typed(), integers_as_typed(), phones_as_typed(), TEXTS),
        max_size=200,
    )
)
def test_every_kind_on_every_kind_of_input(con, values):
    # no kind may trip over another kind's input
    values = [*values, None, "", " ", "\u3000", "\x00"]
    for kind in MACROS:
        assert_agree(con, kind, values)
    assert_agree(con, "amount", values, unit="万元", allow_negative=True)


# --- named examples: every documented form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        (" 110105 19491231 002X\t", "11010519491231002X"),
        ("\u3000110105-19491231-002X\u00a0", "11010519491231002X"),
        ("\ufeff11010519491231002X\u200b", "11010519491231002X"),
        ("'11010519491231002X", "11010519491231002X"),
        ("110105491231002", "11010519491231002X"),
        ("440524188001010014", "440524188001010014"),
    ],
)
def test_id_number_forms(con, raw, value):
    assert one(con, "id", raw) == (value, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "1.10105194912310E+17",
            "身份证号疑似被 Excel 转换为数字（如 1.10105E+17 或末尾变成000），请将该列设为文本后重新导出",
        ),
        (
            "110105194912310000",
            "身份证号疑似被 Excel 转换为数字（如 1.10105E+17 或末尾变成000），请将该列设为文本后重新导出",
        ),
        (
            "11010519491231002.0",
            "身份证号疑似被 Excel 转换为数字（如 1.10105E+17 或末尾变成000），请将该列设为文本后重新导出",
        ),
        ("110105194912310021", "身份证号校验位错误：应为X，实际为1，请核对号码是否抄错"),
        ("①1010519491231002X", "身份证号含有非法字符：①（只允许数字，末位可为X）"),
        ("1101051949123100ab", "身份证号含有非法字符：ab（只允许数字，末位可为X）"),
        ("11010519491231002", "身份证号应为18位（或旧版15位），实际为17位"),
        ("", "身份证号为空"),
        (" \u3000", "身份证号为空"),
        ("-", "身份证号为空"),
        ("11010549123100X", "身份证号含有非法字符：X（只允许数字，末位可为X）"),
        ("11010519990230002" + check_digit("11010519990230002"), "身份证号中的出生日期不存在：1999-02-30"),
        (make_id_number("110105", date(2026, 1, 2), 2), "身份证号中的出生日期2026-01-02晚于当前日期2026-01-01"),
        (make_id_number("110105", date(1799, 12, 31), 2), "身份证号中的出生日期1799-12-31早于1800-01-01，不可能"),
        (make_id_number("990101", date(1980, 5, 6), 123), "身份证号前6位地址码990101不是有效的行政区划代码"),
    ],
)
def test_id_number_refusals(con, raw, message):
    assert one(con, "id", raw) == (None, message)


def test_an_id_number_born_on_the_as_of_day_is_accepted(con):
    number = make_id_number("110105", date(2026, 1, 1), 2)
    assert one(con, "id", number, as_of=date(2026, 1, 1)) == (number, None)
    assert one(con, "id", number, as_of=date(2025, 12, 31))[0] is None


@pytest.mark.parametrize(
    "raw", ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "２０２４年３月５日", " 2024-3-5 "]
)
def test_date_forms(con, raw):
    assert one(con, "date", raw) == (date(2024, 3, 5), None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2023年2月29日", "日期“2023年2月29日”不存在"),
        ("2024-02-30", "日期“2024-02-30”不存在"),
        ("0000-01-01", "日期“0000-01-01”不存在"),
        ("2024-03", "无法识别的日期“2024-03”，应写成 2024-03-05 或 2024年3月5日"),
        ("2024-03/05", "无法识别的日期“2024-03/05”，应写成 2024-03-05 或 2024年3月5日"),
        ("2024-03-①", "无法识别的日期“2024-03-①”，应写成 2024-03-05 或 2024年3月5日"),
        ("", "无法识别的日期“”，应写成 2024-03-05 或 2024年3月5日"),
    ],
)
def test_date_refusals(con, raw, message):
    assert one(con, "date", raw) == (None, message)


@pytest.mark.parametrize(
    "raw", ["2024-03", "2024-3", "2024/03", "2024.3", "2024年3月", "202403", "2024-03-01", "2024年3月1日", "20240301"]
)
def test_month_forms(con, raw):
    assert one(con, "month", raw) == (date(2024, 3, 1), None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-03-15", "月份“2024-03-15”写了具体日期，应只写年月，如 2024-03（写成该月1日也可以）"),
        ("2024-13", "月份“2024-13”不存在"),
        ("2023年2月29日", "日期“2023年2月29日”不存在"),
        ("三月", "无法识别的月份“三月”，应写成 2024-03 或 2024年3月"),
    ],
)
def test_month_refusals(con, raw, message):
    assert one(con, "month", raw) == (None, message)


@pytest.mark.parametrize(
    ("raw", "unit", "amount"),
    [
        ("1200", "元", "1200"),
        ("1200.5", "元", "1200.50"),
        ("1,200", "元", "1200"),
        ("1,234,567.89元", "元", "1234567.89"),
        ("１２００元", "元", "1200"),
        ("1.2万元", "元", "12000"),
        ("1.2万", "元", "12000"),
        ("1.2", "万元", "12000"),
        ("800元", "万元", "800"),
        ("1.234567万", "元", "12345.67"),
        ("1.230", "元", "1.23"),
        ("9999999999999999.99", "元", "9999999999999999.99"),
    ],
)
def test_amount_forms(con, raw, unit, amount):
    assert one(con, "amount", raw, unit=unit) == (Decimal(amount), None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12,00", "无法识别的金额“12,00”：逗号只能用作千位分隔，如 12,000"),
        ("1.234", "金额“1.234”精确到分以下，无法确认"),
        ("-5", "金额不能为负数：-5"),
        ("1200美元", "无法识别的金额“1200美元”，应写成 1200、1200元 或 1.2万元"),
        ("①200", "无法识别的金额“①200”，应写成 1200、1200元 或 1.2万元"),
        ("10000000000000000", "金额“10000000000000000”过大，超出可记录的范围"),
    ],
)
def test_amount_refusals(con, raw, message):
    assert one(con, "amount", raw) == (None, message)


def test_negative_amounts_when_the_column_allows_them(con):
    assert one(con, "amount", "-5", allow_negative=True) == (Decimal("-5"), None)
    assert one(con, "amount", "-0") == (Decimal("0"), None)  # not negative


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0871-65123456", "0871-65123456"),
        ("087165123456", "0871-65123456"),
        ("(0871)6512-3456", "0871-65123456"),
        ("010-6512345", "010-6512345"),
    ],
)
def test_phone_forms(con, raw, value):
    assert one(con, "phone", raw) == (value, None)


@pytest.mark.parametrize("raw", ["65123456", "87165123456", "0871-65123456-801", "+1 2025550123", "12812345678"])
def test_phone_refusals(con, raw):
    value, error = one(con, "phone", raw)
    assert value is None and error.startswith("无法识别的电话号码")


def test_a_mobile_of_the_wrong_length(con):
    assert one(con, "phone", "1381234567") == (None, "手机号“1381234567”应为11位，实际为10位")


@pytest.mark.parametrize(
    ("raw", "sex"),
    [("男", "M"), ("男性", "M"), ("M", "M"), ("m", "M"), ("1", "M"), ("女", "F"), ("女性", "F"), ("Ｆ", "F")],
)
def test_sex_forms(con, raw, sex):
    assert one(con, "sex", raw) == (sex, None)


@pytest.mark.parametrize("raw", ["0", "9", "男士", "male", ""])
def test_sex_refusals(con, raw):
    assert one(con, "sex", raw) == (None, f"无法识别的性别“{raw}”，应填 男 或 女（也可填 M/F、1/2）")


@pytest.mark.parametrize(
    ("raw", "value"), [("12", 12), ("+12", 12), ("-3", -3), ("1,200", 1200), ("12.0", 12), ("007", 7), ("１２", 12)]
)
def test_integer_forms(con, raw, value):
    assert one(con, "int", raw) == (value, None)


def test_integer_refusals(con):
    assert one(con, "int", "2.5") == (None, "“2.5”不是整数")
    assert one(con, "int", "12,00") == (None, "无法识别的整数“12,00”：逗号只能用作千位分隔，如 12,000")
    assert one(con, "int", "1" * 19) == (None, f"整数“{'1' * 19}”过大")
    assert one(con, "int", "①") == (None, "无法识别的整数“①”")


def test_text_and_name(con):
    assert one(con, "text", "  云南省\u3000昆明市 \t 盘龙区  ") == ("云南省 昆明市 盘龙区", None)
    assert one(con, "text", "ＡＢＣ１２３") == ("ABC123", None)
    assert one(con, "text", " \u3000 ") == (None, None)
    assert one(con, "name", "王 小\u3000明") == ("王小明", None)
    for typed in ["买买提·艾力", "买买提•艾力", "买买提．艾力", "买买提.艾力", "买买提 · 艾力", "买买提・艾力"]:
        assert one(con, "name", typed) == ("买买提·艾力", None)


def test_null_is_not_given_for_every_kind(con):
    for kind in MACROS:
        assert one(con, kind, None) == (None, None)


# --- the machinery -----------------------------------------------------------------------------------------------


def test_whitespace_is_what_python_calls_whitespace():
    assert set(normalise.WHITESPACE) == {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert not any(c.isspace() for c in INVISIBLE)


def test_the_fold_is_narrow(con):
    folded = con.execute("SELECT jz_fold(?)", ["\u3000１２３ＡＢｘ，①²㎡\u3000 "]).fetchone()[0]
    assert folded == "123ABx,①²㎡"
    assert unicodedata.normalize("NFKC", "①²㎡") != "①²㎡"  # what NFKC would have guessed


def test_region_table_and_lookup_hold_every_code_region_name_knows(con):
    codes = normalise.region_codes()
    assert len(codes) > 6000
    stored = {c for (c,) in con.execute("SELECT code FROM jz_region_code").fetchall()}
    assert stored == set(codes)
    r = random.Random(3)
    others = [f"{r.randrange(1_000_000):06d}" for _ in range(3000)]
    sample = [*codes, *others]
    got = con.execute("SELECT list_transform(?::INTEGER[], lambda c: jz__region_known(c))", [list(map(int, sample))])
    known = got.fetchone()[0]
    assert known == [region_name(c) is not None for c in sample]


def test_a_literal_is_judged_like_a_column(con):
    # DuckDB computes a macro applied to constants while planning: no part of a macro may fail on any text
    cases = [
        ("id", "jz_id({}, DATE '2026-01-01')", "1.10105194912310E+17"),
        ("id", "jz_id({}, DATE '2026-01-01')", "x"),
        ("id", "jz_id({}, DATE '2026-01-01')", "110105491231002"),
        ("date", "jz_date({})", "2023-02-29"),
        ("month", "jz_month({})", "0000-13"),
        ("amount", "jz_amount({}, 1, false)", "9" * 40),
        ("amount", "jz_amount({}, 1, false)", "1.5"),
        ("int", "jz_int({})", "9" * 30),
        ("phone", "jz_phone({})", "+86"),
    ]
    for kind, macro, value in cases:
        result = con.execute(f"SELECT {macro.format(normalise._q(value))}").fetchone()[0]
        assert (result["value"], result["error"]) == check_python(kind, value, **_opts(kind, {}))


def test_a_wrong_unit_multiplier_is_a_programming_error(con):
    with pytest.raises(duckdb.Error, match="unit_multiplier"):
        con.execute("SELECT jz_amount('1', 100, false)").fetchall()


def test_value_and_error_macros_are_the_struct(con):
    row = con.execute(
        "SELECT jz_id_value(s, DATE '2026-01-01'), jz_id_error(s, DATE '2026-01-01'), jz_date_value(s),"
        " jz_amount_value(s, 10000, false), jz_month_error(s), jz_int_value(s), jz_phone_error(s), jz_sex_value(s)"
        " FROM (SELECT '1' AS s)"
    ).fetchone()
    assert row == (
        None,
        "身份证号应为18位（或旧版15位），实际为1位",
        None,
        Decimal("10000"),
        "无法识别的月份“1”，应写成 2024-03 或 2024年3月",
        1,
        "手机号“1”应为11位，实际为1位",
        "M",
    )


def test_install_is_idempotent_and_per_connection():
    c = duckdb.connect()
    normalise.install(c)
    n = c.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE 'jz%'").fetchone()[0]
    normalise.install(c)
    assert c.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE 'jz%'").fetchone()[0] == n
    with pytest.raises(duckdb.CatalogException):
        c.cursor().execute("SELECT jz_date('2024-03-05')")  # a cursor is a new connection: install again


def test_bulk_and_one_at_a_time_agree_on_a_realistic_file(con):
    # a file of a thousand people, most of it clean: the fast path and the rules side by side
    r = random.Random(11)
    ids = []
    for _ in range(1000):
        born = date(1930, 1, 1) + timedelta(days=r.randrange(30000))
        n = make_id_number(r.choice(["110105", "530103", "440524"]), born, r.randrange(1000))
        ids.append(n if r.random() < 0.9 else r.choice([n.lower(), n[:17] + "0", n[:6] + n[8:17], " " + n]))
    assert_agree(con, "id", ids)


def test_as_of_may_be_a_column_but_not_null(con):
    born = make_id_number("110105", date(2026, 1, 2), 2)
    rows = con.execute(
        "SELECT jz_id_value(s, d), jz_id_error(s, d)"
        " FROM (VALUES (?, DATE '2026-01-01'), (?, DATE '2026-01-02')) t(s, d)",
        [born, born],
    ).fetchall()
    assert rows == [(None, "身份证号中的出生日期2026-01-02晚于当前日期2026-01-01"), (born, None)]
    with pytest.raises(duckdb.Error, match="as_of"):
        con.execute("SELECT jz_id_value(s, NULL) FROM (SELECT '11010519491231002X' AS s)").fetchall()
