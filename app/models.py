"""Every Alliés model, imported in one place for migrations and tests."""

from .api.models import ApiToken
from .approvals.models import Decision, Delegation, RequestReminder
from .audit.models import AuditEntry
from .auth.models import Identity
from .budgets.models import Allocation, Extension, TimeEntry
from .calls.models import Call, Question, call_audience
from .directory.models import OrgUnit, RoleGrant, User
from .mail.models import MailPreference, OutboxMessage
from .signups.models import Answer, SignUp

__all__ = ["Allocation", "Answer", "ApiToken", "AuditEntry", "Call", "Decision", "Delegation", "Extension", "Identity",
           "MailPreference", "OrgUnit", "OutboxMessage", "Question", "RequestReminder", "RoleGrant", "SignUp", "TimeEntry", "User",
           "call_audience"]
