"""Form fields the features share."""

from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class LocalDecimalField(DecimalField):
    """A decimal number typed the French way (12,5) or the English way (12.5), shown the user's way."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0.##")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = Decimal(valuelist[0].strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter a number, such as 12,5.")) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter a number, such as 12,5."))


class FilterForm(FlaskForm):
    """Filters of a list page, sent with GET (no CSRF token); a wrong value falls back alone."""

    class Meta:
        csrf = False

    def valid_filters(self):
        """The filters that passed validation; a wrong one falls back to its default, the others stay."""
        self.validate()
        return {name: (field.default or "") if field.errors else (field.data or "")
                for name, field in self._fields.items()}


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (each labelled), not a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
