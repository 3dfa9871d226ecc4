"""The agent names a new API token."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired

from ..fields import AlliesForm, MaxLength


class TokenForm(AlliesForm):
    """A new personal token, named after what it is for."""

    name = StringField(_l("Name of the token"), validators=[DataRequired(message=_l(
        "Name the token after what it is for.")), MaxLength(100)],
                       description=_l("What it is for, so you recognise it later: e.g. « Intranet home page »."))
