"""Spreadsheet files written row by row, never held whole in memory: ODS, XLSX and CSV.

Cells are Python values: str, int, Decimal, date, datetime (in local time; spreadsheets get it without its
offset, CSV with it) or None. Text is always written as
text, so a cell starting with =, +, -, @, a tab or a carriage return is never a formula.
"""

import codecs
import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from stream_write_ods import stream_write_ods

FORMULA_STARTS = frozenset("=+-@\t\r")
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry
XLSX_CELL_LIMIT = 32767  # characters in an XLSX cell
MEDIA_TYPES = {
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def neutralised(text):
    """Text a spreadsheet will not read as a formula: a leading =, +, -, @, tab or CR gets an apostrophe."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


class _Lines(str):
    """Text whose line breaks, tabs or runs of spaces a paragraph would fold: ODS keeps it whole in the cell's
    string value."""


_KEPT_BLANKS = re.compile(r"[\n\r\t]|  |^ | $")


def _ods_value(value):
    if isinstance(value, str):
        value = XML_INVALID.sub("", value)
        return _Lines(value) if _KEPT_BLANKS.search(value) else value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


ODS_ENCODERS = (
    (date, ("date", "office:date-value", "date", lambda v: v.isoformat())),
    (datetime, ("date", "office:date-value", None, lambda v: v.isoformat(timespec="seconds"))),
    (int, ("float", "office:value", None, str)),
    (float, ("float", "office:value", None, repr)),
    (str, ("string", None, None, str)),
    (_Lines, ("string", "office:string-value", None, str)),
    (type(None), (None, None, None, lambda _: None)),
)


def ods_chunks(sheets):
    """The bytes of an ODS file of these (name, header, rows) sheets, chunk by chunk."""
    return stream_write_ods(((XML_INVALID.sub("", name), [XML_INVALID.sub("", title) for title in header],
                              (map(_ods_value, row) for row in rows)) for name, header, rows in sheets),
                            encoders=ODS_ENCODERS)


def _xlsx_value(value):
    if isinstance(value, str):  # line breaks as Excel keeps them: a carriage return alone would be escaped
        return XML_INVALID.sub("", value).replace("\r\n", "\n").replace("\r", "\n")[:XLSX_CELL_LIMIT]
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(target, sheet, header, rows):
    """Write an XLSX file into `target` (a path or a binary file), a row at a time (XlsxWriter's constant-memory
    mode). Excel holds at most 32,767 characters in a cell: longer texts are cut there."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False,
                                          "remove_timezone": True, "default_date_format": "yyyy-mm-dd"})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    timestamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    worksheet.write_row(0, 0, header, bold)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(map(_xlsx_value, row)):
            if isinstance(value, str):
                worksheet.write_string(number, column, value)
            elif isinstance(value, datetime):
                worksheet.write_datetime(number, column, value, timestamp)
            elif value is not None:
                worksheet.write(number, column, value)
    workbook.close()


def _csv_decimal(value, decimal_comma):
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if decimal_comma else text


def _csv_converters(decimal_comma):
    """{type: how a CSV cell writes it}: times in ISO 8601, decimals the reader's way (text is neutralised
    inline, the hottest path of a large export)."""
    return {datetime: lambda value: value.isoformat(timespec="minutes"),
            Decimal: lambda value: _csv_decimal(value, decimal_comma)}


CSV_AS_IS = frozenset({int, date, type(None)})  # the csv module writes these as wanted: 12, 2027-01-31, empty


def csv_chunks(header, rows, delimiter=";"):
    """The bytes of a CSV file in UTF-8 with a BOM, chunk by chunk; decimals with a comma when `;` separates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    convert = _csv_converters(decimal_comma=delimiter == ";")
    yield codecs.BOM_UTF8
    writer.writerow([neutralised(text) for text in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([("'" + value if value[:1] in FORMULA_STARTS else value) if (kind := type(value)) is str
                         else value if kind in CSV_AS_IS else convert[kind](value) for value in row])
        if number % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
