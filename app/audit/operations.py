"""Writing the audit log; entries are only ever added."""

from flask import has_request_context, request

from ..database import session
from .models import AuditEntry


def record(action, actor=None, obj=None, actor_label=None, **details):
    """Add an audit entry in the current transaction (the caller's commit keeps it)."""
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.login if actor is not None else "system"),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        details=details,
        ip=request.remote_addr if has_request_context() else None,
    )
    session.add(entry)
    return entry
