"""Exports: the file of a volunteer list, streamed, and its entry in the audit log."""

import logging
import tempfile
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..budgets.models import Allocation
from ..calls.models import Call
from ..budgets.queries import budgets
from ..database import count_rows, session
from ..directory.models import User
from ..signups.models import SignUp
from .volunteers import (facilitator_allocations, facilitator_header, facilitator_rows, file_name,
                         header, questions_of, rows, volunteer_query)
from .writers import MEDIA_TYPES, csv_chunks, ods_chunks, write_xlsx

CHUNK = 64 * 1024
log = logging.getLogger(__name__)


def export_volunteers(actor, file_format, filters, progress=None):
    """(download name, media type, chunks of bytes) of the volunteer list for these filters. The chunks read the
    rows through their own session, and write the audit entry with the rows sent once the file is done.
    `progress(rows, count)` wraps the rows (for a progress bar)."""
    query = volunteer_query(**filters)
    questions = questions_of(filters.get("calls") or [])
    lines = rows(query, questions)
    if progress is not None:
        lines = progress(lines, count_rows(query))
    extension = "csv" if file_format.startswith("csv") else file_format
    audit = _Audit("export.volunteers", actor, format=file_format,
                   filters={key: (value.isoformat() if hasattr(value, "isoformat") else value)
                            for key, value in filters.items() if value})
    return file_name(_subject(filters.get("calls") or []), extension), MEDIA_TYPES[extension], \
        audit.chunks(file_format, sheet_name(), header(questions), lines)


def facilitators():
    """The facilitators' network (allocations running today) with their budgets, loaded with what the list shows."""
    allocations = session.execute(facilitator_allocations().options(
        selectinload(Allocation.agent).selectinload(User.org_unit),
        selectinload(Allocation.agent).selectinload(User.manager),
        selectinload(Allocation.signup).selectinload(SignUp.call))).scalars().all()
    return budgets(allocations)


def export_facilitators(actor, file_format):
    """(download name, media type, chunks of bytes) of the facilitators' list, its rows read before the response
    starts; the audit entry is written once the file is done."""
    lines = list(facilitator_rows(facilitators()))
    extension = "csv" if file_format.startswith("csv") else file_format
    audit = _Audit("export.facilitators", actor, format=file_format)
    return file_name(_("facilitators"), extension), MEDIA_TYPES[extension], \
        audit.chunks(file_format, _("Facilitators"), facilitator_header(), lines)


class _Audit:
    """The audit entry of a file sent in chunks: written when the chunks end, with the rows the file holds and
    whether it was sent whole, in the transaction of the session the chunks run in."""

    def __init__(self, action, actor, **details):
        self.action, self.details = action, details
        # The actor as plain values: the chunks run after the request's session has closed its objects.
        self.actor = SimpleNamespace(id=actor.id, login=actor.login) if actor is not None else None

    def chunks(self, file_format, sheet, columns, lines):
        """The file's bytes; the entry is recorded and committed after the last one, or when sending stops."""
        counted = {"rows": 0}

        def counting(lines):
            for line in lines:
                counted["rows"] += 1
                yield line

        complete = False
        try:
            yield from _chunks(file_format, sheet, columns, counting(lines))
            complete = True
        finally:
            try:
                if not complete:
                    session.rollback()  # a read that failed may have left the transaction unusable
                record(self.action, actor=self.actor, rows=counted["rows"], complete=complete, **self.details)
                session.commit()
            except SQLAlchemyError:
                session.rollback()
                log.exception("the audit entry of an export could not be written")


def _chunks(file_format, sheet, columns, lines):
    """The file's bytes in this format."""
    if file_format == "ods":
        return ods_chunks([(sheet, columns, lines)])
    if file_format == "xlsx":
        return _xlsx_chunks(sheet, columns, lines)
    return csv_chunks(columns, lines, delimiter="," if file_format == "csv_comma" else ";")


def _subject(calls):
    """What a volunteer list holds, for its file name: the call's title, or volunteers."""
    call = session.get(Call, calls[0]) if len(calls) == 1 else None
    return call.title if call is not None else _("volunteers")


def sheet_name():
    """The sheet's name, in the reader's language."""
    return _("Volunteers")


def _xlsx_chunks(sheet, columns, lines):
    """Write the XLSX file in a temporary file (XlsxWriter's constant memory), then read it out in chunks."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(spool, sheet, columns, lines)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
