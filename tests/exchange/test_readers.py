"""Reading department exports: the files are made here, as departments' tools make them (no binary fixtures)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import xlwt

from jiuzhu.exchange import readers
from jiuzhu.exchange.errors import ExchangeErrorCode, ReaderError
from jiuzhu.exchange.readers import clean_header, read_table

KNOWN = {"身份证号", "姓名", "工资性收入", "经营性收入", "发放日期", "发放金额", "户号", "备注"}


def known(header: str) -> bool:
    return header in KNOWN


def rows(raw) -> list[dict]:
    return raw.table.to_pylist()


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


# --- header texts ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("＊身份证号", "身份证号"),
        ("* 姓 名 *", "姓名"),
        ("姓\u3000名", "姓名"),
        ("发放金额\n（元）", "发放金额(元)"),
        ("  工资性收入\r\n", "工资性收入"),
        ("ＩＤ", "ID"),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_clean_header_folds_what_clerks_type(text, expected):
    assert clean_header(text) == expected


# --- Excel ---


def roster_xlsx(path):
    """A roster as a civil-affairs office keeps it: a merged title, a blank row, a two-level header, typed cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws["A1"] = "2024年3月城镇职工养老金发放名册"
    ws.merge_cells("A1:F1")
    # row 2 blank; header in rows 3-4
    for col, text in (("A", "姓 名"), ("B", "＊身份证号"), ("E", "发放日期"), ("F", "备注")):
        ws[f"{col}3"] = text
        ws.merge_cells(f"{col}3:{col}4")
    ws["C3"] = "收入情况"
    ws.merge_cells("C3:D3")
    ws["C4"] = "工资性\n收入"
    ws["D4"] = "经营性收入"
    ws.append(["张三", 110105194912310000, 1200, 1200.5, dt.date(2024, 3, 5), True])  # row 5: ID mangled by Excel
    ws.append(["李四", "11010519491231002X", 0.1, -3, dt.datetime(2024, 3, 5, 8, 30), "  "])  # row 6
    ws.append([])  # row 7: blank
    ws.append(["王五", "110105194912310027", None, 1e14, dt.datetime(2024, 3, 6), False])  # row 8
    wb.save(path)
    return path


def test_xlsx_roster_reads_as_the_clerk_sees_it(tmp_path):
    raw = read_table(roster_xlsx(tmp_path / "名册.xlsx"), is_known=known)

    assert raw.headers == ["姓名", "身份证号", "工资性收入", "经营性收入", "发放日期", "备注"]
    assert (raw.sheet, raw.header_row, raw.encoding, raw.blank_rows) == ("名册", 4, None, 1)
    assert raw.problems.num_rows == 0
    assert rows(raw) == [
        {"c0": "张三", "c1": "1.10105194912310E+17", "c2": "1200", "c3": "1200.5", "c4": "2024-03-05", "c5": "是"}
        | {"_row": 5},
        {"c0": "李四", "c1": "11010519491231002X", "c2": "0.1", "c3": "-3", "c4": "2024-03-05 08:30:00", "c5": None}
        | {"_row": 6},
        {"c0": "王五", "c1": "110105194912310027", "c2": None, "c3": "100000000000000", "c4": "2024-03-06", "c5": "否"}
        | {"_row": 8},
    ]


def test_a_mangled_id_number_is_never_turned_back_into_18_digits(tmp_path):
    raw = read_table(roster_xlsx(tmp_path / "名册.xlsx"), is_known=known)

    mangled = raw.table.column("c1")[0].as_py()
    assert mangled == "1.10105194912310E+17"
    assert not mangled.isdigit()


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1200, "1200"),
        (1200.5, "1200.5"),
        (0.1, "0.1"),
        (-3, "-3"),
        (1e14, "100000000000000"),
        (20500149493.05946, "20500149493.05946"),
        (0.00001, "1e-05"),
        (1e15, "1.00000000000000E+15"),
        (110105194912310027, "1.10105194912310E+17"),
    ],
)
def test_numbers_become_the_text_a_clerk_would_type(tmp_path, number, text):
    wb = openpyxl.Workbook()
    wb.active.append(["身份证号", "发放金额"])
    wb.active.append(["110105194912310027", number])
    wb.active.append(["11010519491231002X", None])  # a blank cell: the column mixes numbers and blanks
    wb.save(tmp_path / "金额.xlsx")

    raw = read_table(tmp_path / "金额.xlsx", is_known=known)

    assert raw.table.column("c1").to_pylist() == [text, None]


