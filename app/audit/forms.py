"""Filters of the audit log page."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from ..fields import FilterForm, MaxLength

OBJECT_TYPES = ("User", "Call", "Question", "SignUp", "Allocation", "Extension", "Delegation", "OutboxMessage")


class AuditFilterForm(FilterForm):
    """Who, what, on which object, when."""

    actor = StringField(_l("Login of the actor"), validators=[Optional(), MaxLength(100)],
                        description=_l("“system” for commands and automatic tasks"))
    action = StringField(_l("Action"), validators=[Optional(), MaxLength(60)],
                         description=_l("An action (signup.approved) or a family (signup)"))
    object_type = SelectField(_l("Object"), choices=[SelectChoice("", _l("Any object"))]
                              + [SelectChoice(name, name) for name in OBJECT_TYPES], validators=[Optional()])
    object_id = IntegerField(_l("Object number"), validators=[Optional(), NumberRange(min=1)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
