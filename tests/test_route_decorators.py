"""Every view of Alliés says who may reach it: an access decorator of app/auth/access.py, `public` included."""

import pytest

from app.auth.access import login_required, public, public_or_signed_in, role_required
from tests.test_access_matrix import MATRIX, SIGN_IN

# Flask's own view of the blueprint's static folder: files anyone may fetch, and no view function of ours.
STATIC = "allies.main.static"


@pytest.mark.once  # the code, whatever the database
def test_every_view_carries_an_access_decision(app):
    views = {endpoint: view for endpoint, view in app.view_functions.items() if endpoint.startswith("allies.")}
    assert len(views) > 50, "the url_map holds Alliés' views"
    undecided = sorted(endpoint for endpoint, view in views.items()
                       if endpoint != STATIC and getattr(view, "access", None) is None)
    assert not undecided, f"views without an access decorator (login_required, role_required, public…): {undecided}"


@pytest.mark.once  # the code, whatever the database
def test_each_decorator_records_its_decision():
    def view():
        """A view."""

    assert not hasattr(view, "access")
    assert login_required(view).access == "signed in"
    assert role_required("lab")(view).access == "role lab"
    assert public_or_signed_in(view).access == "public or signed in"
    assert not hasattr(view, "access"), "the decorators above wrap the view and leave it as it was"
    assert public(view).access == "public"


@pytest.mark.once  # the code, whatever the database
def test_public_views_are_the_known_few(app):
    public_views = sorted(endpoint for endpoint, view in app.view_functions.items()
                          if getattr(view, "access", None) == "public")
    assert public_views == [
        "allies.api.openapi_document", "allies.approvals.by_link", "allies.auth.login", "allies.auth.oidc_callback", "allies.auth.oidc_signed_out",
        "allies.auth.oidc_start", "allies.main.accessibility", "allies.main.privacy", "allies.main.set_language",
        "allies.main.theme", "allies.recognition.verify"]


def test_the_access_matrix_agrees_with_the_decorators(app):
    """What each decorator declares is what the matrix expects (the JSON API answers 401 to all without a token)."""
    for endpoint, (_, _, expected) in MATRIX.items():
        access = "public" if endpoint == STATIC else app.view_functions[endpoint].access
        api = endpoint.startswith("allies.api.") and access != "public"
        if access == "public":
            assert expected["anonymous"] != SIGN_IN, endpoint
        else:
            assert expected["anonymous"] == (401 if api else SIGN_IN), endpoint
        if access.startswith("role "):
            others = {role: status for role, status in expected.items() if role not in ("anonymous", access[5:])}
            assert set(others.values()) == {401 if api else 403}, endpoint
