"""Admin forms of the directory."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from ..fields import AlliesForm, FilterForm, MaxLength

from .models import ROLES

ROLE_LABELS = {"lab": _l("Lab team"), "admin": _l("Administrator")}


class UserSearchForm(FilterForm):
    """Search users by name, login or e-mail; filter by role and status."""

    q = StringField(_l("Search"), validators=[Optional(), MaxLength(100)])
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("Any role"))] + [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
                       validators=[Optional()])
    status = SelectField(_l("Status"), choices=[SelectChoice("active", _l("Active")), SelectChoice("inactive", _l("Deactivated")),
                                                SelectChoice("all", _l("All"))], default="active")
    unit = StringField(_l("Org unit"), validators=[Optional(), MaxLength(1000)])


class RoleForm(AlliesForm):
    """Grant or revoke one role."""

    role = SelectField(_l("Role"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
                       validators=[DataRequired()])


class OrgUnitSearchForm(FilterForm):
    """Search org units by name."""

    q = StringField(_l("Search"), validators=[Optional(), MaxLength(200)])
