"""Reading the audit log."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import local_midnight
from .models import AuditEntry


def audit_entries(actor="", action="", object_type="", object_id=None, since=None, until=None):
    """A select of audit entries matching the filters, newest first: the actor's login, the action (or its
    family, e.g. `export`), the object, and local dates (both included)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor_label == actor.strip())
    if action:
        action = action.strip()
        query = query.where((AuditEntry.action == action)
                            | AuditEntry.action.startswith(action.rstrip(".") + ".", autoescape=True))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if since:
        query = query.where(AuditEntry.at >= local_midnight(since))
    if until:
        query = query.where(AuditEntry.at < local_midnight(until + timedelta(days=1)))
    return query
