"""Every Alliés model, imported in one place for migrations and tests."""

from .api.models import ApiToken
from .approvals.models import Decision, DecisionLink, Delegation, RequestReminder
from .audit.models import AuditEntry
from .auth.models import Identity
from .budgets.models import Allocation, Extension, TimeEntry
from .calls.models import Call, Question, call_audience
from .directory.models import OrgUnit, RoleGrant, User
from .mail.models import LinkToken, MailPreference, OutboxMessage
from .recognition.models import Attestation, Badge, Testimonial, ThankYouLetter
from .signups.models import Answer, SignUp

__all__ = ["Allocation", "Answer", "ApiToken", "Attestation", "AuditEntry", "Badge", "Call", "Decision", "DecisionLink",
           "Delegation", "Extension", "Identity", "LinkToken", "MailPreference", "OrgUnit", "OutboxMessage", "Question",
           "RequestReminder", "RoleGrant", "SignUp", "Testimonial", "ThankYouLetter", "TimeEntry", "User",
           "call_audience"]
