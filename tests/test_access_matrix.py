"""Every endpoint of the url_map, for every role: the expected answer. A new endpoint must join the table."""

import pytest

from tests.conftest import ATTESTATION_NUMBER, DECISION_LINK_SECRET, sign_in
from tests.pages import parse_page

ROLES = ("anonymous", "agent", "manager", "lab", "admin")
SIGN_IN = "login"  # anonymous visitors are redirected to the sign-in page


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status):
    return {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], status)}


def only(role, status):
    return {"anonymous": SIGN_IN, **{r: (status if r == role else 403) for r in ROLES[1:]}}


# endpoint: (method, URL arguments (names resolved against the people fixture), expected per role)
MATRIX = {
    "allies.main.home": ("GET", {}, signed_in(200)),
    "allies.main.privacy": ("GET", {}, everyone(200)),
    "allies.main.accessibility": ("GET", {}, everyone(200)),
    "allies.main.theme": ("GET", {}, everyone(200)),
    "allies.main.set_language": ("POST", {}, everyone(302)),
    "allies.main.static": ("GET", {"filename": "allies/allies.css"}, everyone(200)),
    "allies.auth.login": ("GET", {}, {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    "allies.auth.logout": ("POST", {}, signed_in(302)),
    # OpenID Connect sign-in: absent (404) unless ALLIES_IDENTITY_SOURCE is "oidc" (tests/test_oidc.py covers that mode).
    "allies.auth.oidc_start": ("GET", {}, everyone(404)),
    "allies.auth.oidc_callback": ("GET", {}, everyone(404)),
    "allies.auth.oidc_signed_out": ("GET", {}, everyone(404)),
    "allies.directory.users": ("GET", {}, only("admin", 200)),
    "allies.directory.user_detail": ("GET", {"user_id": "agent"}, only("admin", 200)),
    "allies.directory.grant": ("POST", {"user_id": "agent"}, only("admin", 302)),
    "allies.directory.revoke": ("POST", {"user_id": "agent"}, only("admin", 302)),
    "allies.directory.org_units": ("GET", {}, only("admin", 200)),
    "allies.calls.index": ("GET", {}, signed_in(200)),
    "allies.calls.show": ("GET", {"call_id": "call"}, signed_in(200)),
    "allies.calls.widget": ("GET", {}, signed_in(200)),  # anyone when ALLIES_PUBLIC_CALLS is on (tests/test_feed.py)
    "allies.calls.feed": ("GET", {}, signed_in(200)),
    "allies.calls.manage": ("GET", {}, only("lab", 200)),
    "allies.calls.new": ("GET", {}, only("lab", 200)),
    "allies.calls.edit": ("GET", {"call_id": "call"}, only("lab", 200)),
    "allies.calls.preview": ("GET", {"call_id": "call"}, only("lab", 200)),
    "allies.calls.publish_call": ("POST", {"call_id": "call"}, only("lab", 302)),
    "allies.calls.close_call": ("POST", {"call_id": "call"}, only("lab", 302)),
    "allies.calls.archive_call": ("POST", {"call_id": "call"}, only("lab", 302)),
    "allies.calls.new_question": ("POST", {"call_id": "call"}, only("lab", 422)),  # the matrix posts no question
    "allies.calls.edit_question": ("GET", {"call_id": "call", "question_id": "question"}, only("lab", 200)),
    "allies.calls.move": ("POST", {"call_id": "call", "question_id": "question"}, only("lab", 302)),
    "allies.calls.remove": ("POST", {"call_id": "call", "question_id": "question"}, only("lab", 302)),
    "allies.signups.new": ("GET", {"call_id": "call"}, {**signed_in(200), "agent": 302}),  # the agent has signed up
    "allies.signups.mine": ("GET", {}, signed_in(200)),
    "allies.signups.withdraw_signup": ("GET", {"signup_id": "signup"}, {**signed_in(404), "agent": 200}),
    "allies.signups.of_call": ("GET", {"call_id": "call"}, only("lab", 200)),
    "allies.signups.detail": ("GET", {"signup_id": "signup"}, only("lab", 200)),
    "allies.signups.decline_signup": ("POST", {"signup_id": "signup"}, only("lab", 422)),  # no reason given
    "allies.signups.lab_notices": ("GET", {}, only("lab", 200)),
    "allies.approvals.inbox": ("GET", {}, signed_in(200)),
    "allies.approvals.decide": ("GET", {"signup_id": "signup"}, {**signed_in(404), "manager": 200, "lab": 200}),  # lab deputises
    "allies.approvals.approve_many": ("POST", {}, signed_in(302)),  # only the manager's own requests are approved
    "allies.approvals.delegation": ("GET", {}, signed_in(200)),
    "allies.approvals.revoke": ("POST", {"delegation_id": "delegation"}, {**signed_in(404), "manager": 302}),
    "allies.approvals.decide_extension": ("GET", {"extension_id": "extension"}, {**signed_in(404), "manager": 200, "lab": 200}),
    "allies.approvals.revise": ("GET", {"allocation_id": "allocation"}, {**signed_in(404), "manager": 200, "lab": 200}),
    "allies.approvals.history": ("GET", {}, signed_in(200)),
    "allies.approvals.notices": ("GET", {}, signed_in(200)),
    "allies.recognition.mine": ("GET", {}, signed_in(200)),
    "allies.recognition.attestation": ("POST", {}, signed_in(422)),  # the matrix posts no period
    "allies.recognition.badge_visibility": ("POST", {}, signed_in(302)),
    # A thank-you letter: its agent and the lab; its agent's manager only once the agent sent it.
    "allies.recognition.letter": ("GET", {"letter_id": "letter"}, {**signed_in(404), "agent": 200, "lab": 200}),
    "allies.recognition.forward": ("POST", {"letter_id": "letter"}, {**signed_in(404), "agent": 302}),
    "allies.recognition.verify": ("GET", {"number": ATTESTATION_NUMBER}, everyone(200)),
    "allies.recognition.lab_agent": ("GET", {"user_id": "agent"}, only("lab", 200)),
    "allies.recognition.give_badge": ("POST", {"user_id": "agent"}, only("lab", 422)),  # no badge chosen
    "allies.recognition.write": ("POST", {"user_id": "agent"}, only("lab", 422)),  # no letter written
    "allies.recognition.revoke": ("POST", {"attestation_id": "attestation"}, only("lab", 302)),
    "allies.recognition.testify": ("POST", {"user_id": "agent"}, only("lab", 422)),  # nothing written
    "allies.recognition.answer": ("POST", {"testimonial_id": "testimonial"}, {**signed_in(404), "agent": 302}),
    # A decision link: anyone holding it reaches the page (ALLIES_DECISION_LINKS "link"), but a browser signed in
    # as someone else than its approver is refused, the agent first (tests/test_decision_links.py covers the modes).
    "allies.approvals.by_link": ("GET", {"secret": DECISION_LINK_SECRET},
                                 {**everyone(403), "anonymous": 200, "manager": 200}),
    "allies.approvals.team": ("GET", {}, signed_in(200)),
    "allies.budgets.mine": ("GET", {}, signed_in(200)),
    "allies.budgets.allocation": ("GET", {"allocation_id": "allocation"}, {**signed_in(404), "agent": 200}),
    "allies.budgets.edit_entry": ("GET", {"entry_id": "entry"}, {**signed_in(404), "agent": 200}),
    "allies.budgets.remove_entry": ("POST", {"entry_id": "entry"}, {**signed_in(404), "agent": 302}),
    "allies.budgets.extension": ("GET", {"allocation_id": "allocation"}, {**signed_in(404), "agent": 200}),
    "allies.dashboard.dashboard": ("GET", {}, only("lab", 200)),
    "allies.exports.volunteers": ("GET", {}, only("lab", 200)),
    "allies.exports.network": ("GET", {}, only("lab", 200)),
    "allies.exports.export_network": ("POST", {}, only("lab", 400)),  # the matrix posts no file format
    "allies.audit.log": ("GET", {}, only("admin", 200)),
    "allies.privacy.mine": ("GET", {}, signed_in(200)),
    "allies.privacy.download_json": ("GET", {}, signed_in(200)),
    "allies.privacy.download_ods": ("GET", {}, signed_in(200)),
    "allies.exports.export": ("POST", {}, only("lab", 400)),  # the matrix posts no file format
    "allies.api_tokens.mine": ("GET", {}, signed_in(200)),
    "allies.api_tokens.revoke": ("POST", {"token_id": "token"}, {**signed_in(404), "agent": 302}),
    # The JSON API: only a bearer token opens it (tests/test_api.py); a session cookie alone gets 401, whoever it is.
    "allies.api.openapi_document": ("GET", {}, everyone(200)),
    **{f"allies.api.{operation}": (method, arguments, everyone(401)) for operation, method, arguments in (
        ("listCalls", "GET", {}), ("getCall", "GET", {"call_id": "call"}), ("createCall", "POST", {}),
        ("updateCall", "PATCH", {"call_id": "call"}), ("publishCall", "POST", {"call_id": "call"}),
        ("closeCall", "POST", {"call_id": "call"}), ("createSignUp", "POST", {"call_id": "call"}),
        ("listMySignUps", "GET", {}), ("withdrawSignUp", "POST", {"signup_id": "signup"}),
        ("listCallSignUps", "GET", {"call_id": "call"}), ("declineSignUp", "POST", {"signup_id": "signup"}),
        ("listPendingApprovals", "GET", {}), ("decideApproval", "POST", {"signup_id": "signup"}),
        ("getMyBudget", "GET", {}), ("createTimeEntry", "POST", {"allocation_id": "allocation"}),
        ("listTimeEntries", "GET", {"allocation_id": "allocation"}), ("exportVolunteers", "POST", {}),
        ("requestExtension", "POST", {"allocation_id": "allocation"}), ("listPendingExtensions", "GET", {}),
        ("decideExtension", "POST", {"extension_id": "extension"}))},
}


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add these endpoints to MATRIX"
    assert set(MATRIX) - endpoints == set(), "remove these endpoints from MATRIX"


@pytest.mark.once  # who may reach what is the code's, whatever the database
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, shared_objects, endpoint, role):
    objects = shared_objects
    method, arguments, expected = MATRIX[endpoint]
    values = {name: objects[value].id if value in objects else value for name, value in arguments.items()}
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    data = {"role": "lab", "locale": "en"} if method == "POST" else None
    client = app.test_client() if role == "anonymous" else sign_in(app.test_client(), objects[role])
    response = client.open(url, method=method, data=data)
    if expected[role] == SIGN_IN:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
        if response.mimetype == "text/html":  # each page, and each error page, is well formed, titled and headed
            parse_page(response, status=expected[role])
