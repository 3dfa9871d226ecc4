"""Reading people from an LDAP server or Active Directory (ldap3): sign-in look-ups and the directory sync."""

import hashlib
import re
import secrets
import ssl
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from ldap3 import ANONYMOUS, BASE, NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..database import session
from .importer import CATEGORY_WORDS, DirectoryFileError, LineErrors, parse_directory_records
from .models import User

PAGE_SIZE = 500  # below Active Directory's MaxPageSize (1,000)
ACCOUNT_DISABLED = 0x2  # Active Directory's userAccountControl flag of a disabled account
SUBJECT_ATTRIBUTES = ("entryUUID", "objectGUID")  # OpenLDAP, Active Directory
ROLE_GROUP_SETTINGS = {"lab": "ALLIES_LDAP_LAB_GROUP", "admin": "ALLIES_LDAP_ADMIN_GROUP"}
REQUIRED_SETTINGS = ("ALLIES_LDAP_URL", "ALLIES_LDAP_USER_BASE", "ALLIES_LDAP_USER_FILTER",
                     "ALLIES_LDAP_LOGIN_ATTRIBUTE")


def missing_settings(config):
    """The settings LDAP needs that are empty."""
    return [name for name in REQUIRED_SETTINGS if not config.get(name)]


class DirectoryUnreachable(Exception):
    """The LDAP server cannot be reached, or refuses the service account (the detail is for the log)."""


@dataclass
class PersonEntry:
    """One person's entry: its DN, a subject that survives renames, and its login."""

    dn: str
    subject: str
    login: str


def _server(config):
    """The configured server; certificates are always checked (ldaps:// and START_TLS)."""
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config["ALLIES_LDAP_CA_CERTS_FILE"] or None)
    return Server(config["ALLIES_LDAP_URL"], get_info=NONE, tls=tls, connect_timeout=config["ALLIES_LDAP_TIMEOUT"])


def bind(config, dn, password):
    """An open connection bound as `dn` (anonymous when `dn` is empty), or None when the password is refused.

    Raises DirectoryUnreachable when the server does not answer. Callers refuse empty passwords first:
    a simple bind with a DN and no password is an unauthenticated bind that servers report as a success.
    """
    connection = None
    try:
        connection = Connection(_server(config), user=dn or None, password=password or None,
                                authentication=SIMPLE if dn else ANONYMOUS, read_only=True, auto_referrals=False,
                                receive_timeout=config["ALLIES_LDAP_TIMEOUT"], raise_exceptions=False)
        connection.open()
        if config["ALLIES_LDAP_START_TLS"] and not connection.start_tls():
            raise LDAPException(f"START_TLS refused: {connection.result}")
        if connection.bind():
            return connection
    except LDAPException as error:
        close(connection)
        raise DirectoryUnreachable(f"{config['ALLIES_LDAP_URL']}: {error}") from error
    close(connection)
    return None


def close(connection):
    """Unbind and close, whatever state the connection is in."""
    if connection is None:
        return
    try:
        connection.unbind()
    except LDAPException:
        pass  # already broken: nothing left to close


def service_connection(config):
    """A connection bound as the service account (anonymous when none is configured)."""
    connection = bind(config, config["ALLIES_LDAP_BIND_DN"], config["ALLIES_LDAP_BIND_PASSWORD"])
    if connection is None:
        raise DirectoryUnreachable(f"{config['ALLIES_LDAP_URL']}: the service account "
                                   f"{config['ALLIES_LDAP_BIND_DN'] or '(anonymous)'} was refused")
    return connection


def user_filter(config, login):
    """The configured user filter for `login`, escaped so that it matches that exact login and nothing else."""
    return config["ALLIES_LDAP_USER_FILTER"].replace("{login}", escape_filter_chars(login))


def _search(connection, base, search_filter, accepted=("success",), **options):
    """The entries a search finds; DirectoryUnreachable when the server fails or refuses it (other than `accepted`)."""
    try:
        connection.search(base, search_filter, **options)
    except LDAPException as error:
        raise DirectoryUnreachable(str(error)) from error
    if connection.result["description"] not in accepted:
        raise DirectoryUnreachable(f"search refused: {connection.result['description']}")
    return [entry for entry in connection.response or () if entry["type"] == "searchResEntry"]


