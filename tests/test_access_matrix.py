"""Every endpoint of the url_map, for every role: the expected answer. A new endpoint must join the table."""

import pytest

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
    "main.home": ("GET", {}, signed_in(200)),
    "main.privacy": ("GET", {}, everyone(200)),
    "main.accessibility": ("GET", {}, everyone(200)),
    "main.set_language": ("POST", {}, everyone(302)),
    "main.static": ("GET", {"filename": "allies/allies.css"}, everyone(200)),
    "auth.login": ("GET", {}, {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    "auth.logout": ("POST", {}, signed_in(302)),
    "directory.users": ("GET", {}, only("admin", 200)),
    "directory.user_detail": ("GET", {"user_id": "agent"}, only("admin", 200)),
    "directory.grant": ("POST", {"user_id": "agent"}, only("admin", 302)),
    "directory.revoke": ("POST", {"user_id": "agent"}, only("admin", 302)),
    "directory.org_units": ("GET", {}, only("admin", 200)),
}


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add these endpoints to MATRIX"
    assert set(MATRIX) - endpoints == set(), "remove these endpoints from MATRIX"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, people, client_for, endpoint, role):
    method, arguments, expected = MATRIX[endpoint]
    values = {name: people[value].id if value in people else value for name, value in arguments.items()}
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    data = {"role": "lab", "locale": "en"} if method == "POST" else None
    response = client_for(role).open(url, method=method, data=data)
    if expected[role] == SIGN_IN:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
