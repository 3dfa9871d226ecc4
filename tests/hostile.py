"""Hostile values, and the tools of the hostile-input net: how to send them, where the fields are, what was written."""

import json
import re
import traceback
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

from sqlalchemy import event


# Where a value is sent: "core" values to every field; "number" values to the fields holding numbers or ids, "date"
# values to the fields holding days or moments; "once" values (and every value a route has no field for) to one field
# of each route. A field gets no value of another kind: there it would meet the same refusal as the core values.


@dataclass(frozen=True)
class Hostile:
    """A value typed into a query parameter or a form field: text, or bytes that are not UTF-8."""

    name: str
    value: str | bytes
    kind: str = "core"
    raw: bool = False  # the bytes go into the query string or body as they are, not percent-encoded
    repeat: int = 1  # the same key sent this many times

    def pairs(self, key):
        """The `key=value` segments of a query string or form body."""
        data = self.value if isinstance(self.value, bytes) else self.value.encode("utf-8", "surrogatepass")
        encoded = data.decode("latin-1") if self.raw else quote_from_bytes(data)
        segment = quote_from_bytes(key.encode()) + "=" + encoded
        return [segment] * self.repeat


def _h(name, value, kind="core", **options):
    return Hostile(name, value, kind, **options)


CATALOG = (
    _h("NUL in text", "a\x00b"),
    _h("C0 controls and delete", "a\x01\x02\x08\x0b\x0c\x1b\x1f\x7fb", "once"),  # one hook cleans every form
    _h("lone surrogate", "a\ud800b", "once"),  # percent-encoded bytes ED A0 80: as any invalid UTF-8
    _h("invalid UTF-8, raw byte", b"a\xffb", "once", raw=True),  # the whole query string or body is refused
    _h("empty", ""),
    _h("blanks", " \t "),
    _h("20 nines", "99999999999999999999", "number"),  # beyond 64 bits, as 2^63 and -20 nines would be
    _h("zero", "0", "once"),  # below every minimum, as -1 would be
    _h("2^31", "2147483648", "number"),
    _h("1e400", "1e400", "once"),  # an exponent beyond a float, as 1e20 or -1e400 would be
    _h("NaN", "NaN", "number"),
    _h("inf", "inf", "number"),  # as -Infinity
    _h("fullwidth digits", "１２", "once"),
    _h("French decimal 1e6", "1 000 000,5", "number"),
    _h("year 1", "0001-01-01", "date"),
    _h("year 9999", "9999-12-31", "once"),
    _h("DST start, Paris", "2027-03-28", "once"),
    _h("February 30", "2027-02-30", "date"),  # as year 10000 or 31/02 would be: no such day
    _h("local time skipped by DST", "2027-03-28T02:30", "once"),
    _h("local time twice by DST", "2027-10-31T02:30", "once"),
    _h("year 1, with time", "0001-01-01T00:00", "date"),  # an hour before it is no date: UTC overflows
    _h("year 9999, with time", "9999-12-31T23:59", "date"),
    _h("10^6 characters", "x" * 1_000_000, "once"),
    _h("2,000 times the same key", "1", "once", repeat=2000),
    _h("line separator", "a\u2028b", "once"),
    _h("template and script", "{{7*7}}<script>alert(1)</script>", "once"),
)

DEEP = 500  # levels of nesting in the deep JSON values


@dataclass(frozen=True)
class JsonHostile:
    """A JSON value written as it is into a request body (so `1e400` and `NaN` reach the parser untouched)."""

    name: str
    token: bytes
    kind: str = "core"


def _j(name, token, kind="core"):
    return JsonHostile(name, token if isinstance(token, bytes) else token.encode("utf-8"), kind)


def _string(name, kind):
    return _j(f"string: {name}", json.dumps(next(value.value for value in CATALOG if value.name == name)), kind)


