"""Admin pages of the directory: search, org units, roles; no N+1 on the lists."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.database import session
from tests.conftest import count_queries, sign_in
from tests.pages import cells, flashes, one, parse_page, read_page, text_of, texts


@pytest.fixture
def admin_client(client, people):
    return sign_in(client, people["admin"])


def found(client, url, query=None):
    """The users a directory search lists, as (name, login); the count above the list agrees."""
    page = read_page(client, url, query_string=query)
    rows = [cells(row) for row in page.select("#users-caption ~ tbody > tr")]
    count = text_of(one(page, "main p.result-count"))
    assert count.startswith(f"{len(rows)} utilisateur") if rows else count == "Aucun utilisateur trouvé.", count
    return [(row[0], row[1]) for row in rows]


def logins(client, url, query=None):
    """The logins a directory search lists."""
    return [login for _, login in found(client, url, query)]


def unit_names(client, url):
    """The org units the tree lists, by name."""
    return [text_of(row.th.a) for row in read_page(client, url).select("#org-units-caption ~ tbody > tr")]


def test_search_by_name_login_and_email(admin_client, make_user):
    make_user("zoe.bernard", given_name="Zoé", family_name="Bernard", email="zb@region.fr")
    for q in ("bernard", "Zoé Bern", "zoe.ber", "zb@region"):
        assert logins(admin_client, "/admin/users", {"q": q}) == ["zoe.bernard"], q
    assert "zoe.bernard" not in logins(admin_client, "/admin/users?q=martin")


def test_filter_by_role_status_and_unit(admin_client, make_user, make_unit):
    unit = make_unit("DGS/Direction des lycées/Service restauration")
    make_user("cook.one", unit=unit)
    make_user("gone.away", active=False)
    assert logins(admin_client, "/admin/users?role=lab") == ["lea.lab"]
    assert logins(admin_client, "/admin/users?status=inactive") == ["gone.away"]
    assert logins(admin_client, "/admin/users", {"unit": "DGS/Direction des lycées"}) == ["cook.one"]


def test_a_bad_filter_falls_back_alone_with_a_message(admin_client, make_user):
    make_user("gone.away", active=False)
    url = "/admin/users?role=superuser&status=weird&q=alex&page=abc"
    assert logins(admin_client, url) == ["alex.agent"], "the valid search term still applies"
    assert "gone.away" not in logins(admin_client, "/admin/users?status=weird")
    page = read_page(admin_client, url)
    assert [field["name"] for field in page.select("[aria-invalid=true]")] == ["role", "status"]
    assert len(page.select("main .error")) == 2


def test_search_wildcards_are_plain_characters(admin_client):
    assert found(admin_client, "/admin/users?q=_") == []


def test_user_detail_shows_reports_and_roles(admin_client, people):
    page = read_page(admin_client, f"/admin/users/{people['manager'].id}")
    reports = one(page, "#reports-title").find_next("ul")
    assert sorted(texts(reports, "li")) == ["Alex Martin", "Léa Labbé"]
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_user_detail_says_which_roles_follow_a_directory_group(app_factory, people):
    group = "CN=GG-Labo,OU=Groupes,DC=corp"
    synced = app_factory(ALLIES_LDAP_LAB_GROUP=group)
    with synced.app_context():
        hints = texts(read_page(sign_in(synced.test_client(), people["admin"]), f"/admin/users/{people['lab'].id}"),
                      "main p.hint")
    following = [hint for hint in hints if " suit le groupe " in hint]
    assert len(following) == 1
    assert following[0].startswith(
        f"Le rôle «\u00a0Équipe du laboratoire\u00a0» suit le groupe {group} de l'annuaire")


def test_org_units_tree_with_counts(admin_client, make_user, make_unit):
    unit = make_unit("DGS/Direction des finances/Service budget")
    make_user(unit=unit)
    make_user(unit=unit)
    rows = {text_of(row.th.a): cells(row)[1]
            for row in read_page(admin_client, "/admin/org-units").select("#org-units-caption ~ tbody > tr")}
    assert "Direction des finances" in rows and rows["Service budget"] == "2"
    assert "Service budget" in unit_names(admin_client, "/admin/org-units?q=budget")
    assert "Service test" not in unit_names(admin_client, "/admin/org-units?q=budget")


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
    actions = session.execute(select(AuditEntry.action).where(AuditEntry.object_id == agent.id)
                          .order_by(AuditEntry.id)).scalars().all()
    assert actions == ["directory.role_granted", "directory.role_revoked"]


def test_unknown_role_is_refused(admin_client, people):
    response = admin_client.post(f"/admin/users/{people['agent'].id}/roles/grant", data={"role": "superuser"},
                                 follow_redirects=True)
    assert [category for category, text in flashes(parse_page(response)) if "Choisissez un rôle" in text] == ["error"]
    session.expire_all()
    assert people["agent"].roles == []


def test_admin_cannot_revoke_own_admin_role(admin_client, people):
    admin = people["admin"]
    response = admin_client.post(f"/admin/users/{admin.id}/roles/revoke", data={"role": "admin"},
                                 follow_redirects=True)
    assert [category for category, text in flashes(parse_page(response)) if "propre rôle" in text] == ["error"]
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
    page = read_page(admin_client, "/admin/users?page=50&q=a")
    assert "au-delà de la dernière" in text_of(page.main) and one(page, "main a[href='/admin/users?q=a']")


def test_grant_form_offers_only_roles_not_held_and_says_when_already_held(admin_client, people):
    page = read_page(admin_client, f"/admin/users/{people['lab'].id}")
    assert [option["value"] for option in page.select("select#grant-role option")] == ["admin"]
    response = admin_client.post(f"/admin/users/{people['lab'].id}/roles/grant", data={"role": "lab"},
                                 follow_redirects=True)
    assert [text for _, text in flashes(parse_page(response)) if "a déjà le rôle" in text]


def test_sorting_follows_french_order(admin_client, make_user):
    for family in ("Guérin", "Gérard", "Élie", "Dufour", "Zola"):
        make_user(family_name=family, given_name="Test")
    families = [name.split(" ", 1)[1] for name, _ in found(admin_client, "/admin/users?q=test")]
    assert families == ["Dufour", "Élie", "Gérard", "Guérin", "Zola"]


def test_search_ignores_accents_and_case(admin_client, make_user, make_unit):
    make_user(given_name="Hélène", family_name="Lefèvre", unit=make_unit("DGS/Direction des données"))
    assert found(admin_client, "/admin/users?q=HELENE lefevre")[0][0] == "Hélène Lefèvre"
    in_unit = found(admin_client, "/admin/users?unit=dgs/direction des donnees")
    assert [name for name, _ in in_unit] == ["Hélène Lefèvre"]
    assert "Direction des données" in unit_names(admin_client, "/admin/org-units?q=donnees")
