"""Identities: one per sign-on source and agent, linked to the directory login on first sign-in."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Identity
from app.auth.operations import agent_for_identity
from app.database import session


def actions():
    return [entry.action for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def test_first_sign_in_links_the_subject_to_the_login_then_the_subject_alone_finds_the_agent(people):
    agent = people["agent"]
    assert agent_for_identity("oidc", "sub-123", "ALEX.AGENT") == agent
    agent.login = "alex.martin"  # renamed in the directory
    assert agent_for_identity("oidc", "sub-123", "whatever") == agent
    identity = session.execute(select(Identity)).scalar_one()
    assert (identity.source, identity.subject, identity.user_id) == ("oidc", "sub-123", agent.id)
    assert actions() == ["auth.identity_linked", "auth.sign_in", "auth.sign_in"]


def test_a_second_subject_of_the_same_source_never_gets_the_same_agent(people):
    agent = people["agent"]
    assert agent_for_identity("ldap", "uid=alex,ou=people", "alex.agent") == agent
    assert agent_for_identity("ldap", "uid=impostor,ou=people", "alex.agent") is None
    assert session.execute(select(Identity.subject)).scalars().all() == ["uid=alex,ou=people"]
    assert actions()[-1] == "auth.sign_in_failed"


def test_each_source_links_once_to_the_same_agent(people):
    agent = people["agent"]
    assert agent_for_identity("ldap", "uid=alex", "alex.agent") == agent
    assert agent_for_identity("oidc", "sub-9", "alex.agent") == agent
    assert sorted(session.execute(select(Identity.source)).scalars()) == ["ldap", "oidc"]


def test_unknown_logins_and_deactivated_agents_are_refused(people):
    assert agent_for_identity("oidc", "sub-1", "nobody") is None
    people["agent"].active = False
    assert agent_for_identity("oidc", "sub-2", "alex.agent") is None
    assert actions().count("auth.sign_in_failed") == 2
