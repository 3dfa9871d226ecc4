"""The agent's sign-up form (with the call's own questions), withdrawal, and the lab's decline."""


from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..budgets.working_time import QUARTER, working_hours
from ..fields import (AlliesForm, CheckboxListField, DayField, FilterForm, LocalDecimalField, LocalNumberRange,
                     MaxLength, MultilineField)

from .models import SignUpStatus

MOTIVATION_WARNING = _l("Do not write anything about your health, your union membership, your political or "
                        "religious opinions: it is not needed here.")


EVENT_LABELS = {
    "signup.created": _l("Sign-up sent"),
    "signup.promoted": _l("Promoted from the waiting list"),
    "signup.withdrawn": _l("Withdrawn by the agent"),
    "signup.declined": _l("Declined by the lab"),
    "signup.approved": _l("Approved by the manager"),
    # An approval recorded with a rule and no person: the call needs no manager agreement.
    "signup.approved.rule": _l("Approved: this call needs no manager agreement"),
    "signup.refused": _l("Refused by the manager"),
}

# What a required question says when it is left unanswered.
ANSWER_MESSAGES = {
    "text": _l("Answer this question."),
    "single_choice": _l("Choose an answer."),
    "yes_no": _l("Answer yes or no."),
    "number": _l("Give a number, such as 12,5."),
    "date": _l("Give a date."),
}


class SignUpForm(AlliesForm):
    """What every sign-up asks; the call's questions are added as fields q<id>."""

    motivation = MultilineField(_l("Why do you want to take part?"), validators=[DataRequired(message=_l(
        "Say in a few words why you want to take part.")), MaxLength(5000)], description=MOTIVATION_WARNING)
    hours_asked = LocalDecimalField(_l("Time you ask for, in hours over the period"), validators=[InputRequired(
        message=_l("Give the time you ask for, in hours, such as 12,5."))])
    availability = MultilineField(_l("Your availability"), validators=[Optional(), MaxLength(2000)],
                                 description=_l("Days or periods that suit you, constraints to know about."))

    def validate_hours_asked(self, field):
        if field.data is None:
            return
        if field.data <= 0:
            raise ValidationError(_l("Ask for more than 0 hours."))
        call, agent = self.meta.call, self.meta.agent
        limit = working_hours(agent.quotity, call.start_date, call.end_date)
        if field.data > limit:  # checked first: a huge number (1e300) has no remainder to compute below
            raise ValidationError(_l("You work %(limit)s hours over this period: ask for less.",
                                     limit=format_decimal(limit, format="#,##0.##")))
        if field.data % QUARTER:
            raise ValidationError(_l("Use quarters of an hour: 1; 1,25; 1,5; 1,75…"))

    def answers(self):
        """(question, value) pairs of the call's questions, unanswered optional ones left out."""
        pairs = []
        for question in self.meta.call.active_questions:
            value = getattr(self, f"q{question.id}").data
            if value not in (None, "", []):
                pairs.append((question, value))
        return pairs


def _question_field(question):
    """The WTForms field asking one question, with its checks."""
    label, help_text = question.label, question.help_text or ""
    message = ANSWER_MESSAGES.get(question.kind, ANSWER_MESSAGES["text"])
    required = [InputRequired(message=message)] if question.required else [Optional()]
    if question.kind == "short_text":
        return StringField(label, validators=required + [MaxLength(300)], description=help_text)
    if question.kind == "long_text":
        return MultilineField(label, validators=required + [MaxLength(5000)], description=help_text)
    if question.kind in ("single_choice", "yes_no"):
        choices = ([SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))] if question.kind == "yes_no"
                   else [SelectChoice(choice, choice) for choice in question.choices])
        return RadioField(label, choices=choices, validators=required, description=help_text,
                          validate_choice=True)
    if question.kind == "multiple_choice":
        validators = [DataRequired(message=_l("Tick at least one choice."))] if question.required else [Optional()]
        return CheckboxListField(label, choices=[SelectChoice(choice, choice) for choice in question.choices],
                                 validators=validators, description=help_text)
    if question.kind == "number":
        bounds = LocalNumberRange(min=question.min_value, max=question.max_value)
        return LocalDecimalField(label, validators=required + [bounds], description=help_text)
    if question.kind == "date":
        return DayField(label, validators=required, description=help_text)
    raise ValueError(question.kind)


def signup_form_for(call, agent, **kwargs):
    """A sign-up form for this call and agent, with one field per question of the call."""

    class CallSignUpForm(SignUpForm):
        pass

    for question in call.active_questions:
        setattr(CallSignUpForm, f"q{question.id}", _question_field(question))
    form = CallSignUpForm(**kwargs)
    form.meta.call, form.meta.agent = call, agent
    return form


class ConfirmForm(AlliesForm):
    """A confirmation with nothing to fill (withdraw, publish…)."""


class LabNoticesForm(AlliesForm):
    """How a lab member hears of new sign-ups."""

    notices = RadioField(_l("Tell me about new sign-ups"), choices=[
        SelectChoice("each", _l("With a mail for each sign-up")),
        SelectChoice("digest", _l("With one digest a day"))],
        validators=[InputRequired(message=_l("Choose how you hear of new sign-ups."))])


class DeclineForm(AlliesForm):
    """The lab declines a sign-up; the reason reaches the agent."""

    reason = MultilineField(_l("Reason, sent to the agent"), validators=[DataRequired(message=_l(
        "Give the reason; the agent reads it.")), MaxLength(2000)])


class SignUpFilterForm(FilterForm):
    """The lab filters a call's sign-ups."""

    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("All"))] + [
        SelectChoice(status, status.title) for status in SignUpStatus], default="", validators=[Optional()])
    unit = StringField(_l("Org unit"), validators=[Optional(), MaxLength(1000)])
    q = StringField(_l("Agent"), validators=[Optional(), MaxLength(100)])
