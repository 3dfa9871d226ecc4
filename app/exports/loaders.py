"""The volunteer list's filters, read from the query string: pages and API alike."""

from flask import request
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..calls.models import Call, CallStatus
from ..database import session
from .forms import VolunteerFilterForm


def volunteer_filters():
    """The list's filters from the query string, the calls offered newest first."""
    form = VolunteerFilterForm(request.args)
    form.call.choices = [SelectChoice(call_id, title) for call_id, title in session.execute(
        select(Call.id, Call.title).where(Call.status != CallStatus.DRAFT).order_by(Call.start_date.desc(), Call.id))]
    return form
