"""Reading the API's input: the JSON body, the query string, and JSON values handed to the pages' own forms.

The schemas (schemas.py) check each JSON value's type and turn it into the text a form field reads; the forms
then check them exactly as on the pages (same validators, same messages).
"""

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from .problems import InvalidInput
from .schemas import FormInput, PagingSchema

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


def read(schema, values):
    """`values` loaded by `schema`; values of the wrong JSON type are a 422 with the schema's messages."""
    try:
        return schema.load(values)
    except ValidationError as invalid:
        raise InvalidInput(invalid.messages) from None


def page_args(schema=None):
    """(page, per_page) from the query string: page from 1, per_page from 1 to 100 (20 by default)."""
    paging = read(schema or PagingSchema(), request.args)
    return paging["page"], paging["per_page"]


def form_from_json(form_class, schema, values, **kwargs):
    """The page's form fed with JSON `values` as `schema` (a FormInput) declares them, and validated: values of
    the wrong JSON type or refused by the form are a 422, under their JSON names."""
    form = form_class(formdata=FormInput.formdata(read(schema, values)), meta={"csrf": False}, **kwargs)
    return validated(form, schema.json_names())


def validated(form, names=None):
    """Validate a form fed from JSON; its errors become a 422, under the JSON names (`names`: field → JSON, as
    a FormInput's json_names() gives them)."""
    if form.validate():
        return form
    names = names or {}
    raise InvalidInput({names.get(name, name): messages for name, messages in form.errors.items()
                        if name is not None})
