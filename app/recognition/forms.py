"""The attestation's period and language; the lab's badge and letter; the agent's consent to show badges."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from ..fields import AlliesForm, DayField, MaxLength, MultilineField
from .models import BY_RULE, BadgeKind

LANGUAGES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class AttestationForm(AlliesForm):
    """What the agent asks the attestation for: a period, a language, and their grade if they wish."""

    first_day = DayField(_l("From"), validators=[InputRequired(message=_l("Give the first day of the period."))])
    last_day = DayField(_l("To"), validators=[InputRequired(message=_l("Give the last day of the period."))])
    locale = RadioField(_l("Language of the attestation"), choices=LANGUAGES,
                        validators=[InputRequired(message=_l("Choose the language of the attestation."))])
    grade = StringField(_l("Your grade or cadre d'emplois (optional)"), validators=[Optional(), MaxLength(120)],
                        description=_l("Written on the attestation only if you give it."))


class BadgeVisibilityForm(AlliesForm):
    """The agent's consent to show their badges on their profile."""

    shown = BooleanField(_l("Show my badges on my profile"))


class BadgeForm(AlliesForm):
    """A badge the lab gives."""

    kind = RadioField(_l("Badge"), choices=[SelectChoice(kind.value, kind.title) for kind in BadgeKind
                                            if kind not in BY_RULE],
                      validators=[InputRequired(message=_l("Choose a badge."))])
    note = StringField(_l("Why (optional)"), validators=[Optional(), MaxLength(300)])


class LetterForm(AlliesForm):
    """A thank-you letter from the lab."""

    body = MultilineField(_l("Your letter"), validators=[DataRequired(message=_l("Write the letter.")),
                                                         MaxLength(5000)])
    co_signed_by = StringField(_l("Co-signed by (optional)"), validators=[Optional(), MaxLength(200)],
                               description=_l("For example: the director of the agent's directorate."))


class RevokeForm(AlliesForm):
    """The lab revokes an attestation, with a reason."""

    reason = StringField(_l("Reason of the revocation"), validators=[DataRequired(message=_l(
        "Give the reason of the revocation.")), MaxLength(300)])


class TestimonialForm(AlliesForm):
    """The lab records a partner's or its own testimonial on an agent's participation in a call."""

    call_id = SelectField(_l("Call"), coerce=int, choices=[],
                          validators=[InputRequired(message=_l("Choose the call the testimonial is about."))])
    author_name = StringField(_l("Author"), validators=[DataRequired(message=_l("Give the author's name.")),
                                                        MaxLength(200)],
                              description=_l("A name and a function, e.g. « Sophie Martin, directrice du lycée »."))
    author_kind = RadioField(_l("Written by"), choices=[SelectChoice("partner", _l("A partner")),
                                                        SelectChoice("lab", _l("The lab"))],
                             validators=[InputRequired(message=_l("Say who wrote it."))])
    text = MultilineField(_l("Testimonial"), validators=[DataRequired(message=_l("Write the testimonial.")),
                                                         MaxLength(2000)])
    author_agreed = BooleanField(_l("The author agreed that it is published"))