def test_parent_and_child_header_combine_when_only_the_combination_is_known(tmp_path):
    raw = read_table(roster_xlsx(tmp_path / "名册.xlsx"), is_known=lambda h: h in {"身份证号", "收入情况工资性收入"})

    assert raw.headers[:4] == ["姓名", "身份证号", "收入情况工资性收入", "经营性收入"]
    assert raw.header_row == 4


def test_merged_header_cells_keep_unknown_sub_headers_out_of_the_data(tmp_path):
    raw = read_table(roster_xlsx(tmp_path / "名册.xlsx"), is_known=lambda h: h in {"身份证号", "姓名"})

    assert raw.header_row == 4
    assert raw.table.column("_row").to_pylist() == [5, 6, 8]


def test_a_value_merged_down_over_data_rows_is_repeated_on_each(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户号", "姓名", "身份证号"])
    ws.append(["H001", "张三", "110105194912310027"])
    ws.append([None, "张小三", "110105201001010012"])
    ws.append(["H002", "李四", "11010519491231002X"])
    ws.merge_cells("A2:A3")
    wb.save(tmp_path / "户.xlsx")

    raw = read_table(tmp_path / "户.xlsx", is_known=known)

    assert raw.table.column("c0").to_pylist() == ["H001", "H001", "H002"]


def test_the_sheet_with_the_header_is_chosen_and_a_named_sheet_must_exist(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["本表由各街道于每月5日前报送"])
    data = wb.create_sheet("3月")
    data.append(["身份证号", "姓名"])
    data.append(["110105194912310027", "张三"])
    wb.save(tmp_path / "报送.xlsx")

    raw = read_table(tmp_path / "报送.xlsx", is_known=known)
    assert (raw.sheet, rows(raw)) == ("3月", [{"c0": "110105194912310027", "c1": "张三", "_row": 2}])

    with pytest.raises(ReaderError) as missing:
        read_table(tmp_path / "报送.xlsx", is_known=known, sheet="4月")
    assert missing.value.code == ExchangeErrorCode.SHEET_NOT_FOUND
    assert "4月" in missing.value.message and "填表说明、3月" in missing.value.message

    with pytest.raises(ReaderError) as no_header:
        read_table(tmp_path / "报送.xlsx", is_known=known, sheet="填表说明")
    assert no_header.value.code == ExchangeErrorCode.HEADER_NOT_FOUND


def test_hidden_sheets_are_read_only_when_no_visible_sheet_has_a_header(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "名册"
    wb.active.append(["身份证号", "姓名"])
    wb.active.append(["110105194912310027", "张三"])
    codes = wb.create_sheet("代码表")
    codes.append(["身份证号", "姓名", "备注"])  # recognises more, but hidden
    codes.sheet_state = "hidden"
    wb.save(tmp_path / "名册.xlsx")

    assert read_table(tmp_path / "名册.xlsx", is_known=known).sheet == "名册"


def test_legacy_xls(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("低保")
    sheet.write_merge(0, 0, 0, 3, "2024年3月低保金发放表")
    for col, text in enumerate(["姓名", "身份证号", "发放金额", "发放日期"]):
        sheet.write(1, col, text)
    sheet.write(2, 0, "张三")
    sheet.write(2, 1, 110105194912310000.0)
    sheet.write(2, 2, 760)
    sheet.write(2, 3, dt.date(2024, 3, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(3, 0, "李四")
    sheet.write(3, 1, "11010519491231002X")
    sheet.write(3, 2, 380.5)
    book.save(str(tmp_path / "低保.xls"))

    raw = read_table(tmp_path / "低保.xls", is_known=known)

    assert (raw.sheet, raw.header_row, raw.headers) == ("低保", 2, ["姓名", "身份证号", "发放金额", "发放日期"])
    assert rows(raw) == [
        {"c0": "张三", "c1": "1.10105194912310E+17", "c2": "760", "c3": "2024-03-05", "_row": 3},
        {"c0": "李四", "c1": "11010519491231002X", "c2": "380.5", "c3": None, "_row": 4},
    ]


def test_an_xls_that_is_really_a_web_page_is_refused_in_words(tmp_path):
    write(tmp_path / "导出.xls", "<html><table><tr><td>身份证号</td></tr></table></html>")

    with pytest.raises(ReaderError) as err:
        read_table(tmp_path / "导出.xls", is_known=known)
    assert err.value.code == ExchangeErrorCode.NOT_EXCEL


def test_an_xlsx_saved_as_xls_is_read_by_its_content(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["身份证号", "姓名"])
    wb.active.append(["110105194912310027", "张三"])
    wb.save(tmp_path / "名册.xls")

    assert rows(read_table(tmp_path / "名册.xls", is_known=known))[0]["c1"] == "张三"


def test_an_empty_workbook(tmp_path):
    openpyxl.Workbook().save(tmp_path / "空.xlsx")

    with pytest.raises(ReaderError) as err:
        read_table(tmp_path / "空.xlsx", is_known=known)
    assert err.value.code == ExchangeErrorCode.FILE_EMPTY


# --- CSV ---

ROSTER = (
    "2024年3月城镇职工养老金发放名册,,,\r\n"
    ",,,\r\n"
    "\r\n"
    "＊身份证号,姓 名,发放金额（元）,备注\r\n"
    "110105194912310027,张三,1200,\r\n"
    "11010519491231002X,李四,1200.50,补发\r\n"
)


@pytest.mark.parametrize(
    ("encoding", "shown"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带BOM）"), ("gbk", "GB18030")]
)
def test_csv_in_the_encodings_departments_use(tmp_path, encoding, shown):
    raw = read_table(write(tmp_path / "名册.csv", ROSTER, encoding), is_known=lambda h: h in KNOWN | {"发放金额(元)"})

    assert raw.encoding == shown
    assert raw.headers == ["身份证号", "姓名", "发放金额(元)", "备注"]
    assert raw.header_row == 4
    assert rows(raw) == [
        {"c0": "110105194912310027", "c1": "张三", "c2": "1200", "c3": None, "_row": 5},
        {"c0": "11010519491231002X", "c1": "李四", "c2": "1200.50", "c3": "补发", "_row": 6},
    ]


def test_gbk_names_outside_gb2312(tmp_path):
    text = "身份证号,姓名\n110105194912310027,王喆\n11010519491231002X,朱镕基\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gb2312")

    raw = read_table(write(tmp_path / "名册.csv", text, "gbk"), is_known=known)

    assert raw.encoding == "GB18030"
    assert raw.table.column("c1").to_pylist() == ["王喆", "朱镕基"]


def test_gb18030_names_outside_gbk(tmp_path):
    text = "身份证号,姓名\n110105194912310027,刘䶮\n11010519491231002X,陈𠀾\n"  # 䶮: 4 bytes; 𠀾: beyond the BMP
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")  # why GB18030 matters: these names cannot be written in GBK

    raw = read_table(write(tmp_path / "名册.csv", text, "gb18030"), is_known=known)

    assert raw.encoding == "GB18030"
    assert raw.table.column("c1").to_pylist() == ["刘䶮", "陈𠀾"]


def test_utf8_checked_in_chunks_that_cut_characters(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_CHUNK", 7)  # every Chinese character (3 bytes) is cut somewhere
    monkeypatch.setattr(readers, "_HEAD", 16)  # the header is found through a growing window too
    text = "说明：本表为测试\n身份证号,姓名\n" + "".join(f"1101051949123100{i:02d},张镕喆{i}\n" for i in range(50))

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=known)

    assert (raw.encoding, raw.header_row, raw.table.num_rows) == ("UTF-8", 2, 50)
    assert rows(raw)[-1] == {"c0": "110105194912310049", "c1": "张镕喆49", "_row": 52}


def test_quoted_commas_and_newlines_stay_in_their_cell_and_rows_count_as_excel_shows(tmp_path):
    text = (
        "身份证号,姓名,备注\n"
        '110105194912310027,张三,"住址：北京市,东城区\n某街道"\n'
        '11010519491231002X,"李四",""\n'
        "110105194912310035,王五,在册\n"
    )

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=known)

    assert rows(raw) == [
        {"c0": "110105194912310027", "c1": "张三", "c2": "住址：北京市,东城区\n某街道", "_row": 2},
        {"c0": "11010519491231002X", "c1": "李四", "c2": None, "_row": 3},
        {"c0": "110105194912310035", "c1": "王五", "c2": "在册", "_row": 4},
    ]


def test_ragged_rows_are_reported_with_their_row_number_and_the_rest_is_read(tmp_path):
    text = (
        "身份证号,姓名,备注\n"  # row 1
        '110105194912310027,张三,"两行\n备注"\n'  # row 2 (one record over two lines)
        "11010519491231002X,李四,多,出,两列\n"  # row 3: broken
        "110105194912310035,王五,在册\n"  # row 4
        "\n"  # row 5: blank
        "110105194912310043\n"  # row 6: broken
        "110105194912310051,赵六,\n"  # row 7
    )

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=known)

    assert raw.table.column("_row").to_pylist() == [2, 4, 7]
    assert raw.table.column("c1").to_pylist() == ["张三", "王五", "赵六"]
    assert raw.problems.to_pylist() == [
        {"_row": 3, "raw": "11010519491231002X,李四,多,出,两列", "reason": "该行有 5 列，表头有 3 列"},
        {"_row": 6, "raw": "110105194912310043", "reason": "该行有 1 列，表头有 3 列"},
    ]
    assert raw.blank_rows == 1


def test_a_quote_left_open_is_refused_rather_than_swallowing_the_rows_after_it(tmp_path):
    rows_after = "".join(f"1101051949{i:08d},某某\n" for i in range(3000))  # far beyond an Excel cell's 32767 chars
    text = '身份证号,姓名\n110105194912310027,张三\n11010519491231002X,"李四\n' + rows_after

    with pytest.raises(ReaderError) as err:
        read_table(write(tmp_path / "名册.csv", text), is_known=known)
    assert err.value.code == ExchangeErrorCode.QUOTE_UNBALANCED
    assert err.value.message.startswith("第3行")


def test_blank_rows_are_counted_and_skipped(tmp_path):
    text = "身份证号,姓名\n110105194912310027,张三\n,\n   \n\n11010519491231002X,李四\n"

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=known)

    assert raw.table.column("_row").to_pylist() == [2, 6]
    assert (raw.blank_rows, raw.problems.num_rows) == (3, 0)


def test_tab_separated_text(tmp_path):
    text = "身份证号\t姓名\t备注\n110105194912310027\t张三\t有,逗号\n"

    raw = read_table(write(tmp_path / "名册.txt", text, "utf-16"), is_known=known)  # Excel's "Unicode 文本"

    assert raw.encoding == "UTF-16"
    assert rows(raw) == [{"c0": "110105194912310027", "c1": "张三", "c2": "有,逗号", "_row": 2}]


def test_csv_two_level_header(tmp_path):
    text = "姓名,身份证号,收入情况,,备注\n,,工资性收入,经营性收入,\n张三,110105194912310027,1000,200,\n"

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=known)

    assert raw.headers == ["姓名", "身份证号", "工资性收入", "经营性收入", "备注"]
    assert (raw.header_row, raw.table.column("_row").to_pylist()) == (2, [3])


def test_csv_sub_headers_that_are_not_known_are_not_read_as_data(tmp_path):
    text = "姓名,身份证号,收入情况,\n,,工资,经营\n张三,110105194912310027,1000,200\n"

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=lambda h: h in {"姓名", "身份证号"})

    assert raw.headers == ["姓名", "身份证号", "工资", "经营"]
    assert (raw.header_row, raw.table.column("_row").to_pylist()) == (2, [3])


