"""The manager's decision on one request, and the approval of several at once."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..auth.operations import find_user
from ..budgets.working_time import is_quarter
from ..clock import local_today
from ..fields import (
    CONTROL_CHARACTERS,
    AlliesForm,
    CheckboxListField,
    DayField,
    FilterForm,
    LocalDecimalField,
    MaxLength,
    MultilineField,
    database_id,
)

class DecisionForm(AlliesForm):
    """Approve as asked, approve less, or refuse with a reason."""

    outcome = RadioField(_l("Your decision"), choices=[
        SelectChoice("approve", _l("I agree to the time asked")),
        SelectChoice("approve_less", _l("I agree to less time")),
        SelectChoice("refuse", _l("I refuse"))], validators=[InputRequired(message=_l("Choose your decision."))])
    hours = LocalDecimalField(_l("Hours you agree to"), validators=[Optional()],
                              description=_l("Only if you agree to less time: at most the hours asked."))
    reason = MultilineField(_l("Reason of the refusal"), validators=[Optional(), MaxLength(2000)],
                           description=_l("Required if you refuse; the agent reads it."))

    def __init__(self, *args, hours_asked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._hours_asked = hours_asked
        if hours_asked is not None and not hours_asked:  # an extension asking only for a later end
            self.outcome.choices = [choice for choice in self.outcome.choices if choice.value != "approve_less"]

    def validate(self, extra_validators=None):
        """The hours and the reason depend on the decision: check them together."""
        valid = super().validate(extra_validators)
        if self.outcome.data == "approve_less" and not self.outcome.errors:
            hours = self.hours.data
            if hours is None and not self.hours.errors:
                self.hours.errors.append(_l("Give the hours you agree to."))
            elif hours is not None and not 0 < hours < self._hours_asked:
                self.hours.errors.append(_l("Agree to more than 0 and less than the %(hours)s hours asked.",
                                            hours=format_decimal(self._hours_asked)))
            elif hours is not None and not is_quarter(hours):
                self.hours.errors.append(_l("Use quarters of an hour: 1; 1,25; 1,5; 1,75…"))
        if self.outcome.data == "refuse" and not (self.reason.data or "").strip():
            self.reason.errors.append(_l("Give the reason of the refusal."))
        return valid and not self.hours.errors and not self.reason.errors


class RequestNoticesForm(AlliesForm):
    """How a manager hears of the requests waiting for them."""

    notices = RadioField(_l("Tell me about requests to decide"), choices=[
        SelectChoice("each", _l("With a mail for each request, and a reminder when it waits")),
        SelectChoice("weekly", _l("With one digest on Mondays"))],
        validators=[InputRequired(message=_l("Choose how you hear of requests to decide."))])


class DeputySearchForm(FilterForm):
    """Find a deputy by name, sent with GET."""

    q = StringField(_l("Name of your deputy"), validators=[Optional(), MaxLength(100)],
                    description=_l("A first name, a last name or part of one; then choose among the people found."))


class FoundPersonField(RadioField):
    """The people a search found, as radio buttons; the value is a login, checked by the form whatever the search."""

    def pre_validate(self, form):
        """The form's own check decides (an active colleague other than oneself), not the list shown."""


class DelegationForm(AlliesForm):
    """Name a deputy for a date range."""

    deputy = FoundPersonField(_l("Your deputy"), choices=[], validators=[
        InputRequired(message=_l("Choose your deputy among the people found."))],
        description=_l("An active colleague who decides in your place during these dates."))
    start_date = DayField(_l("From"), validators=[InputRequired(message=_l("Give the first day of your absence."))])
    end_date = DayField(_l("To"), validators=[InputRequired(message=_l("Give the last day of your absence."))])

    def __init__(self, *args, manager=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._manager = manager
        self.deputy_user = None

    def validate_deputy(self, field):
        if CONTROL_CHARACTERS.search(field.data or ""):  # posted by hand: no login has them, and a database refuses NUL
            raise ValidationError(_l("Choose your deputy among the people found."))
        self.deputy_user = find_user(field.data or "")
        if self.deputy_user is None or not self.deputy_user.active:
            raise ValidationError(_l("No active colleague has this login."))
        if self.deputy_user.id == self._manager.id:
            raise ValidationError(_l("Choose a colleague other than yourself."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The period cannot end before it starts."))
        if field.data and field.data < local_today():
            raise ValidationError(_l("The period is already over."))


class ApproveManyForm(AlliesForm):
    """Approve several requests as asked."""

    signups = CheckboxListField(_l("Requests"), coerce=database_id, choices=[],
                                validators=[InputRequired(message=_l("Tick at least one request."))])


class RevisionForm(AlliesForm):
    """Lower an allocation, with a reason."""

    hours = LocalDecimalField(_l("New number of hours"), validators=[InputRequired(message=_l(
        "Give the new number of hours, such as 12,5."))],
                              description=_l("Fewer than agreed, and no fewer than the hours already used."))
    reason = MultilineField(_l("Reason of the revision"), validators=[DataRequired(message=_l(
        "Give the reason of the revision.")), MaxLength(2000)], description=_l("The agent reads it."))