def first_text(entry, attribute):
    """The first value of `attribute` in a search result as text ("" when absent or not configured)."""
    values = entry["raw_attributes"].get(attribute) if attribute else None
    return values[0].decode("utf-8", "replace").strip() if values else ""


def subject_of(entry):
    """A subject that survives renames and moves: entryUUID or objectGUID when present, else the DN."""
    raw = entry["raw_attributes"]
    if raw.get("objectGUID") and len(raw["objectGUID"][0]) == 16:
        return str(uuid.UUID(bytes_le=raw["objectGUID"][0]))
    subject = first_text(entry, "entryUUID") or entry["dn"]
    # Identity subjects hold 255 characters; a longer DN is kept as its digest.
    return subject if len(subject) <= 255 else "dn-sha256:" + hashlib.sha256(subject.lower().encode()).hexdigest()


def find_person(config, login):
    """The one entry whose login is `login`, or None when there is none or more than one."""
    login_attribute = config["ALLIES_LDAP_LOGIN_ATTRIBUTE"]
    connection = service_connection(config)
    try:
        entries = _search(connection, config["ALLIES_LDAP_USER_BASE"], user_filter(config, login),
                          ("success", "sizeLimitExceeded"), search_scope=SUBTREE,
                          attributes=[login_attribute, *SUBJECT_ATTRIBUTES], size_limit=2)
    finally:
        close(connection)
    if len(entries) != 1:
        return None
    entry = entries[0]
    logins = [value.decode("utf-8", "replace") for value in entry["raw_attributes"].get(login_attribute, ())]
    # A multi-valued login attribute: the value that was typed, in the directory's spelling.
    login_value = next((value for value in logins if value.lower() == login.lower()), logins[0] if logins else "")
    return PersonEntry(dn=entry["dn"], subject=subject_of(entry), login=login_value)


def decoy_dn(config):
    """A DN under the user base that no entry has: binding to it costs what a wrong password costs."""
    return f"cn=allies-no-such-person-{secrets.token_hex(8)},{config['ALLIES_LDAP_USER_BASE']}"


def password_is_right(config, dn, password):
    """Whether `password` is the password of `dn` (an empty password never is)."""
    if not password:
        return False
    connection = bind(config, dn, password)
    if connection is None:
        return False
    close(connection)
    return True


def _dn_key(dn):
    """A DN compared whatever its case, spacing and escapes (a malformed DN is compared as written)."""
    for strip in (True, False):  # spaces around separators need strip; a value ending in "\\ " fails with it
        try:
            return tuple((name.lower(), _unescape(value).lower(), separator)
                         for name, value, separator in parse_dn(dn.strip(), strip=strip))
        except LDAPException:
            continue
    return ((dn.strip().lower(), "", ""),)


def _unescape(value):
    """An RDN value without its DN escapes: `\\,` and `\\2C` both give `,`, and `\\C3\\A9` (UTF-8) gives `é`."""
    return re.sub(r"((?:\\[0-9a-fA-F]{2})+)|\\(.)",
                  lambda match: (bytes.fromhex(match[1].replace("\\", "")).decode("utf-8", "replace")
                                 if match[1] else match[2]), value)


def unit_path_from_dn(dn, base):
    """The entry's place under `base` as an org unit path, outermost first.

    "CN=Alex,OU=Formation,OU=DRH,OU=DGS,DC=corp" under "DC=corp" is "DGS/DRH/Formation"; a "/" in a name
    becomes "-", so that the path keeps the tree's depth.
    """
    rdns = parse_dn(dn)
    depth = len(rdns) - len(parse_dn(base)) if base else len(rdns)
    names = (_unescape(value).strip().replace("/", "-") for _name, value, _separator in reversed(rdns[1:max(depth, 1)]))
    return "/".join(names)