def test_trailing_empty_columns_go_but_a_headerless_column_with_data_stays(tmp_path):
    text = "身份证号,,姓名,,\n110105194912310027,x,张三,,\n11010519491231002X,,李四,,\n"

    raw = read_table(write(tmp_path / "名册.csv", text), is_known=known)

    assert raw.headers == ["身份证号", "", "姓名"]
    assert raw.table.column_names == ["c0", "c1", "c2", "_row"]
    assert raw.table.column("c1").to_pylist() == ["x", None]


def test_a_header_only_file_has_no_rows(tmp_path):
    raw = read_table(write(tmp_path / "名册.csv", "身份证号,姓名\n"), is_known=known)

    assert (raw.headers, raw.table.num_rows, raw.problems.num_rows) == (["身份证号", "姓名"], 0, 0)


# --- refusals ---


def test_no_recognisable_header(tmp_path):
    path = write(tmp_path / "名册.csv", "编号,名称\n1,甲\n")

    with pytest.raises(ReaderError) as err:
        read_table(path, is_known=known)
    assert err.value.code == ExchangeErrorCode.HEADER_NOT_FOUND
    assert err.value.message == "找不到表头：前30行中没有一行包含已知的列名（如 身份证号、姓名）"


def test_the_header_must_be_within_the_rows_scanned(tmp_path):
    path = write(tmp_path / "名册.csv", "说明\n" * 5 + "身份证号,姓名\n110105194912310027,张三\n")

    with pytest.raises(ReaderError) as err:
        read_table(path, is_known=known, max_scan=5)
    assert "前5行" in err.value.message
    assert read_table(path, is_known=known, max_scan=6).header_row == 6


