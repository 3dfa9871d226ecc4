"""The allocations and time entries a request names, loaded for their agent: pages and API alike (any other is a
404)."""

from flask import abort

from ..auth.identity import current_agent
from ..database import get_or_404
from .models import Allocation, TimeEntry
from .operations import can_change


def get_own_allocation(allocation_id):
    """One of the signed-in agent's allocations."""
    allocation = get_or_404(Allocation, allocation_id)
    if allocation.agent_id != current_agent().id:
        abort(404)
    return allocation


def get_own_entry(entry_id):
    """One of the signed-in agent's time entries that can still change."""
    entry = get_or_404(TimeEntry, entry_id)
    if not can_change(entry, current_agent()):
        abort(404)
    return entry