def _active(entry):
    """Active unless Active Directory marks the account disabled."""
    flags = first_text(entry, "userAccountControl")
    return not (flags.isdigit() and int(flags) & ACCOUNT_DISABLED)


def _category_and_filiere(entry, config):
    """The person's category and filière, only when an attribute holds them (otherwise what Alliés knows stays).
    A category the directory writes otherwise than A, B, C or contractuel is unknown, and a filière is cut to 60
    characters: one odd entry never stops the whole sync, and the log says which."""
    values = {}
    if config["ALLIES_LDAP_CATEGORY_ATTRIBUTE"]:
        category = first_text(entry, config["ALLIES_LDAP_CATEGORY_ATTRIBUTE"])
        if category.strip() and category.strip().lower() not in CATEGORY_WORDS:
            current_app.logger.warning("LDAP entry %s: category %r is not A, B, C or contractuel: left unknown.",
                                       entry["dn"], category)
            category = ""
        values["category"] = category
    if config["ALLIES_LDAP_FILIERE_ATTRIBUTE"]:
        values["filiere"] = first_text(entry, config["ALLIES_LDAP_FILIERE_ATTRIBUTE"])[:60]
    return values


def read_people(config, connection):
    """Every entry the user filter matches with any login, sorted by DN (paged search)."""
    mapped = [config[key] for key in ("ALLIES_LDAP_LOGIN_ATTRIBUTE", "ALLIES_LDAP_EMAIL_ATTRIBUTE",
                                      "ALLIES_LDAP_GIVEN_NAME_ATTRIBUTE", "ALLIES_LDAP_FAMILY_NAME_ATTRIBUTE",
                                      "ALLIES_LDAP_UNIT_ATTRIBUTE", "ALLIES_LDAP_MANAGER_ATTRIBUTE",
                                      "ALLIES_LDAP_QUOTITY_ATTRIBUTE", "ALLIES_LDAP_CATEGORY_ATTRIBUTE",
                                      "ALLIES_LDAP_FILIERE_ATTRIBUTE")]
    attributes = sorted({name for name in mapped if name} | {"userAccountControl"})
    try:
        results = connection.extend.standard.paged_search(
            config["ALLIES_LDAP_USER_BASE"], config["ALLIES_LDAP_USER_FILTER"].replace("{login}", "*"),
            search_scope=SUBTREE, attributes=attributes, paged_size=PAGE_SIZE, generator=True)
        entries = [entry for entry in results if entry["type"] == "searchResEntry"]
    except LDAPException as error:
        raise DirectoryUnreachable(str(error)) from error
    if connection.result["description"] not in ("success", ""):
        raise DirectoryUnreachable(f"search refused: {connection.result['description']}")
    return sorted(entries, key=lambda entry: _dn_key(entry["dn"])[::-1])


def role_groups(config):
    """{role: the DN of the directory group that gives it at each sync}, for the roles that have one."""
    return {role: config[setting] for role, setting in ROLE_GROUP_SETTINGS.items() if config.get(setting)}


def read_role_groups(config, connection):
    """The members of each role's configured group: {role: set of member DN keys, or None when the group is missing}.

    Only direct members count (a nested group is not followed); roles without a group are left out. Active
    Directory sends the members of a large group in ranges (1,500 at a time): ldap3's auto_range reads them all.
    """
    groups = role_groups(config)
    if not groups:
        return {}
    member_attribute = config["ALLIES_LDAP_GROUP_MEMBER_ATTRIBUTE"]
    members = {}
    for role, group_dn in groups.items():
        entries = _search(connection, group_dn, "(objectClass=*)", ("success", "noSuchObject"), search_scope=BASE,
                          attributes=[member_attribute])
        members[role] = {_dn_key(value.decode("utf-8", "replace"))
                         for value in entries[0]["raw_attributes"].get(member_attribute, ())} if entries else None
    return members


def _roles(dn_key, user, role_members):
    """The roles of the entry whose DN key is `dn_key`: those of a configured group from its membership, the others
    as granted in Alliés."""
    kept = {role for role in (user.roles if user is not None else ()) if role not in role_members}
    member_of = {role for role, members in role_members.items() if dn_key in members}
    return ",".join(sorted(kept | member_of))


