"""The volunteer list's filters, and the choice of a file format."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..fields import AlliesForm, CheckboxListField, DayField, FilterForm, MaxLength, database_id
from ..signups.models import SignUpStatus

FORMATS = {"ods": _l("ODS (LibreOffice, recommended)"), "xlsx": _l("XLSX (Excel)"),
           "csv": _l("CSV, separated by semicolons"), "csv_comma": _l("CSV, separated by commas")}


class VolunteerFilterForm(FilterForm):
    """Which sign-ups the list shows: calls, statuses, org unit with its sub-units, dates sent, a name."""

    call = SelectMultipleField(_l("Calls"), coerce=database_id, choices=[], validators=[Optional()],
                               description=_l("None chosen: every call. Ctrl or Cmd to choose several."))
    status = CheckboxListField(_l("Statuses"), validators=[Optional()],
                               choices=[SelectChoice(status, status.title) for status in SignUpStatus])
    unit = StringField(_l("Org unit"), validators=[Optional(), MaxLength(1000)],
                       description=_l("Full path; sub-units included"))
    submitted_from = DayField(_l("Sent from"), validators=[Optional()])
    submitted_to = DayField(_l("Sent until"), validators=[Optional()])
    q = StringField(_l("Name"), validators=[Optional(), MaxLength(100)])

    def filters(self):
        """The valid filters, as `volunteer_query` takes them; among several calls or statuses, a wrong one
        is left out alone."""
        values = self.valid_filters()
        return {"calls": self._known(self.call), "statuses": self._known(self.status), "unit": values["unit"],
                "submitted_from": values["submitted_from"] or None, "submitted_to": values["submitted_to"] or None,
                "q": values["q"]}


    @staticmethod
    def _known(field):
        """The values of a multiple-choice filter that are among its choices."""
        offered = {str(choice[0]) for choice in field.iter_choices()}
        return [field.coerce(value) for value in (field.raw_data or []) if value in offered]


class ExportForm(AlliesForm):
    """The file format of an export."""

    file_format = RadioField(_l("File format"), choices=[SelectChoice(key, label) for key, label in FORMATS.items()],
                             default="ods", validators=[InputRequired(message=_l("Choose a file format."))])
