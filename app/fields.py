"""Form fields the features share."""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import format_decimal as format_number
from flask_babel import get_locale, gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, DecimalField, IntegerField, PasswordField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

SPACES = re.compile(r"\s+")  # any space groups digits: " ", U+00A0, U+202F, U+2009
EITHER_MARK = re.compile(r"[+-]?(?:\d{1,3}(?:([.,])\d{3})*(?!\1)[.,]\d+|\d+(?:[.,]\d+)?|[.,]\d+)")
NUMBER_ERROR = _l("Enter a number, such as 12,5.")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")  # no login, name or filter holds them; PostgreSQL refuses NUL
NO_CONTROL_CHARACTERS = re.compile(r"^[^\x00-\x1f]*$")
# What no text keeps: control characters (NUL, the vertical tab a word processor pastes…) and the two non-characters
# that XML (the Atom feed, ODS and XLSX files) cannot carry. Tabs and line breaks are handled on their own.
UNSTORABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]+")
LINE_LIKE = re.compile(r"\r\n|[\r\x0b\x0c\u2028\u2029]")
ONE_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]+")
LARGEST_ID = 2_147_483_647  # the database's integers: an id beyond names nothing
LARGEST_NUMBER = Decimal(10**9)  # numbers typed in forms stay below a billion (the database's columns hold them)
FIRST_YEAR, LAST_YEAR = 1900, 2999  # dates outside are typing mistakes (and beyond what date arithmetic handles)


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
            self.data, self.raw_data = None, []  # blank is missing: InputRequired says so
            return
        try:
            self.data = parse_local_decimal(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(NUMBER_ERROR) from None
        if abs(self.data) >= LARGEST_NUMBER:
            self.data = None
            raise ValueError(_("Enter a number smaller than %(limit)s.", limit=format_number(LARGEST_NUMBER)))


class LocalIntegerField(IntegerField):
    """A whole number, groups of digits allowed (1 000), in a text field: type="number" refuses a French « 1 000 »."""

    widget = DecimalInput(input_mode="numeric")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data, self.raw_data = None, []  # blank is missing: InputRequired says so
            return
        try:
            number = parse_local_decimal(valuelist[0])
        except ValueError:
            number = None
        if number is None or number != number.to_integral_value() or abs(number) >= LARGEST_NUMBER:
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


def database_id(value):
    """An id sent in a form (a ticked request, a unit): a whole number the database's integers hold, else ValueError."""
    number = int(value)
    if not 1 <= number <= LARGEST_ID:
        raise ValueError(value)
    return number


def one_line_text(text):
    """A single-line text as typed, less control characters: tabs and line breaks become spaces, the rest goes."""
    if not isinstance(text, str):
        return text
    return ONE_LINE_BREAKS.sub(" ", UNSTORABLE.sub("", text))


def multiline_text(text):
    """Several lines of text, less control characters: every kind of line break becomes LF, the rest goes."""
    if not isinstance(text, str):
        return text
    return UNSTORABLE.sub("", LINE_LIKE.sub("\n", text))


class AlliesForm(FlaskForm):
    """Every Alliés form: its text fields drop control characters as they come in (a pasted vertical tab, a NUL).

    Passwords are left as typed: they are compared, never stored or shown.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                cleaner = multiline_text if issubclass(field_class, TextAreaField) else one_line_text
                options["filters"] = (cleaner, *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, **options)


class FilterForm(AlliesForm):
    """Filters of a list page, sent with GET (no CSRF token); a wrong value falls back alone."""

    class Meta:
        csrf = False
        is_filter = True  # the forms macro announces no text limits on filters

    def valid_filters(self):
        """The filters that passed validation; a wrong or blank one falls back to its default, the others stay."""
        self.validate()
        return {name: (field.default or "") if field.errors or _blank(field.data) else (field.data or "")
                for name, field in self._fields.items()}


def _blank(value):
    """Spaces only: what Optional() lets through unchecked, choices included, and no filter means."""
    return isinstance(value, str) and not value.strip()


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (each labelled), not a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MultilineField(TextAreaField):
    """Several lines of text; AlliesForm reads every line break as LF (a browser sends CR LF) and counts it once."""


class _TypedDate:
    """What the day and moment fields share: the formats they read, and on a wrong or out-of-range value no data and
    a message saying what to type."""

    formats = ()
    hint = None

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", list(self.formats))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.hint)) from None
        try:
            check_year(self.data)
        except ValueError:
            self.data = None
            raise


class DayField(_TypedDate, DateField):
    """A day from the date picker (2027-03-15) or typed the French way (15/03/2027); a wrong one says what to type."""

    formats = ("%Y-%m-%d", "%d/%m/%Y")
    hint = _l("Enter a date such as 15/03/2027.")


class MomentField(_TypedDate, DateTimeLocalField):
    """A day and a time from the picker (2027-03-15T12:00) or typed (15/03/2027 12:00); a wrong one says what to type."""

    formats = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M")
    hint = _l("Enter a date and a time such as 15/03/2027 12:00.")


def check_year(moment):
    """Refuse a date outside FIRST_YEAR–LAST_YEAR (0001-01-01 or 9999-12-31 is a typing mistake) with a message."""
    if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(_("Give a date between the years %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
