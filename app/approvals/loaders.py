"""The requests, delegations and allocations a request names, loaded for the approver asking: pages and API alike
(any other is a 404: its existence is not revealed)."""

from flask import abort

from ..auth.identity import current_agent
from ..budgets.models import Allocation, Extension
from ..database import get_or_404
from ..signups.models import SignUp
from .models import Delegation
from .operations import can_decide


def get_request_for_approver(signup_id):
    """A request the signed-in agent decides on."""
    signup = get_or_404(SignUp, signup_id)
    if not can_decide(current_agent(), signup):
        abort(404)
    return signup


def get_extension_for_approver(extension_id):
    """An extension request the signed-in agent decides on."""
    extension = get_or_404(Extension, extension_id)
    if not can_decide(current_agent(), extension.allocation.signup):
        abort(404)
    return extension


def get_allocation_for_approver(allocation_id):
    """An allocation the signed-in agent decides on."""
    allocation = get_or_404(Allocation, allocation_id)
    if not can_decide(current_agent(), allocation.signup):
        abort(404)
    return allocation


def get_own_delegation(delegation_id):
    """One of the signed-in manager's delegations still running."""
    delegation = get_or_404(Delegation, delegation_id)
    if delegation.manager_id != current_agent().id or delegation.revoked_at is not None:
        abort(404)
    return delegation
