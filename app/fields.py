"""Form fields the features share."""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import format_decimal as format_number
from flask_babel import get_locale, gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, DecimalField, IntegerField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

SPACES = re.compile(r"\s+")  # any space groups digits: " ", U+00A0, U+202F, U+2009
EITHER_MARK = re.compile(r"[+-]?(?:\d{1,3}(?:([.,])\d{3})*(?!\1)[.,]\d+|\d+(?:[.,]\d+)?|[.,]\d+)")
NUMBER_ERROR = _l("Enter a number, such as 12,5.")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")  # no login, name or filter holds them; PostgreSQL refuses NUL
NO_CONTROL_CHARACTERS = re.compile(r"^[^\x00-\x1f]*$")


def parse_local_decimal(text, locale=None):
    """The finite number in `text`, typed the user's way (1 607,25) or with the other mark (12.5 in French); else ValueError."""
    locale = locale or get_locale() or "en"
    cleaned = SPACES.sub("", text)
    try:
        number = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        if not EITHER_MARK.fullmatch(cleaned):
            raise ValueError(text) from None
        head, mark, tail = cleaned.rpartition("," if cleaned.rfind(",") > cleaned.rfind(".") else ".")
        number = Decimal(re.sub(r"[.,]", "", head) + "." + tail if mark else cleaned)
    if not number.is_finite():
        raise ValueError(text)
    return number


class DecimalInput(TextInput):
    """A text input that brings up a keyboard with a decimal mark: type="number" drops a French value (158,5)."""

    def __init__(self, input_mode="decimal"):
        super().__init__()
        self.input_mode = input_mode

    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", self.input_mode)
        return super().__call__(field, **kwargs)


class LocalDecimalField(DecimalField):
    """A decimal number typed the French way (12,5) or the English way (12.5), shown the user's way."""

    widget = DecimalInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0.##", locale=get_locale() or "en", decimal_quantization=False)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_local_decimal(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(NUMBER_ERROR) from None


class LocalIntegerField(IntegerField):
    """A whole number, groups of digits allowed (1 000), in a text field: type="number" refuses a French « 1 000 »."""

    widget = DecimalInput(input_mode="numeric")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            number = parse_local_decimal(valuelist[0])
        except ValueError:
            number = None
        if number is None or number != number.to_integral_value() or abs(number) > 10**9:
            self.data = None
            raise ValueError(_l("Enter a whole number, such as 12."))
        self.data = int(number)


class LocalNumberRange(NumberRange):
    """A number within bounds, the bounds said the user's way (« de 0,5 à 10 »)."""

    def __call__(self, form, field):
        value = field.data
        if value is None or ((self.min is None or value >= self.min) and (self.max is None or value <= self.max)):
            return
        low, high = (None if bound is None else format_number(bound) for bound in (self.min, self.max))
        if low is not None and high is not None:
            raise ValidationError(_("Give a number from %(min)s to %(max)s.", min=low, max=high))
        if low is not None:
            raise ValidationError(_("Give a number of at least %(min)s.", min=low))
        raise ValidationError(_("Give a number of at most %(max)s.", max=high))


class MaxLength(Length):
    """At most `limit` characters: a longer text is refused with the limit and its length, never cut."""

    def __init__(self, limit):
        super().__init__(max=limit)

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.max:
            raise ValidationError(_("Shorten the text to %(max)s characters at most (it has %(length)s).",
                                    max=format_number(self.max), length=format_number(length)))


class FilterForm(FlaskForm):
    """Filters of a list page, sent with GET (no CSRF token); a wrong value falls back alone."""

    class Meta:
        csrf = False
        is_filter = True  # the forms macro announces no text limits on filters

    def valid_filters(self):
        """The filters that passed validation; a wrong one falls back to its default, the others stay."""
        self.validate()
        return {name: (field.default or "") if field.errors else (field.data or "")
                for name, field in self._fields.items()}


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (each labelled), not a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MultilineField(TextAreaField):
    """Several lines of text, with the line breaks as typed: a browser sends CR LF, stored and counted as LF."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


class DayField(DateField):
    """A day from the date picker (2027-03-15) or typed the French way (15/03/2027); a wrong one says what to type."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date such as 15/03/2027.")) from None


class MomentField(DateTimeLocalField):
    """A day and a time from the picker (2027-03-15T12:00) or typed (15/03/2027 12:00); a wrong one says what to type."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date and a time such as 15/03/2027 12:00.")) from None