@pytest.mark.parametrize("content", [b"", b"\r\n \r\n", b"\xef\xbb\xbf"])
def test_an_empty_file(tmp_path, content):
    (tmp_path / "空.csv").write_bytes(content)

    with pytest.raises(ReaderError) as err:
        read_table(tmp_path / "空.csv", is_known=known)
    assert (err.value.code, err.value.message) == (ExchangeErrorCode.FILE_EMPTY, "文件为空")


def test_an_unsupported_file_type(tmp_path):
    (tmp_path / "名册.doc").write_bytes(b"\xd0\xcf\x11\xe0")

    with pytest.raises(ReaderError) as err:
        read_table(tmp_path / "名册.doc", is_known=known)
    assert err.value.code == ExchangeErrorCode.UNSUPPORTED_TYPE
    assert err.value.message == "不支持的文件类型 .doc，请导出为 CSV、XLSX 或 XLS"


def test_an_encoding_that_is_neither_utf8_nor_gb18030(tmp_path):
    (tmp_path / "名册.csv").write_bytes("身份证号,姓名\n".encode() + b"1,\xff\xfe\xfd\n")

    with pytest.raises(ReaderError) as err:
        read_table(tmp_path / "名册.csv", is_known=known)
    assert err.value.code == ExchangeErrorCode.ENCODING_UNKNOWN
    assert err.value.message == "文件编码无法识别（不是 UTF-8、GBK 或 GB18030）"
