"""Logging time, and asking for an extension."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..clock import local_today
from ..fields import AlliesForm, DayField, FilterForm, LocalDecimalField, MaxLength, MultilineField

class TimeEntryForm(AlliesForm):
    """Hours given on a day, in quarter hours, with a note."""

    day = DayField(_l("Day"), validators=[InputRequired(message=_l("Give the day, in the current month."))])
    hours = LocalDecimalField(_l("Hours"), validators=[InputRequired(message=_l("Give the hours, such as 1,5."))],
                              description=_l("In quarters of an hour: 1; 1,25; 1,5; 1,75…"))
    note = MultilineField(_l("Note"), validators=[Optional(), MaxLength(500)],
                         description=_l("What you did, in a few words (optional)."))


class ExtensionForm(AlliesForm):
    """More hours, a later end, or both."""

    extra_hours = LocalDecimalField(_l("More hours"), validators=[Optional()],
                                    description=_l("Hours to add to your allocation, in quarters of an hour."))
    new_end_date = DayField(_l("Later end"), validators=[Optional()],
                             description=_l("Leave empty to keep the current end."))
    note = MultilineField(_l("Why you need it"), validators=[Optional(), MaxLength(1000)],
                         description=_l("Your manager reads it."))


class YearForm(FilterForm):
    """The year a budget page shows."""

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])


def chosen_year(args):
    """The year asked for in the query string `args`; this year by default or when wrong."""
    return YearForm(args).valid_filters()["year"] or local_today().year
