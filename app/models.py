"""Every Alliés model, imported in one place for migrations and tests."""

from .audit.models import AuditEntry
from .directory.models import OrgUnit, RoleGrant, User

__all__ = ["AuditEntry", "OrgUnit", "RoleGrant", "User"]
