"""Reading and checking an HR export of the directory (CSV) before anything is written."""

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from .models import ROLES

COLUMNS = ("login", "email", "given_name", "family_name", "org_unit", "manager", "quotity", "roles", "active")
# Columns a file may leave out: without them, people's civil-service category and filière stay as they are.
OPTIONAL_COLUMNS = ("category", "filiere")
# The civil-service categories (A, B, C) and contract staff, as files write them.
CATEGORY_WORDS = {"a": "A", "b": "B", "c": "C", "contractuel": "contractuel", "contractuelle": "contractuel",
                  "contractuel·le": "contractuel"}
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TRUE_WORDS = {"", "1", "true", "yes", "y", "oui", "o", "vrai"}
FALSE_WORDS = {"0", "false", "no", "n", "non", "faux"}


@dataclass
class DirectoryRow:
    """One checked line of the file."""

    line: int
    login: str
    email: str
    given_name: str
    family_name: str
    org_unit: str
    manager: str
    quotity: int
    roles: tuple
    active: bool
    # None: the file has no such column; "": the column is there, empty for this person (unknown).
    category: str | None = None
    filiere: str | None = None


@dataclass
class LineErrors:
    """Messages about a file, each tied to its line number (or to a place named in `places`, such as a DN)."""

    messages: list = field(default_factory=list)
    places: dict = field(default_factory=dict)

    def add(self, line, message):
        """Record one message for `line`."""
        self.messages.append((line, message))

    def __bool__(self):
        return bool(self.messages)

    def lines(self):
        """The messages sorted by line, as printable text (a message about the whole file has no line)."""
        return [message if line is None
                else _("entry %(dn)s: %(message)s", dn=self.places[line], message=message) if line in self.places
                else _("line %(line)d: %(message)s", line=line, message=message)
                for line, message in sorted(self.messages, key=lambda item: item[0] or 0)]


@dataclass
class ParsedDirectory:
    """What was read from a file: the valid rows, every login seen, and the errors per line."""

    errors: LineErrors
    rows: list = field(default_factory=list)
    logins: set = field(default_factory=set)


class DirectoryFileError(Exception):
    """The file cannot be imported; `errors` says why, line by line."""

    def __init__(self, errors):
        super().__init__("\n".join(errors.lines()))
        self.errors = errors


def decode(raw):
    """The file's text; a file that is not UTF-8 is refused with the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        errors = LineErrors()
        line = raw[: error.start].count(b"\n") + 1
        errors.add(line, _("the file is not encoded in UTF-8 (byte 0x%(byte)02x). Save it as \"CSV UTF-8\" and "
                           "import it again.", byte=raw[error.start]))
        raise DirectoryFileError(errors) from None


def parse_directory_csv(raw):
    """The file's rows that passed their checks, and the errors of the others.

    A file that cannot be read at all (encoding, NUL, columns) raises DirectoryFileError.
    """
    text = decode(raw)
    if "\x00" in text:
        errors = LineErrors()
        errors.add(text[: text.index("\x00")].count("\n") + 1,
                   _("the file contains a NUL character: it is not a CSV text file"))
        raise DirectoryFileError(errors)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors = LineErrors()
    header = next(reader, None)
    if header is None:
        errors.add(1, _("the file is empty; the first line must name the columns: %(columns)s",
                        columns=", ".join(COLUMNS)))
        raise DirectoryFileError(errors)
    header = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS + OPTIONAL_COLUMNS]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        errors.add(1, _("missing columns: %(names)s", names=", ".join(missing)))
    if unknown:
        errors.add(1, _("unknown columns: %(names)s", names=", ".join(unknown)))
    if duplicated:
        errors.add(1, _("repeated columns: %(names)s", names=", ".join(duplicated)))
    if errors:
        errors.add(1, _("the expected columns are: %(columns)s (and, if you have them, %(optional)s)",
                        columns=", ".join(COLUMNS), optional=", ".join(OPTIONAL_COLUMNS)))
        raise DirectoryFileError(errors)

    return parse_directory_records(_csv_records(reader, header, errors), errors)


def _csv_records(reader, header, errors):
    """(line number, values by column) for each non-blank line of the file; unreadable lines go to `errors`."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.add(reader.line_num, _("the line cannot be read as CSV (%(reason)s); nothing after it was read",
                                          reason=str(error)))
            return
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.add(line, _("%(found)d values where %(expected)d columns are expected",
                               found=len(values), expected=len(header)))
            continue
        yield line, dict(zip(header, (value.strip() for value in values)))


