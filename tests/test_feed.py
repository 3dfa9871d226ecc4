"""The open-calls widget and Atom feed: public to the intranet only when configured, framed only by the
configured origins, and a feed that real feed readers parse."""

import feedparser
import pytest

from app.database import session
from tests.conftest import count_queries, sign_in
from tests.pages import one, parse_page, read_page, text_of, texts


@pytest.fixture
def public_app(app_factory):
    application = app_factory(ALLIES_PUBLIC_CALLS=True, ALLIES_WIDGET_FRAME_ANCESTORS="https://intra.example")
    with application.app_context():
        yield application


@pytest.fixture
def calls(make_call, make_unit):
    lycees = make_unit("DGS/Direction des lycées")
    return {"open": make_call(title="Ouvert à tous", capacity=4),
            "unlimited": make_call(title="Sans limite"),
            "restricted": make_call(title="Réservé aux lycées", units=[lycees]),
            "draft": make_call(title="Brouillon", status="draft")}


def test_without_public_calls_both_need_a_sign_in(app, calls):
    for url in ("/widget/calls", "/calls.atom"):
        response = app.test_client().get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_widget_is_framed_only_by_the_configured_origins(public_app, calls):
    response = public_app.test_client().get("/widget/calls")
    page = parse_page(response)
    assert "frame-ancestors https://intra.example" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    listed = {text_of(item.a): text_of(item.find(class_="hint")) for item in page.select("ul.widget-calls > li")}
    assert sorted(listed) == ["Ouvert à tous", "Sans limite"]
    assert listed["Ouvert à tous"].startswith("4 places restantes")
    assert listed["Sans limite"].startswith("Sans limite de places")
    assert one(page.head, "base")["target"] == "_top"
    other = public_app.test_client().get("/login")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"


def test_the_feed_is_valid_atom_for_feed_readers(public_app, calls):
    response = public_app.test_client().get("/calls.atom")
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [entry.title for entry in parsed.entries]
    assert sorted(titles) == ["Ouvert à tous", "Sans limite"]
    entry = next(entry for entry in parsed.entries if entry.title == "Ouvert à tous")
    assert entry.link == f"http://127.0.0.1:5000/calls/{calls['open'].id}"  # under ALLIES_BASE_URL
    assert "4 places restantes" in entry.summary and "Candidatures jusqu" in entry.summary
    assert entry.updated_parsed is not None


def test_signed_in_agents_see_the_calls_meant_for_them(app, people, calls, make_user, make_unit):
    teacher = make_user(unit=make_unit("DGS/Direction des lycées/Service restauration"))
    client = sign_in(app.test_client(), teacher)
    assert "Réservé aux lycées" in texts(read_page(client, "/widget/calls"), "ul.widget-calls > li > a")
    titles = [entry.title for entry in feedparser.parse(client.get("/calls.atom").data).entries]
    assert "Réservé aux lycées" in titles


def test_queries_do_not_grow_with_the_calls(public_app, people, make_call):
    client = public_app.test_client()
    make_call(title="Un")
    few = [count_queries(public_app, client, url) for url in ("/widget/calls", "/calls.atom")]
    for number in range(12):
        make_call(title=f"Appel {number}", capacity=3)
    session.commit()
    assert [count_queries(public_app, client, url) for url in ("/widget/calls", "/calls.atom")] == few


@pytest.mark.parametrize("role, url", [("agent", "/"), ("agent", "/calls"), ("lab", "/lab/calls")])
def test_pages_listing_calls_announce_the_feed(app, people, role, url):
    head = read_page(sign_in(app.test_client(), people[role]), url).head
    assert one(head, "link[rel=alternate][type='application/atom+xml']")["href"] == "/calls.atom"


def test_other_pages_do_not_announce_the_feed(app, people):
    page = read_page(sign_in(app.test_client(), people["agent"]), "/my/sign-ups")
    assert not page.select("[type='application/atom+xml']")
