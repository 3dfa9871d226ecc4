"""Sign-in and sign-out forms."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired

from ..fields import AlliesForm, MaxLength


class LoginForm(AlliesForm):
    """Login and password; the error never says which of the two was wrong."""

    login = StringField(_l("Login"), validators=[DataRequired(message=_l("Enter your login.")), MaxLength(64)],
                        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                        MaxLength(1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