def parse_directory_records(records, errors):
    """The checked rows of (line number, values by column) pairs, whether from a file or a directory server."""
    parsed = ParsedDirectory(errors=errors)
    first_line_of = {}
    for line, values in records:
        parsed.logins.add(values["login"].lower())
        row = _check_row(line, values, errors)
        if row is None:
            continue
        if row.login in first_line_of:
            errors.add(line, _("login \"%(login)s\" already appears on line %(other)d",
                               login=row.login, other=first_line_of[row.login]))
            continue
        first_line_of[row.login] = line
        parsed.rows.append(row)
    return parsed


def _check_row(line, values, errors):
    """A DirectoryRow from one line's values, or None after recording what is wrong."""
    count = len(errors.messages)
    login = values["login"].lower()
    if not LOGIN_PATTERN.match(login):
        errors.add(line, _("login \"%(login)s\" is not valid: 2 to 64 letters, digits, dots, dashes or "
                           "underscores", login=values["login"]))
    email = values["email"]
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        errors.add(line, _("e-mail \"%(email)s\" is not a valid address", email=values["email"]))
    for name, label in (("given_name", _("given name")), ("family_name", _("family name"))):
        if not values[name]:
            errors.add(line, _("the %(field)s is empty", field=label))
        elif len(values[name]) > 100:
            errors.add(line, _("the %(field)s is longer than 100 characters", field=label))
    segments = [segment.strip() for segment in values["org_unit"].split("/")]
    org_unit = "/".join(segments)
    if not values["org_unit"]:
        errors.add(line, _("the org unit is empty"))
    elif not all(segments):
        errors.add(line, _("org unit \"%(path)s\" is not a path like DGS/Direction/Service",
                           path=values["org_unit"]))
    elif len(org_unit) > 1000 or any(len(segment) > 200 for segment in segments):
        errors.add(line, _("org unit \"%(path)s\" is too long", path=values["org_unit"][:80]))
    quotity_text = values["quotity"].replace("%", "").strip() or "100"
    quotity = int(quotity_text) if quotity_text.isdigit() else None
    if quotity is None or not 50 <= quotity <= 100:
        errors.add(line, _("quotity \"%(value)s\" must be a whole percentage between 50 and 100",
                           value=values["quotity"]))
    roles = tuple(sorted({role.strip().lower() for role in re.split(r"[,;\s]+", values["roles"]) if role.strip()}))
    unknown_roles = [role for role in roles if role not in ROLES]
    if unknown_roles:
        errors.add(line, _("unknown role(s) %(roles)s: only %(allowed)s are allowed",
                           roles=", ".join(unknown_roles), allowed=", ".join(ROLES)))
    active_text = values["active"].lower()
    if active_text not in TRUE_WORDS | FALSE_WORDS:
        errors.add(line, _("active \"%(value)s\" must be 1 or 0", value=values["active"]))
    category = values.get("category")
    if category is not None:
        category = CATEGORY_WORDS.get(category.strip().lower(), "" if not category.strip() else None)
        if category is None:
            errors.add(line, _("category \"%(value)s\" must be A, B, C or contractuel (or left empty)",
                               value=values["category"]))
    filiere = values.get("filiere")
    if filiere is not None and len(filiere) > 60:
        errors.add(line, _("the filière is longer than 60 characters"))
    if len(errors.messages) > count:
        return None
    return DirectoryRow(line=line, login=login, email=email, given_name=values["given_name"],
                        family_name=values["family_name"], org_unit=org_unit, manager=values["manager"].lower(),
                        quotity=quotity, roles=roles, active=active_text in TRUE_WORDS, category=category,
                        filiere=filiere)
