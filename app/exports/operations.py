"""Exports: the file of a volunteer list, streamed, and its entry in the audit log."""

import tempfile

from flask_babel import gettext as _

from ..audit.operations import record
from .volunteers import count_volunteers, file_name, header, questions_of, rows, volunteer_query
from .writers import MEDIA_TYPES, csv_chunks, ods_chunks, write_xlsx

CHUNK = 64 * 1024


def export_volunteers(actor, file_format, filters, progress=None):
    """(download name, media type, chunks of bytes) of the volunteer list for these filters, recorded in the
    audit log with the rows it holds. `progress(rows)` wraps the rows (for a progress bar)."""
    query = volunteer_query(**filters)
    count = count_volunteers(query)
    record("export.volunteers", actor=actor, format=file_format, rows=count,
           filters={key: (value.isoformat() if hasattr(value, "isoformat") else value)
                    for key, value in filters.items() if value})
    questions = questions_of(filters.get("calls") or [])
    columns, lines = header(questions), rows(query, questions)
    if progress is not None:
        lines = progress(lines, count)
    extension = "csv" if file_format.startswith("csv") else file_format
    name = file_name(filters.get("calls") or [], extension)
    if file_format == "ods":
        chunks = ods_chunks([(sheet_name(), columns, lines)])
    elif file_format == "xlsx":
        chunks = _xlsx_chunks(columns, lines)
    else:
        chunks = csv_chunks(columns, lines, delimiter="," if file_format == "csv_comma" else ";")
    return name, MEDIA_TYPES[extension], chunks


def sheet_name():
    """The sheet's name, in the reader's language."""
    return _("Volunteers")


def _xlsx_chunks(columns, lines):
    """Write the XLSX file in a temporary file (XlsxWriter's constant memory), then read it out in chunks."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(spool, sheet_name(), columns, lines)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
