"""Changes to the directory: import from an HR export, roles granted and revoked."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..database import session
from .importer import DirectoryFileError, LineErrors
from .models import OrgUnit, RoleGrant, User


@dataclass
class ImportSummary:
    """What an import did (or would do, in a dry run)."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


def check_managers(rows, existing, deactivate_missing):
    """Unknown managers and manager cycles, per line; raises DirectoryFileError."""
    errors = LineErrors()
    in_file = {row.login: row for row in rows}
    manager_of = {login: (user.manager.login if user.manager else "") for login, user in existing.items()}
    manager_of.update({row.login: row.manager for row in rows})
    for row in rows:
        if not row.manager:
            continue
        if row.manager not in manager_of:
            errors.add(row.line, _("manager \"%(manager)s\" is neither in the file nor in the directory",
                                   manager=row.manager))
        elif deactivate_missing and row.manager not in in_file:
            errors.add(row.line, _("manager \"%(manager)s\" is not in the file and would be deactivated",
                                   manager=row.manager))
    for row in rows:
        chain = [row.login]
        current = manager_of.get(row.login, "")
        while current and current not in chain and current in manager_of:
            chain.append(current)
            current = manager_of[current]
        if current == row.login:
            errors.add(row.line, _("manager cycle: %(chain)s", chain=" → ".join(chain + [row.login])))
    if errors:
        raise DirectoryFileError(errors)


def _unit_for_path(path, units):
    """The org unit at `path`, creating it and its missing ancestors."""
    if path in units:
        return units[path]
    parent_path, _sep, name = path.rpartition("/")
    unit = OrgUnit(name=name, path=path, parent=_unit_for_path(parent_path, units) if parent_path else None)
    session.add(unit)
    units[path] = unit
    return unit


def _snapshot(user):
    """The imported fields of a user, to tell an update from no change."""
    return (user.email, user.given_name, user.family_name, user.org_unit.path if user.org_unit else None,
            user.manager.login if user.manager else "", user.quotity, tuple(user.roles), user.active)


def import_directory(rows, deactivate_missing=False, on_row=None):
    """Create and update users by login from checked rows, in the current transaction.

    Nothing is written when a manager is unknown or managers form a cycle. `on_row` is
    called after each row (for a progress bar).
    """
    existing = {
        user.login: user
        for user in session.execute(
            select(User).options(selectinload(User.role_grants), selectinload(User.org_unit), selectinload(User.manager))
        ).scalars()
    }
    check_managers(rows, existing, deactivate_missing)
    units = {unit.path: unit for unit in session.execute(select(OrgUnit)).scalars()}
    summary = ImportSummary()
    before = {login: _snapshot(user) for login, user in existing.items()}
    users = dict(existing)
    for row in rows:
        user = users.get(row.login)
        if user is None:
            user = users[row.login] = User(login=row.login, session_version=1)
            session.add(user)
        user.email, user.given_name, user.family_name = row.email, row.given_name, row.family_name
        user.org_unit = _unit_for_path(row.org_unit, units)
        user.quotity = row.quotity
        if user.active and not row.active:
            user.end_sessions()
        user.active = row.active
        granted = set(user.roles)
        for grant in [grant for grant in user.role_grants if grant.role not in row.roles]:
            user.role_grants.remove(grant)
        user.role_grants.extend(RoleGrant(role=role) for role in row.roles if role not in granted)
        if on_row:
            on_row(row)
    for row in rows:
        users[row.login].manager = users[row.manager] if row.manager else None

    in_file = {row.login for row in rows}
    for login, user in users.items():
        if login not in before:
            summary.created += 1
        elif deactivate_missing and login not in in_file and user.active:
            user.active = False
            user.end_sessions()
            summary.deactivated += 1
        elif before[login][-1] and not user.active:
            summary.deactivated += 1
        elif before[login] != _snapshot(user):
            summary.updated += 1
        else:
            summary.unchanged += 1
    session.flush()
    record("directory.import", rows=len(rows), deactivate_missing=deactivate_missing, **summary.__dict__)
    return summary


def grant_role(user, role, actor):
    """Give `user` the role; granting a role already held changes nothing."""
    if user.has_role(role):
        return False
    user.role_grants.append(RoleGrant(role=role))
    record("directory.role_granted", actor=actor, obj=user, role=role)
    return True


def revoke_role(user, role, actor):
    """Take the role from `user`; an admin cannot remove their own admin role."""
    if user.id == actor.id and role == "admin":
        raise ValueError(_("You cannot remove your own admin role: ask another admin."))
    grants = [grant for grant in user.role_grants if grant.role == role]
    for grant in grants:
        user.role_grants.remove(grant)
    if grants:
        record("directory.role_revoked", actor=actor, obj=user, role=role)
    return bool(grants)
