"""Changes to the directory: import from an HR export, roles granted and revoked."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..database import session
from ..text import folded
from .importer import DirectoryFileError, LineErrors
from .models import OrgUnit, RoleGrant, User


@dataclass
class ImportSummary:
    """What an import did (or would do, in a dry run) to the users of the file and, with
    --deactivate-missing, to those absent from it."""

    created: int = 0
    updated: int = 0
    reactivated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    deactivated_missing: list = field(default_factory=list)

    def counts(self):
        """The figures, for messages and the audit log."""
        return {name: value for name, value in self.__dict__.items() if isinstance(value, int)}


def check_managers(parsed, existing, deactivate_missing):
    """Add unknown, deactivated or leaving managers and manager cycles to the file's errors."""
    rows, errors = parsed.rows, parsed.errors
    in_file = {row.login: row for row in rows}
    manager_of = {login: (user.manager.login if user.manager else "") for login, user in existing.items()}
    manager_of.update({row.login: row.manager for row in rows})
    for row in rows:
        if not row.manager:
            continue
        if row.manager not in manager_of:
            if row.manager in parsed.logins:
                continue  # the manager's own line is wrong and already reported
            errors.add(row.line, _("manager \"%(manager)s\" is neither in the file nor in the directory",
                                   manager=row.manager))
        elif deactivate_missing and row.manager not in in_file:
            errors.add(row.line, _("manager \"%(manager)s\" is not in the file and would be deactivated",
                                   manager=row.manager))
        elif row.active and not (in_file[row.manager].active if row.manager in in_file
                                 else existing[row.manager].active):
            errors.add(row.line, _("manager \"%(manager)s\" is deactivated", manager=row.manager))
    for row in rows:
        chain = [row.login]
        current = manager_of.get(row.login, "")
        while current and current not in chain and current in manager_of:
            chain.append(current)
            current = manager_of[current]
        if current == row.login:
            errors.add(row.line, _("manager cycle: %(chain)s", chain=" → ".join(chain + [row.login])))


def _unit_for_path(path, units):
    """The org unit at `path` (matched whatever the case and accents), creating it and its missing ancestors."""
    if folded(path) in units:
        return units[folded(path)]
    parent_path, _sep, name = path.rpartition("/")
    unit = OrgUnit(name=name, path=path, parent=_unit_for_path(parent_path, units) if parent_path else None)
    session.add(unit)
    units[folded(path)] = unit
    return unit


def _snapshot(user):
    """The imported fields of a user, to tell an update from no change; whether they are active comes last."""
    return (user.email, user.given_name, user.family_name, user.org_unit.path if user.org_unit else None,
            user.manager.login if user.manager else "", user.quotity, tuple(user.roles), user.category, user.filiere,
            user.active)


def _sync_roles(user, roles, changes):
    """Give `user` exactly `roles`, noting each grant and revocation in `changes`."""
    for grant in [grant for grant in user.role_grants if grant.role not in roles]:
        user.role_grants.remove(grant)
        changes.append((user, "directory.role_revoked", grant.role))
    held = set(user.roles)
    for role in roles:
        if role not in held:
            user.role_grants.append(RoleGrant(role=role))
            changes.append((user, "directory.role_granted", role))


def _count_active_admins(users):
    return sum(1 for user in users if user.active and user.has_role("admin"))


def import_directory(parsed, deactivate_missing=False, on_row=None):
    """Create and update users by login from a parsed file, in the current transaction.

    Nothing is written when a line is wrong, the file has no agent, a manager is unknown,
    deactivated or in a cycle, or the import would leave no active admin: DirectoryFileError
    then lists every problem at once. `on_row` is called after each row (for a progress bar).
    Every role change is in the audit log.
    """
    rows = parsed.rows
    if not rows and not parsed.errors:
        parsed.errors.add(2, _("the file has no agent: nothing to import"))
    existing = {
        user.login: user
        for user in session.execute(
            select(User).options(selectinload(User.role_grants), selectinload(User.org_unit), selectinload(User.manager))
        ).scalars()
    }
    check_managers(parsed, existing, deactivate_missing)
    if parsed.errors:
        raise DirectoryFileError(parsed.errors)
    admins_before = _count_active_admins(existing.values())
    units = {unit.path_key: unit for unit in session.execute(select(OrgUnit)).scalars()}
    before = {login: _snapshot(user) for login, user in existing.items()}
    users = dict(existing)
    role_changes = []
    for row in rows:
        user = users.get(row.login)
        if user is None:
            user = users[row.login] = User(login=row.login, session_version=1)
            session.add(user)
        user.email, user.given_name, user.family_name = row.email, row.given_name, row.family_name
        user.org_unit = _unit_for_path(row.org_unit, units)
        user.quotity = row.quotity
        if row.category is not None:  # a file without the column leaves it as it is
            user.category = row.category or None
        if row.filiere is not None:
            user.filiere = row.filiere or None
        if user.active and not row.active:
            user.end_sessions()
        user.active = row.active
        _sync_roles(user, row.roles, role_changes)
        if on_row:
            on_row(row)
    for row in rows:
        users[row.login].manager = users[row.manager] if row.manager else None

    summary = ImportSummary()
    in_file = {row.login for row in rows}
    for login, user in users.items():
        was_active = before[login][-1] if login in before else None
        if login not in in_file:
            if deactivate_missing and user.active:
                user.active = False
                user.end_sessions()
                summary.deactivated += 1
                summary.deactivated_missing.append(login)
        elif was_active is None:
            summary.created += 1
        elif was_active and not user.active:
            summary.deactivated += 1
        elif not was_active and user.active:
            summary.reactivated += 1
        elif before[login] != _snapshot(user):
            summary.updated += 1
        else:
            summary.unchanged += 1
    if admins_before and not _count_active_admins(users.values()):
        errors = LineErrors()
        errors.add(None, _("the import would leave no active administrator: keep the admin role of at least "
                           "one active user"))
        raise DirectoryFileError(errors)
    session.flush()
    for user, action, role in role_changes:
        record(action, obj=user, role=role, source="directory import")
    record("directory.import", rows=len(rows), deactivate_missing=deactivate_missing,
           deactivated_logins=summary.deactivated_missing, **summary.counts())
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
