"""The manager's decision on one request, and the approval of several at once."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..budgets.working_time import QUARTER
from ..fields import CheckboxListField, LocalDecimalField


class DecisionForm(FlaskForm):
    """Approve as asked, approve less, or refuse with a reason."""

    outcome = RadioField(_l("Your decision"), choices=[
        SelectChoice("approve", _l("I agree to the time asked")),
        SelectChoice("approve_less", _l("I agree to less time")),
        SelectChoice("refuse", _l("I refuse"))], validators=[InputRequired()])
    hours = LocalDecimalField(_l("Hours you agree to"), validators=[Optional()],
                              description=_l("Only if you agree to less time: at most the hours asked."))
    reason = TextAreaField(_l("Reason of the refusal"), validators=[Optional(), Length(max=2000)],
                           description=_l("Required if you refuse; the agent reads it."))

    def __init__(self, *args, hours_asked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._hours_asked = hours_asked

    def validate(self, extra_validators=None):
        """The hours and the reason depend on the decision: check them together."""
        valid = super().validate(extra_validators)
        if self.outcome.data == "approve_less":
            hours = self.hours.data
            if hours is None and not self.hours.errors:
                self.hours.errors.append(_l("Give the hours you agree to."))
            elif hours is not None and not 0 < hours < self._hours_asked:
                self.hours.errors.append(_l("Agree to more than 0 and less than the %(hours)s hours asked.",
                                            hours=self._hours_asked))
            elif hours is not None and hours % QUARTER:
                self.hours.errors.append(_l("Use quarters of an hour: 1; 1,25; 1,5; 1,75…"))
        if self.outcome.data == "refuse" and not (self.reason.data or "").strip():
            self.reason.errors.append(_l("Give the reason of the refusal."))
        return valid and not self.hours.errors and not self.reason.errors


class ApproveManyForm(FlaskForm):
    """Approve several requests as asked."""

    signups = CheckboxListField(_l("Requests"), coerce=int, choices=[],
                                validators=[InputRequired(message=_l("Tick at least one request."))])
