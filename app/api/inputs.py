"""Reading the API's input: the JSON body, the query string, and JSON values handed to the pages' own forms.

JSON values are checked for their JSON type here and turned into the text a form field reads; the forms then
check them exactly as on the pages (same validators, same messages).
"""

from datetime import date, datetime

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from werkzeug.datastructures import MultiDict

from ..database import MAX_PAGE
from ..fields import check_year
from .problems import InvalidInput

DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100
DEADLINE_FORMAT = "%Y-%m-%dT%H:%M"  # what the call form's deadline field reads, in local time

TYPE_MESSAGES = {
    "text": _l("Give a text."),
    "number": _l("Give a number."),
    "integer": _l("Give a whole number."),
    "boolean": _l("Give true or false."),
    "date": _l("Give a date such as 2027-01-31."),
    "datetime": _l("Give a date and time in ISO 8601, such as 2027-01-31T18:00:00+01:00."),
    "integers": _l("Give a list of whole numbers."),
    "texts": _l("Give a list of texts."),
}
BAD_TEXT = _l("Text cannot hold the NUL character or invalid Unicode.")


def json_body():
    """The request's JSON object: 415 when the body is not JSON, 413 when too large, 400 when it cannot be read as an
    object or nests deeper than ALLIES_MAX_JSON_DEPTH."""
    if not request.is_json:
        abort(415)
    limit = current_app.config["ALLIES_MAX_JSON_BYTES"]
    request.max_content_length = min(request.max_content_length or limit, limit)
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        abort(400)
    if not isinstance(payload, dict) or _depth(payload) > current_app.config["ALLIES_MAX_JSON_DEPTH"]:
        abort(400)
    bad = {path: [BAD_TEXT] for path in _bad_texts(payload)}
    if bad:
        raise InvalidInput(bad)
    return payload


def _depth(value):
    """How deeply arrays and objects nest in a JSON value (a scalar is 0), counted without recursion."""
    deepest, waiting = 0, [(value, 0)]
    while waiting:
        item, level = waiting.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            waiting.extend((inner, level) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


def _bad_texts(value, path=""):
    """Where the JSON holds text the database cannot store (NUL, lone surrogates)."""
    if isinstance(value, str):
        return [path or "body"] if not _storable(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            found += [inner] if not _storable(key) else _bad_texts(item, inner)
        return found
    if isinstance(value, list):
        return [bad for index, item in enumerate(value) for bad in _bad_texts(item, f"{path}[{index}]")]
    return []


def _storable(text):
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_query_string():
    """Refuse query parameters the database cannot store (a NUL character)."""
    bad = {name: [BAD_TEXT] for name, value in request.args.items(multi=True)
           if not _storable(value) or not _storable(name)}
    if bad:
        raise InvalidInput(bad)


def page_args():
    """(page, per_page) from the query string: page from 1, per_page from 1 to 100 (20 by default)."""
    errors, values = {}, {}
    for name, default, highest in (("page", 1, MAX_PAGE), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = request.args.get(name, "")
        if not raw:
            values[name] = default
        elif raw.isascii() and raw.isdigit() and 1 <= int(raw) <= highest:
            values[name] = int(raw)
        else:
            errors[name] = [_l("Give a whole number from 1 to %(highest)d.", highest=highest)]
    if errors:
        raise InvalidInput(errors)
    return values["page"], values["per_page"]


def formdata(payload, kinds, renames=None):
    """A MultiDict that a form reads, from the members of `payload` named in `kinds` ({name: kind}).

    null and false leave the field out (a form reads that as empty, or unchecked); `renames` maps a JSON
    name to the form's field name. Raises InvalidInput for values of the wrong JSON type.
    """
    renames = renames or {}
    data, errors = MultiDict(), {}
    for name, kind in kinds.items():
        if name not in payload or payload[name] is None:
            continue
        try:
            texts = _as_form_text(payload[name], kind)
        except ValueError as error:
            errors[name] = [str(error.args[0])]
            continue
        for text in texts:
            data.add(renames.get(name, name), text)
    if errors:
        raise InvalidInput(errors)
    return data


def _as_form_text(value, kind):
    """The texts a form field reads for one JSON value of this kind."""
    wrong = ValueError(TYPE_MESSAGES[kind])
    if kind == "boolean":
        if not isinstance(value, bool):
            raise wrong
        return ["y"] if value else []
    if isinstance(value, bool):
        raise wrong
    if kind == "text":
        if not isinstance(value, str):
            raise wrong
        return [value]
    if kind in ("number", "integer"):
        if isinstance(value, str) or (kind == "number" and isinstance(value, (int, float))):
            return [str(value)]
        if kind == "integer" and isinstance(value, int):
            return [str(value)]
        raise wrong
    if kind == "date":
        if not isinstance(value, str):
            raise wrong
        check_year(_parsed(value, date.fromisoformat))
        return [value]
    if kind == "datetime":
        if not isinstance(value, str):
            raise wrong
        moment = _parsed(value, datetime.fromisoformat)
        if moment is None:
            raise wrong
        check_year(moment)
        local = to_user_timezone(moment) if moment.tzinfo else moment
        return [local.strftime(DEADLINE_FORMAT)]
    if kind in ("integers", "texts"):
        item_type = int if kind == "integers" else str
        if not isinstance(value, list) or not all(isinstance(item, item_type) and not isinstance(item, bool)
                                                   for item in value):
            raise wrong
        return [str(item) for item in value]
    raise ValueError(kind)


def _parsed(text, parse):
    """The date or datetime in `text`, or None (the form then says what it expected)."""
    try:
        return parse(text)
    except ValueError:
        return None


def validated(form, renames=None):
    """Validate a form fed from JSON; its errors become a 422, under the JSON names (`renames`: field → JSON)."""
    if form.validate():
        return form
    renames = renames or {}
    raise InvalidInput({renames.get(name, name): messages for name, messages in form.errors.items()
                        if name is not None})
