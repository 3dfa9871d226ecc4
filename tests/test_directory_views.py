"""Admin pages of the directory: search, org units, roles; no N+1 on the lists."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.database import session
from tests.conftest import count_queries, sign_in


@pytest.fixture
def admin_client(client, people):
    return sign_in(client, people["admin"])


def test_search_by_name_login_and_email(admin_client, make_user):
    make_user("zoe.bernard", given_name="Zoé", family_name="Bernard", email="zb@region.fr")
    for q in ("bernard", "Zoé Bern", "zoe.ber", "zb@region"):
        page = admin_client.get("/admin/users", query_string={"q": q}).get_data(as_text=True)
        assert "zoe.bernard" in page, q
        assert "1 utilisateur trouvé" in page
    assert "zoe.bernard" not in admin_client.get("/admin/users?q=martin").get_data(as_text=True)


def test_filter_by_role_status_and_unit(admin_client, make_user, make_unit):
    unit = make_unit("DGS/Direction des lycées/Service restauration")
    make_user("cook.one", unit=unit)
    make_user("gone.away", active=False)
    page = admin_client.get("/admin/users?role=lab").get_data(as_text=True)
    assert "lea.lab" in page and "alex.agent" not in page
    page = admin_client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "gone.away" in page and "alex.agent" not in page
    page = admin_client.get("/admin/users", query_string={"unit": "DGS/Direction des lycées"}).get_data(as_text=True)
    assert "cook.one" in page and "alex.agent" not in page


def test_a_bad_filter_falls_back_alone_with_a_message(admin_client, make_user):
    make_user("gone.away", active=False)
    response = admin_client.get("/admin/users?role=superuser&status=weird&q=alex&page=abc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "alex.agent" in page and "lea.lab" not in page, "the valid search term still applies"
    assert "gone.away" not in admin_client.get("/admin/users?status=weird").get_data(as_text=True)
    assert 'aria-invalid="true"' in page and page.count('class="error"') == 2


def test_search_wildcards_are_plain_characters(admin_client):
    page = admin_client.get("/admin/users?q=_").get_data(as_text=True)
    assert "Aucun utilisateur trouvé." in page


def test_user_detail_shows_reports_and_roles(admin_client, people):
    page = admin_client.get(f"/admin/users/{people['manager'].id}").get_data(as_text=True)
    assert "Alex Martin" in page and "Léa Labbé" in page
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_user_detail_says_which_roles_follow_a_directory_group(app_factory, people):
    group = "CN=GG-Labo,OU=Groupes,DC=corp"
    synced = app_factory(ALLIES_LDAP_LAB_GROUP=group)
    with synced.app_context():
        page = sign_in(synced.test_client(), people["admin"]).get(f"/admin/users/{people['lab'].id}")
        text = page.get_data(as_text=True).replace("\u00a0", " ")
    assert f"Le rôle « Équipe du laboratoire » suit le groupe {group} de l'annuaire" in text
    assert "Administrateur suit" not in text


def test_org_units_tree_with_counts(admin_client, make_user, make_unit):
    unit = make_unit("DGS/Direction des finances/Service budget")
    make_user(unit=unit)
    make_user(unit=unit)
    page = admin_client.get("/admin/org-units").get_data(as_text=True)
    assert "Direction des finances" in page and "Service budget" in page
    page = admin_client.get("/admin/org-units?q=budget").get_data(as_text=True)
    assert "Service budget" in page and "Service test" not in page


def test_grant_and_revoke_a_role(admin_client, people):
    agent = people["agent"]
    assert admin_client.post(f"/admin/users/{agent.id}/roles/grant", data={"role": "lab"}).status_code == 302
    session.expire_all()
    assert agent.roles == ["lab"]
    admin_client.post(f"/admin/users/{agent.id}/roles/grant", data={"role": "lab"})
    session.expire_all()
    assert agent.roles == ["lab"], "granting twice keeps one grant"
    admin_client.post(f"/admin/users/{agent.id}/roles/revoke", data={"role": "lab"})
    session.expire_all()
    assert agent.roles == []
    actions = session.execute(select(AuditEntry.action).where(AuditEntry.object_id == agent.id)).scalars().all()
    assert actions == ["directory.role_granted", "directory.role_revoked"]


def test_unknown_role_is_refused(admin_client, people):
    response = admin_client.post(f"/admin/users/{people['agent'].id}/roles/grant", data={"role": "superuser"},
                                 follow_redirects=True)
    assert "Choisissez un rôle" in response.get_data(as_text=True)
    session.expire_all()
    assert people["agent"].roles == []


def test_admin_cannot_revoke_own_admin_role(admin_client, people):
    admin = people["admin"]
    response = admin_client.post(f"/admin/users/{admin.id}/roles/revoke", data={"role": "admin"},
                                 follow_redirects=True)
    assert "propre rôle" in response.get_data(as_text=True)
    session.expire_all()
    assert admin.roles == ["admin"]


def test_role_change_is_visible_at_once(app, people):
    lab_client = sign_in(app.test_client(), people["lab"])
    assert lab_client.get("/admin/users").status_code == 403
    admin_client = sign_in(app.test_client(), people["admin"])
    admin_client.post(f"/admin/users/{people['lab'].id}/roles/grant", data={"role": "admin"})
    assert lab_client.get("/admin/users").status_code == 200


def test_mass_assignment_changes_nothing(client, people):
    agent = people["agent"]
    sign_in(client, agent)
    client.post("/language", data={"locale": "en", "roles": "admin", "active": "0", "quotity": "50",
                                   "manager_id": str(people["admin"].id)})
    client.post(f"/admin/users/{agent.id}/roles/grant", data={"role": "admin"})
    session.expire_all()
    assert agent.roles == [] and agent.active and agent.quotity == 100 and agent.manager_id == people["manager"].id


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users?role=admin", "/admin/org-units", "/"])
def test_list_pages_do_not_query_per_row(app, admin_client, make_user, make_unit, url):
    def add_rows(number):
        for index in range(number):
            unit = make_unit(f"DGS/Direction {index % 5}/Service {index}")
            manager = make_user(unit=unit)
            make_user(unit=unit, manager=manager, roles=("admin",) if index % 2 else ())

    add_rows(3)
    few = count_queries(app, admin_client, url)
    add_rows(30)
    many = count_queries(app, admin_client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


def test_a_failure_between_two_writes_leaves_nothing_half_written(app, admin_client, people, monkeypatch):
    def audit_log_down(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("app.directory.operations.record", audit_log_down)
    response = admin_client.post(f"/admin/users/{people['agent'].id}/roles/grant", data={"role": "lab"})
    assert response.status_code == 500
    session.expire_all()
    assert people["agent"].roles == [], "the grant was rolled back with the failed audit entry"


def test_page_past_the_last_one_offers_a_way_back(admin_client):
    page = admin_client.get("/admin/users?page=50&q=a").get_data(as_text=True)
    assert "au-delà de la dernière" in page and 'href="/admin/users?q=a"' in page


def test_grant_form_offers_only_roles_not_held_and_says_when_already_held(admin_client, people):
    page = admin_client.get(f"/admin/users/{people['lab'].id}").get_data(as_text=True)
    grant_form = page.split('id="grant-role"')[1].split("</select>")[0]
    assert 'value="admin"' in grant_form and 'value="lab"' not in grant_form
    response = admin_client.post(f"/admin/users/{people['lab'].id}/roles/grant", data={"role": "lab"},
                                 follow_redirects=True)
    assert "a déjà le rôle" in response.get_data(as_text=True)


def test_sorting_follows_french_order(admin_client, make_user):
    for family in ("Guérin", "Gérard", "Élie", "Dufour", "Zola"):
        make_user(family_name=family, given_name="Test")
    page = admin_client.get("/admin/users?q=test").get_data(as_text=True)
    names = [name for name in ("Dufour", "Élie", "Gérard", "Guérin", "Zola")]
    assert sorted(names, key=page.index) == names


def test_search_ignores_accents_and_case(admin_client, make_user, make_unit):
    make_user(given_name="Hélène", family_name="Lefèvre", unit=make_unit("DGS/Direction des données"))
    assert "Lefèvre" in admin_client.get("/admin/users?q=HELENE lefevre").get_data(as_text=True)
    assert "Lefèvre" in admin_client.get("/admin/users?unit=dgs/direction des donnees").get_data(as_text=True)
    assert "Direction des données" in admin_client.get("/admin/org-units?q=donnees").get_data(as_text=True)
