"""The lab's forms: a call, a question."""

from datetime import timezone
from decimal import Decimal

from flask_babel import format_decimal, to_utc
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..budgets.working_time import LONGEST_PERIOD_YEARS, period_too_long
from ..clock import utcnow
from ..fields import (
    AlliesForm,
    CheckboxListField,
    DayField,
    FilterForm,
    LocalDecimalField,
    LocalIntegerField,
    LocalNumberRange,
    MaxLength,
    MomentField,
    MultilineField,
    database_id,
)
from .models import CHOICE_KINDS

COMMITMENT_LABELS = {
    "percent": _l("percent of working time"),
    "hours_per_month": _l("hours per month"),
    "days_per_month": _l("days per month"),
    "total_hours": _l("hours in total"),
}
# The most a commitment of each kind may say: a full-time year's worth.
COMMITMENT_LIMITS = {"percent": 100, "hours_per_month": 140, "days_per_month": 20, "total_hours": 1607}
QUESTION_LABELS = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "single_choice": _l("One choice in a list"),
    "multiple_choice": _l("Several choices in a list"),
    "yes_no": _l("Yes or no"),
    "number": _l("Number"),
    "date": _l("Date"),
}
# What every call shows about itself (templates/allies/calls/_facts.html).
FACT_LABELS = {
    "time": _l("Time asked"), "period": _l("Period"), "places": _l("Places left"), "no_limit": _l("No limit"),
    "deadline": _l("Sign-ups close"), "agreement": _l("Manager's agreement"), "needed": _l("Needed"),
    "not_needed": _l("Not needed"), "contact": _l("Contact"),
}


class CallForm(AlliesForm):
    """Write or edit a call."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the call a title.")), MaxLength(200)])
    summary = MultilineField(_l("Summary"), validators=[DataRequired(message=_l(
        "Write two or three sentences that sum up the call.")), MaxLength(500)],
                            description=_l("Two or three sentences shown in the list of calls."))
    body = MultilineField(_l("Full description"), validators=[Optional(), MaxLength(20000)],
                         description=_l("Markdown: **bold**, *italics*, lists with -, links [text](https://…)."))
    capacity = LocalIntegerField(_l("Places"), validators=[Optional(), LocalNumberRange(min=1, max=10000)],
                            description=_l("Leave empty for no limit."))
    deadline = MomentField(_l("Sign-ups close on"), validators=[InputRequired(message=_l(
        "Give the day and time sign-ups close."))], format="%Y-%m-%dT%H:%M")
    audience_all = RadioField(_l("Who may sign up"), choices=[SelectChoice("all", _l("Every agent")),
                                                              SelectChoice("units", _l("Agents of chosen units"))],
                              default="all")
    audience_units = CheckboxListField(_l("Units (their sub-units included)"), coerce=database_id, choices=[])
    commitment_kind = SelectField(_l("Time asked, as"),
                                  choices=[SelectChoice(kind, label) for kind, label in COMMITMENT_LABELS.items()])
    commitment_value = LocalDecimalField(_l("Amount of time"), validators=[InputRequired(message=_l(
        "Give the amount of time, such as 10 or 3,5."))])
    start_date = DayField(_l("Period start"), validators=[InputRequired(message=_l("Give the first day of the period."))])
    end_date = DayField(_l("Period end"), validators=[InputRequired(message=_l("Give the last day of the period."))])
    needs_manager_agreement = BooleanField(_l("The line manager's agreement is needed"), default=True)
    contact = StringField(_l("Contact"), validators=[Optional(), MaxLength(200)],
                          description=_l("Who answers agents' questions about this call."))

    def __init__(self, *args, units=(), current_deadline=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._units = list(units)
        self.audience_units.choices = [SelectChoice(unit.id, unit.display_path) for unit in self._units]
        self._current_deadline = current_deadline and current_deadline

    def _deadline_unchanged(self):
        """Whether the deadline typed is the call's own, to the minute (the field has no seconds)."""
        current = self._current_deadline
        return current is not None and current.replace(second=0, microsecond=0) == self.deadline_utc()

    def validate_deadline(self, field):
        if field.data is not None and not self._deadline_unchanged() and self.deadline_utc() <= utcnow():
            raise ValidationError(_l("The deadline must be in the future."))

    def chosen_units(self):
        """The org units ticked, when the call is not for every agent."""
        if self.audience_all.data != "units":
            return []
        return [unit for unit in self._units if unit.id in (self.audience_units.data or [])]

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The period cannot end before it starts."))
        if self.start_date.data and field.data and period_too_long(self.start_date.data, field.data):
            raise ValidationError(_l("A period lasts at most %(years)d years: choose an earlier end.",
                                     years=LONGEST_PERIOD_YEARS))

    def validate_commitment_value(self, field):
        if field.data is None:
            return
        limit = COMMITMENT_LIMITS.get(self.commitment_kind.data, 0)
        if not Decimal(0) < field.data <= limit:
            raise ValidationError(_l("Enter an amount above 0 and at most %(limit)s %(unit)s.",
                                     limit=format_decimal(limit),
                                     unit=COMMITMENT_LABELS.get(self.commitment_kind.data, "")))

    def validate_audience_units(self, field):
        if self.audience_all.data == "units" and not field.data:
            raise ValidationError(_l("Choose at least one unit, or open the call to every agent."))

    def deadline_utc(self):
        """The deadline typed in local time (ALLIES_TIMEZONE), in UTC."""
        return to_utc(self.deadline.data).replace(tzinfo=timezone.utc)

    def call_fields(self):
        """The call's columns from the form."""
        return {
            "title": self.title.data.strip(), "summary": self.summary.data.strip(), "body": self.body.data or "",
            "capacity": self.capacity.data,
            "deadline": self._current_deadline if self._deadline_unchanged() else self.deadline_utc(),
            "audience_all": self.audience_all.data == "all", "commitment_kind": self.commitment_kind.data,
            "commitment_value": self.commitment_value.data, "start_date": self.start_date.data,
            "end_date": self.end_date.data, "needs_manager_agreement": self.needs_manager_agreement.data,
            "contact": (self.contact.data or "").strip(),
        }