JSON_CATALOG = (
    _string("NUL in text", "core"),
    _string("C0 controls and delete", "once"),
    _j("string: lone surrogate escape", r'"a\ud800b"', "once"),
    _j("string: invalid UTF-8", b'"a\xffb"', "once"),  # the whole body is refused
    _string("empty", "once"),
    _j("null", "null"),
    _j("object", '{"a": 1}'),
    _j("20 nines", "99999999999999999999", "number"),
    _j("2^31", "2147483648", "number"),
    _j("zero", "0", "once"),
    _j("a fraction", "0.1", "once"),
    _j("1e400", "1e400", "once"),
    _j("NaN", "NaN", "number"),
    _j("Infinity", "Infinity", "once"),
    _j("true", "true", "number"),
    _string("fullwidth digits", "once"),
    *(_string(name, "date") for name in ("year 1", "February 30", "year 9999, with time")),
    *(_string(name, "once") for name in ("year 9999", "local time skipped by DST", "10^6 characters", "blanks",
                                         "line separator", "template and script")),
    _j("empty list", "[]", "once"),
    _j("list of texts", '["a", "b"]', "once"),
    _j("list of 2,000 numbers", json.dumps([1] * 2000), "once"),
    _j("array 500 deep", "[" * DEEP + "]" * DEEP, "once"),
    _j("object 500 deep", '{"a": ' * DEEP + "1" + "}" * DEEP, "once"),
)

# Bodies that are hostile as a whole, whatever the operation reads.
JSON_BODIES = (
    _j("array 500 deep", "[" * DEEP + "]" * DEEP),
    _j("object 500 deep", '{"a": ' * DEEP + "1" + "}" * DEEP),
    _j("a list", "[]"),  # as null would be: not an object
    _j("a number", "1e400"),
    _j("not JSON", "{'a': 1"),  # as an empty body would be
    _j("invalid UTF-8", b'{"a": "\xff"}'),
    _j("NUL key", '{"a\\u0000b": 1}'),
)


def plan(names, kinds, catalog, already=()):
    """The (field, value) pairs sent to one target: the core values and those of its kind to every field; each other
    value once, to the first field of the kind it looks like, or else the first text field, unless `already` names it
    (another target of the route had it)."""
    pairs = [(name, value) for name in names for value in catalog if value.kind in ("core", kinds.get(name, "text"))]
    sent = {value.name for _, value in pairs} | set(already)
    first_text = next((name for name in names if kinds.get(name, "text") == "text"), names[0] if names else None)
    for value in catalog:
        if value.name not in sent and first_text is not None:
            kind = value.kind if value.kind != "once" else kind_of_value(value_text(value))
            pairs.append((next((name for name in names if kinds.get(name) == kind), first_text), value))
    return pairs


def value_text(value):
    """The text of a hostile value, as a field would show it (JSON strings unquoted)."""
    text = value.token.decode("utf-8", "replace") if isinstance(value, JsonHostile) else value.value
    return text.strip('"') if isinstance(text, str) else ""


def kind_of_value(value):
    """The kind of a field ("number", "date" or "text") from the value it shows."""
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", value or ""):
        return "number"
    if re.match(r"\d{4}-\d\d-\d\d|\d\d?/\d\d?/\d{4}", value or ""):
        return "date"
    return "text"


def kind_of_schema(schema, components):
    """The kind of a JSON field ("number", "date" or "text") from its schema."""
    if "$ref" in schema:
        return kind_of_schema(components[schema["$ref"].rsplit("/", 1)[1]], components)
    kinds = schema.get("type")
    kinds = set(kinds if isinstance(kinds, list) else [kinds])
    if kinds & {"integer", "number"}:
        return "number"
    if schema.get("format") in ("date", "date-time"):
        return "date"
    return "text"


def query_string(pairs):
    """`[(key, Hostile)]` as the bytes of a query string or form body."""
    return "&".join(segment for key, value in pairs for segment in value.pairs(key)).encode("latin-1")


def plain(value):
    return Hostile("baseline", value)


def json_body(baseline, tokens):
    """The baseline object with some fields holding JSON written as it is: {field: token}."""
    markers = {field: f"\u2603hostile{index}\u2603" for index, field in enumerate(tokens)}
    text = json.dumps({**baseline, **markers}).encode("utf-8")
    for field, marker in markers.items():
        text = text.replace(json.dumps(marker).encode("utf-8"), tokens[field])
    return text


