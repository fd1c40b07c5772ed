"""Errors of the department data exchange, in words a clerk (or a department's data officer) can act on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class ExchangeErrorCode(models.TextChoices):
    # Source definitions (sources/*.yaml)
    SOURCE_INVALID = "source_invalid", _("数据源配置有误：{where}：{problem}")
    UNKNOWN_SOURCE = "unknown_source", _("没有名为“{source}”的数据源（已配置：{known}）")
    UNKNOWN_KIND = "unknown_kind", _("数据源“{source}”没有“{kind}”这类记录（可选：{known}）")
    # Batches
    KIND_UNDETECTED = "kind_undetected", _("无法判断文件是哪类记录，请指定记录类型（可选：{known}）")
    MISSING_COLUMNS = "missing_columns", _("缺少必填列：{columns}")
    IDEMPOTENCY_CONFLICT = "idempotency_conflict", _("幂等键“{key}”已用于另一批不同的数据，请换一个键")
    BATCH_TOO_LARGE = "batch_too_large", _("一次推送最多 {limit} 条记录，本次 {count} 条，请分批推送")
    NO_ORGANISATION = "no_organisation", _("还没有建立组织架构（区县），无法登记数据部门，请先导入组织架构")
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    # Reading files (readers.py)
    FILE_EMPTY = "file_empty", _("文件为空")
    UNSUPPORTED_TYPE = "unsupported_type", _("不支持的文件类型 {suffix}，请导出为 CSV、XLSX 或 XLS")
    NOT_EXCEL = (
        "not_excel",
        _("文件扩展名是 {suffix}，但内容不是 Excel 文件（可能是网页或文本），请用 Excel 或 WPS 打开后另存为 XLSX"),
    )
    FILE_DAMAGED = "file_damaged", _("文件已损坏，无法读取，请重新导出")
    FILE_ENCRYPTED = "file_encrypted", _("文件设有打开密码，请去掉密码后重新导出")
    ENCODING_UNKNOWN = "encoding_unknown", _("文件编码无法识别（不是 UTF-8、GBK 或 GB18030）")
    SHEET_NOT_FOUND = "sheet_not_found", _("没有名为“{sheet}”的工作表（文件中有：{available}）")
    HEADER_NOT_FOUND = "header_not_found", _("找不到表头：前{max_scan}行中没有一行包含已知的列名（如 身份证号、姓名）")
    QUOTE_UNBALANCED = (
        "quote_unbalanced",
        _("第{row}行有一个单元格超过 32767 个字符（Excel 的上限）：多半是引号没有成对，其后的行被并进了这个单元格"),
    )
    CSV_UNREADABLE = "csv_unreadable", _("文件无法按 CSV 格式读取，请用 Excel 或 WPS 打开后重新导出")
    # Link review
    ALREADY_DECIDED = "already_decided", _("该匹配已由 {who} 于 {when} 处理")


class ExchangeError(JiuzhuError):
    @property
    def http_status(self) -> int:
        if self.code == ExchangeErrorCode.IDEMPOTENCY_CONFLICT:
            return 409
        return super().http_status


class ReaderError(ExchangeError):
    """A file the reader cannot turn into a table: empty, of an unknown type or encoding, or without a header."""