class QuestionForm(AlliesForm):
    """Add a question to a call's form."""

    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(kind, label) for kind, label in QUESTION_LABELS.items()])
    label = StringField(_l("Question"), validators=[DataRequired(message=_l("Write the question.")), MaxLength(300)])
    help_text = StringField(_l("Help text"), validators=[Optional(), MaxLength(500)])
    required = BooleanField(_l("An answer is required"))
    choices = MultilineField(_l("Choices, one per line"), validators=[Optional(), MaxLength(6000)],
                            description=_l("For the kinds with a list: 2 to 30 choices."))
    min_value = LocalDecimalField(_l("Smallest number allowed"), validators=[Optional()])
    max_value = LocalDecimalField(_l("Largest number allowed"), validators=[Optional()])

    def choice_list(self):
        """The choices typed, one per line, blanks and repeats removed."""
        seen = []
        for line in (self.choices.data or "").splitlines():
            if line.strip() and line.strip() not in seen:
                seen.append(line.strip())
        return seen

    def validate_choices(self, field):
        if self.kind.data in CHOICE_KINDS:
            choices = self.choice_list()
            if not 2 <= len(choices) <= 30:
                raise ValidationError(_l("Give between 2 and 30 choices, one per line."))
            if any(len(choice) > 200 for choice in choices):
                raise ValidationError(_l("A choice has at most 200 characters."))

    def validate_max_value(self, field):
        if self.min_value.data is not None and field.data is not None and field.data < self.min_value.data:
            raise ValidationError(_l("The largest number cannot be below the smallest."))

    def question_fields(self):
        """The question's columns from the form."""
        is_number = self.kind.data == "number"
        return {"kind": self.kind.data, "label": self.label.data.strip(), "help_text": (self.help_text.data or "").strip(),
                "required": self.required.data,
                "choices": self.choice_list() if self.kind.data in CHOICE_KINDS else [],
                "min_value": self.min_value.data if is_number else None,
                "max_value": self.max_value.data if is_number else None}


class CallSearchForm(FilterForm):
    """Agents search open calls."""

    q = StringField(_l("Search"), validators=[Optional(), MaxLength(100)])
    kind = SelectField(_l("Time asked, as"), choices=[SelectChoice("", _l("Any"))] + [
        SelectChoice(kind, label) for kind, label in COMMITMENT_LABELS.items()], validators=[Optional()])