def example_of(schema, components):
    """A plausible value of a JSON schema: the baseline each hostile value replaces one field of."""
    if "$ref" in schema:
        return example_of(components[schema["$ref"].rsplit("/", 1)[1]], components)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {name: example_of(inner, components) for name, inner in schema.get("properties", {}).items()}
    return {"string": {"date": "2027-01-15", "date-time": "2027-01-10T18:00"}.get(schema.get("format"), "Texte"),
            "integer": 1, "number": 1, "boolean": True, "array": [], "null": None}[kind]


# Reading the pages: forms (POST fields with a baseline value; GET forms' parameters) and links' query parameters.

class PageReader(HTMLParser):
    """The forms of a page and the query parameters of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links, self._form, self._select, self._textarea = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "a" and "?" in attrs.get("href", ""):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"method": attrs.get("method", "get").lower(), "action": attrs.get("action", ""),
                          "fields": {}, "order": [], "kinds": {}}
            self.forms.append(self._form)
        elif tag == "option" and self._select and self._form is not None:
            field = self._form["fields"][self._select]
            self._kind(self._select, attrs.get("value", ""))
            if "selected" in attrs or (field[0] in (None, "") and attrs.get("value")):
                field[0] = attrs.get("value", "")
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("date", "datetime-local", "month", "time"):
                self._form["kinds"][attrs["name"]] = "date"
            elif kind == "number" or attrs.get("inputmode") in ("numeric", "decimal"):
                self._form["kinds"][attrs["name"]] = "number"
            elif kind not in ("submit", "image", "reset", "button", "file"):
                self._kind(attrs["name"], attrs.get("value", ""))
            if kind in ("checkbox", "radio"):
                self._field(attrs["name"], attrs.get("value", "on") if "checked" in attrs else None,
                            fallback=attrs.get("value", "on") if kind == "radio" else None)
            elif kind not in ("submit", "image", "reset", "button", "file"):
                self._field(attrs["name"], attrs.get("value", ""))
            elif kind == "submit":
                self._field(attrs["name"], attrs.get("value", ""), button=True)
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            self._field(attrs["name"], attrs.get("value", ""), button=True)
        elif tag == "select":
            self._select = attrs["name"]
            self._field(self._select, None)
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._field(self._textarea, "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def _kind(self, name, value):
        """A field is a number (or an id) or a day when every value it shows is; else text."""
        kinds = self._form["kinds"]
        if value:
            found = kind_of_value(value)
            kinds[name] = found if kinds.get(name, found) == found else "text"

    def _field(self, name, value, fallback=None, button=False):
        fields = self._form["fields"]
        if name not in fields:
            fields[name] = [value if value is not None else fallback, button]
            self._form["order"].append(name)
        elif value is not None and (fields[name][0] is None or fields[name][1] and not button):
            fields[name][0] = value


def read_page(html):
    reader = PageReader()
    reader.feed(html)
    return reader


def baseline_of(form):
    """The pairs a browser would send for the form as shown, clicking its first named button."""
    pairs, clicked = [], False
    for name in form["order"]:
        value, button = form["fields"][name]
        if button:
            if clicked:
                continue
            clicked = True
        if value is not None:
            pairs.append((name, value))
    return pairs


def path_and_query(url):
    """The path of a URL, and the kind of each of its query parameters {name: kind}."""
    parts = urlsplit(url)
    return parts.path, {name: kind_of_value(value) for name, value in parse_qsl(parts.query, keep_blank_values=True)}


# What a request wrote: INSERT, UPDATE and DELETE statements of the transactions that committed.

WRITES = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


class WriteWatch:
    """Tables written by committed transactions since the last `take()`."""

    def __init__(self, engine):
        self.committed = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _statement(self, connection, cursor, statement, parameters, context, executemany):
        found = WRITES.match(statement)
        if found:
            connection.info.setdefault("allies_writes", []).append(found.group(2))

    def _commit(self, connection):
        self.committed += connection.info.pop("allies_writes", [])

    def _rollback(self, connection):
        connection.info.pop("allies_writes", None)

    def take(self):
        written, self.committed = self.committed, []
        return written


def first_line(error):
    """The exception and the deepest line of the application it came from."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "/app/" in frame.filename]
    where = f" at {frames[-1].filename.split('/app/', 1)[1]}:{frames[-1].lineno}" if frames else ""
    text = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}{where}"
