"""Filters of the audit log page."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, Regexp

from ..fields import LARGEST_ID, NO_CONTROL_CHARACTERS, DayField, FilterForm, MaxLength
from .labels import ACTION_TITLES, FAMILY_TITLES, OBJECT_TITLES


class AuditFilterForm(FilterForm):
    """Who, what, on which object, when."""

    actor = StringField(_l("Login of the actor"), validators=[Optional(), MaxLength(100)],
                        description=_l("“system” for commands and automatic tasks"))
    # Any recorded action may still come in the address, even one that has no title yet.
    action = SelectField(_l("Action"), validators=[Optional(), MaxLength(60), Regexp(NO_CONTROL_CHARACTERS.pattern)],
                         validate_choice=False,
                         description=_l("One action, or all the actions of a kind"))
    object_type = SelectField(_l("Object"), choices=[SelectChoice("", _l("Any object"))]
                              + [SelectChoice(name, title) for name, title in OBJECT_TITLES.items()],
                              validators=[Optional()])
    object_id = IntegerField(_l("Object number"), validators=[Optional(), NumberRange(min=1, max=LARGEST_ID)])
    since = DayField(_l("From"), validators=[Optional()])
    until = DayField(_l("To"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = {str(_l("Any action")): [SelectChoice("", _l("Any action"))]}
        for family, family_title in FAMILY_TITLES.items():
            groups[str(family_title)] = [SelectChoice(family, _l("%(kind)s: all", kind=family_title))] + [
                SelectChoice(action, title) for action, title in ACTION_TITLES.items()
                if action.startswith(family + ".")]
        self.action.choices = groups