def directory_from_ldap(config):
    """The directory read from the server, checked by the CSV import's rules (a ParsedDirectory).

    Roles come from the groups configured for them (ALLIES_LDAP_LAB_GROUP, ALLIES_LDAP_ADMIN_GROUP); a role
    without a group, and quotities without an attribute, keep what Alliés holds for the users it already has.
    An entry's errors name its DN. Raises DirectoryFileError when the server cannot be read, or when a
    configured group does not exist or lists none of the people read (the role would be taken from everyone).
    """
    try:
        connection = service_connection(config)
        try:
            entries = read_people(config, connection)
            role_members = read_role_groups(config, connection)
        finally:
            close(connection)
    except DirectoryUnreachable as error:
        errors = LineErrors()
        errors.add(None, _("the directory server cannot be read (%(reason)s)", reason=str(error)))
        raise DirectoryFileError(errors) from None
    if not entries:
        errors = LineErrors()
        errors.add(None, _("the directory server returned nobody for the user filter %(filter)s under %(base)s",
                           filter=config["ALLIES_LDAP_USER_FILTER"], base=config["ALLIES_LDAP_USER_BASE"]))
        raise DirectoryFileError(errors)
    keys = [_dn_key(entry["dn"]) for entry in entries]
    logins = [first_text(entry, config["ALLIES_LDAP_LOGIN_ATTRIBUTE"]) for entry in entries]
    group_errors = LineErrors()
    people = set(keys)
    for role, members in role_members.items():
        setting = ROLE_GROUP_SETTINGS[role]
        if members is None:
            group_errors.add(None, _("the group %(group)s named by %(setting)s is not in the directory",
                                     group=config[setting], setting=setting))
        elif not members & people:  # unreadable members, or not DNs: the role would be taken from everyone
            group_errors.add(None, _("the group %(group)s named by %(setting)s has no member among the people read: "
                                     "check that the service account may read its %(attribute)s attribute and "
                                     "that it lists the people's DNs",
                                     group=config[setting], setting=setting,
                                     attribute=config["ALLIES_LDAP_GROUP_MEMBER_ATTRIBUTE"]))
    if group_errors:
        raise DirectoryFileError(group_errors)
    existing_users = {user.login: user
                      for user in session.execute(select(User).options(selectinload(User.role_grants))).scalars()}
    login_of = {key: login.lower() for key, login in zip(keys, logins)}
    errors = LineErrors()
    records = []
    for number, (entry, key, login) in enumerate(zip(entries, keys, logins), start=1):
        errors.places[number] = entry["dn"]
        user = existing_users.get(login.lower())
        manager_dn = first_text(entry, config["ALLIES_LDAP_MANAGER_ATTRIBUTE"])
        quotity = first_text(entry, config["ALLIES_LDAP_QUOTITY_ATTRIBUTE"])
        values = {
            "login": login,
            "email": first_text(entry, config["ALLIES_LDAP_EMAIL_ATTRIBUTE"]),
            "given_name": first_text(entry, config["ALLIES_LDAP_GIVEN_NAME_ATTRIBUTE"]),
            "family_name": first_text(entry, config["ALLIES_LDAP_FAMILY_NAME_ATTRIBUTE"]),
            "org_unit": (first_text(entry, config["ALLIES_LDAP_UNIT_ATTRIBUTE"])
                         or unit_path_from_dn(entry["dn"], config["ALLIES_LDAP_USER_BASE"])),
            # A manager outside what was read keeps its DN: the import then reports it as unknown.
            "manager": login_of.get(_dn_key(manager_dn), manager_dn) if manager_dn else "",
            "quotity": quotity or (str(user.quotity) if user is not None else ""),
            "roles": _roles(key, user, role_members),
            "active": "1" if _active(entry) else "0",
        }
        values.update(_category_and_filiere(entry, config))
        records.append((number, values))
    return parse_directory_records(records, errors)
