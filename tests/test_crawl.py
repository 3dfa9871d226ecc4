"""Every page each role reaches, in Chromium, on one served demo that these walks only read: axe in French and in
English, no sideways scroll at 320 CSS px and at 200 % zoom, a visible keyboard focus, charts readable on a phone, and
every form sent empty answered with its errors summed up (no form takes an empty answer: the site stays as it was)."""

from datetime import date
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from sqlalchemy import select

from app.approvals.links import new_decision_link
from app.budgets.models import Allocation, Extension, TimeEntry
from app.calls.models import Call
from app.database import session
from app.demo.data import DEMO_ACCOUNTS
from app.directory.models import User
from app.mail.models import LinkToken
from app.hashing import secret_hash
from app.recognition.models import Attestation
from app.signups.models import SignUp
from conftest import build_app, empty_tables
from tests.test_browser import (axe_check, chromium, french_tab, live_settings,  # noqa: F401, F811
                                load_axe_in_every_document, load_demo_world, served, sign_in)

pytestmark = [pytest.mark.browser, pytest.mark.once]  # the same HTML whatever the database

LANGUAGE_BUTTONS = {"fr": "Français", "en": "English"}


@pytest.fixture(scope="module")
def demo_site(database_url, tmp_path_factory):
    """The demo world served once for this module's walks, which only read it (signing in and choosing a language
    aside); every table emptied after."""
    application = build_app(database_url, **live_settings(tmp_path_factory.mktemp("site")))
    load_demo_world(application)
    try:
        with served(application):
            yield application
    finally:
        empty_tables(application)


@pytest.fixture
def site_page(chromium, demo_site):
    """A new browser tab (its own cookies) on the demo site, in French."""
    with french_tab(chromium, demo_site) as tab:
        yield tab


def choose_language(page, language):
    """Choose the language with the header's button: a person's choice is kept for them, so each walk says its own."""
    page.goto("/privacy")
    page.get_by_role("button", name=LANGUAGE_BUTTONS[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def pages_for(role, site, shared=True):
    """The GET pages a person of this role reaches, with realistic data (the demo's calls and sign-ups); without
    `shared`, the home page and those of the role's own (its own objects, its role's pages and the 403 page)."""
    with site.app_context():
        agent_id = session.query(User.id).filter_by(login=DEMO_ACCOUNTS["agent"]).scalar()
        manager_id = session.query(User.id).filter_by(login=DEMO_ACCOUNTS["manager"]).scalar()
        waiting = (session.query(SignUp).join(User, User.id == SignUp.agent_id)  # a request the manager decides
                   .filter(User.manager_id == manager_id, SignUp.status == "pending_manager").order_by(SignUp.id).first())
        waiting_id = waiting.id
        decision_link = f"/decide/{known_decision_link(waiting, manager_id)}"  # may commit: before the rest
        verification = f"/verify/{known_attestation(agent_id)}"
        busy_call = session.query(Call).filter_by(capacity=3).first()
        # Another open call, that the agent has not answered: its page and its sign-up form.
        open_call = (session.query(Call).filter_by(status="published", audience_all=True)
                     .filter(Call.id != busy_call.id).order_by(Call.id).first())
        draft = session.query(Call).filter_by(status="draft").first()
        signup = session.query(SignUp).filter_by(call_id=busy_call.id).first()
        own = session.query(SignUp).filter_by(agent_id=agent_id, call_id=busy_call.id).first()
        question_id = busy_call.active_questions[0].id
        allocation = session.query(Allocation).filter_by(agent_id=agent_id).one()
        entry = session.query(TimeEntry).filter_by(agent_id=agent_id, day=date.today()).first()
        extension = session.query(Extension).filter_by(allocation_id=allocation.id).one()
    public = ["/privacy", "/accessibility", "/page-qui-n-existe-pas"]
    if role == "anonymous":  # a decision link, as its mail's reader opens it; a truncated one; verifications
        return ["/login", *public, decision_link, decision_link[:-1], verification, "/verify/ALL-2026-ZZZZZZZZ"]
    pages = ["/"]
    if shared:
        pages += [*public, "/calls", "/calls?q=zzzz", "/widget/calls", f"/calls/{open_call.id}", f"/calls/{busy_call.id}",
                  f"/calls/{open_call.id}/sign-up", "/my/sign-ups", "/approvals", "/approvals/delegation",
                  "/approvals/delegation?q=e", "/approvals/history", "/approvals/team", "/approvals/notifications",
                  "/my/participation",
                  "/my/budget", "/my/data",
                  f"/my/budget?year={date.today().year - 1}", "/my/tokens"]
    if role == "agent":
        pages += [f"/my/sign-ups/{own.id}/withdraw", f"/my/budget/allocations/{allocation.id}",
                  f"/my/budget/allocations/{allocation.id}/extension", f"/my/budget/entries/{entry.id}/edit"]
    if role == "manager":
        pages += [f"/approvals/{waiting_id}", f"/approvals/extensions/{extension.id}",
                  f"/approvals/allocations/{allocation.id}/revise", decision_link]
    if role == "lab":
        pages += ["/lab/dashboard", "/lab/facilitators", f"/lab/dashboard?year={date.today().year - 1}", "/lab/volunteers", f"/lab/volunteers?call={busy_call.id}&status=approved&page=2",
                  "/lab/volunteers?q=zzzz", "/lab/calls", "/lab/calls?status=draft", "/lab/calls/new", f"/lab/calls/{busy_call.id}",
                  f"/lab/calls/{draft.id}", f"/lab/calls/{busy_call.id}/edit", f"/lab/calls/{busy_call.id}/sign-ups",
                  f"/lab/calls/{busy_call.id}/sign-ups?status=waitlisted", f"/lab/calls/{busy_call.id}/sign-ups?page=9",
                  f"/lab/sign-ups/{signup.id}",
                  f"/lab/calls/{busy_call.id}/questions/{question_id}/edit",
                  f"/lab/calls/{busy_call.id}/questions/{question_id}/remove", f"/lab/calls/{draft.id}/publish",
                  f"/lab/calls/{draft.id}/archive",
                  "/lab/notifications", f"/lab/agents/{agent_id}/recognition"]
    if role == "admin":
        pages += ["/admin/audit", "/admin/audit?action=signup&object_type=SignUp", "/admin/users", "/admin/users?q=zzzz", "/admin/users?role=lab", "/admin/users?page=2",
                  f"/admin/users/{agent_id}", f"/admin/users/{manager_id}", "/admin/org-units"]
    else:
        pages += ["/admin/users"]  # the 403 page
    return pages


CRAWL_LINK_SECRET = "crawl-decision-link-secret-0123456789abcdef"


def known_decision_link(signup, manager_id):
    """The secret of a decision link of the manager on this request, made for the walks (the demo's mails were never
    sent, so no link of theirs has a secret anyone knows)."""
    wanted = secret_hash(CRAWL_LINK_SECRET)
    if session.execute(select(LinkToken.id).where(LinkToken.token_hash == wanted)).first() is None:
        link = new_decision_link(session.get(User, manager_id), signup, "request")
        link.token.token_hash = wanted
        session.commit()
    return CRAWL_LINK_SECRET


CRAWL_ATTESTATION = "ALL-2026-CRAWL234"


def known_attestation(agent_id):
    """The number of an attestation of the agent, made for the walks (its row only: the pages read nothing else)."""
    if session.execute(select(Attestation.id).where(Attestation.number == CRAWL_ATTESTATION)).first() is None:
        session.add(Attestation(number=CRAWL_ATTESTATION, agent_id=agent_id, first_day=date(2026, 1, 1),
                                last_day=date(2026, 12, 31), locale="fr", sha256="ab" * 32))
        session.commit()
    return CRAWL_ATTESTATION


# 320 CSS px is a phone held upright (WCAG 1.4.10, RGAA 10.11). 200 % zoom of a 1280 px wide window is a
# 640 CSS px layout viewport: zoom shrinks the viewport in CSS pixels (device_scale_factor would not).
REFLOW_WIDTHS = (640, 320)  # the narrowest last: the keyboard walk follows at that width
OVERFLOW = """() => { const width = window.innerWidth;
    const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 1
        && !e.closest('.table-scroll') && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1));
    return [document.documentElement.scrollWidth, width, wide.slice(0, 3).map(e =>
        e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className.split(' ').join('.') : '')
        + ' « ' + (e.innerText || '').trim().slice(0, 30) + ' »')]; }"""
# Each element the keyboard focuses, once, with whether its focus shows (an outline or a shadow); done once the focus
# leaves the page or comes back to an element it saw.
WATCH_FOCUS = """() => { const watch = window.alliesFocus = {seen: [], done: false};
    document.addEventListener('focusin', event => {
        const e = event.target;
        if (watch.done || e.dataset.tabbed) { watch.done = true; return; }
        e.dataset.tabbed = '1';
        const style = getComputedStyle(e);
        watch.seen.push([e.tagName.toLowerCase() + ' « ' + (e.innerText || e.value || e.name || '').trim().slice(0, 30) + ' »',
                         style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 || style.boxShadow !== 'none']);
    }); }"""
FOCUS_DONE = "() => alliesFocus.done || alliesFocus.seen.length > 0 && document.activeElement === document.body"


CHART_TEXT = """() => [...document.querySelectorAll('.chart svg text')].map(text => {
    const svg = text.ownerSVGElement, frame = svg.getBoundingClientRect(), box = text.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(text).fontSize) * frame.width / svg.viewBox.baseVal.width;
    const inside = box.left >= frame.left - 1 && box.right <= frame.right + 1 && box.top >= frame.top - 1
        && box.bottom <= frame.bottom + 1;
    return [text.textContent, Math.round(size * 10) / 10, inside]; })"""
# WCAG 1.4.12: the reader's own spacing must not cut text off.
TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }"""


@pytest.mark.parametrize("role", ["agent", "manager", "lab"])
def test_charts_stay_readable_on_a_phone(chromium, demo_site, role):
    """At 320 CSS px, with and without larger text spacing, every chart label is whole and at least 12 px."""
    with demo_site.app_context():
        agent_id = session.query(User.id).filter_by(login=DEMO_ACCOUNTS["agent"]).scalar()
        allocation_id = session.query(Allocation.id).filter_by(agent_id=agent_id).scalar()
    urls = {"agent": ["/my/budget", f"/my/budget/allocations/{allocation_id}"], "manager": ["/approvals/team"],
            "lab": ["/lab/dashboard"]}[role]
    with french_tab(chromium, demo_site, bypass_csp=True, viewport={"width": 320, "height": 800}) as page:
        sign_in(page, DEMO_ACCOUNTS[role])
        choose_language(page, "fr")
        problems, labels = [], []
        for url in urls:
            page.goto(url)
            assert page.locator("figure.chart").count() >= 1, url
            for spacing in (False, True):
                if spacing:
                    page.add_style_tag(content=TEXT_SPACING)
                for text, size, inside in page.evaluate(CHART_TEXT):
                    labels.append(text)
                    if size < 12 or not inside:
                        problems.append(f"{url}{' (text spacing)' if spacing else ''}: « {text} » {size} px, whole: {inside}")
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > 320:
                    problems.append(f"{url}{' (text spacing)' if spacing else ''}: scrollWidth {scroll_width} > 320")
    if role == "agent":
        assert "aujourd’hui" in labels or "aujourd'hui" in labels  # the allocation runs today
    assert problems == [], "\n".join(problems)


# Forms on a page that ask for something: a required text field, or a required group of choices with none
# chosen. Each is sent with its text emptied. Forms whose fields are optional or chosen by default (filters,
# confirmations, preferences) cannot be sent wrong that way; downloads leave the page.
TEXT = "input[type=text], input[type=email], input[type=password], input[type=date], input[type=datetime-local], textarea"
FORMS_ASKING = """() => [...document.querySelectorAll('main form[method=post], main form[method=POST]')]
    .map((form, index) => [index, !form.action.includes('/export') && !!form.querySelector('button[type=submit]:not([disabled])')
        && [...form.querySelectorAll('.field, fieldset.choices')].some(f => f.querySelector('.required')
            && (f.matches('fieldset') ? !f.querySelector('input:checked') : !!f.querySelector('%s')))])
    .filter(([, asking]) => asking).map(([index]) => index)""" % TEXT
EMPTY_TEXT = """index => { const form = document.querySelectorAll('main form[method=post], main form[method=POST]')[index];
    form.querySelectorAll('%s').forEach(e => { e.value = ''; });
    form.querySelector('button[type=submit]').click(); }""" % TEXT
SUMMARY = """() => { const summary = document.querySelector('.error-summary');
    if (!summary) return null;
    return [[...summary.querySelectorAll('a')].map(a => a.getAttribute('href'))
        .filter(href => !href.startsWith('#') || !document.querySelector(CSS.escape ? '#' + CSS.escape(href.slice(1)) : href))]; }"""


ROLES = ["anonymous", "agent", "manager", "lab", "admin"]
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 320, "height": 800}


def start_walk(page, role, language):
    """Sign in as the role's demo account, choose the language, have axe loaded in every page from now on."""
    if role != "anonymous":
        sign_in(page, DEMO_ACCOUNTS[role])
    choose_language(page, language)
    load_axe_in_every_document(page)
    return page


def reached(page, url, language, problems):
    """Open `url` wide; whether it showed (a page that sends elsewhere is noted, not checked) in the language."""
    page.set_viewport_size(WIDE)
    page.goto(url)
    if urlsplit(page.url).path != urlsplit(url).path:
        problems.append(f"{url}: redirected to {page.url}")
        return False
    assert page.evaluate("document.documentElement.lang") == language, url
    return True


def axe_problems(page, where):
    results = axe_check(page)
    return [f"{where}:\n{results.generate_report()}"] if results.violations_count else []


def reflow_problems(page, where):
    """At 320 CSS px and at 200 % zoom, nothing but a table's own region scrolls sideways."""
    problems = []
    for width in REFLOW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width, inner_width, wide = page.evaluate(OVERFLOW)
        if scroll_width > inner_width:
            problems.append(f"{where} at {width} px: scrollWidth {scroll_width} > {inner_width}; {wide}")
    return problems


def focus_problems(page, where):
    """Each control reached by Tab, at 320 CSS px, shows where the focus is."""
    if page.viewport_size != PHONE:
        page.set_viewport_size(PHONE)
    page.evaluate(WATCH_FOCUS)
    for _ in range(8):  # 80 presses at most, asked whether the walk is over every ten
        for _ in range(10):
            page.keyboard.press("Tab")
        if page.evaluate(FOCUS_DONE):
            break
    return [f"{where}: {element} has no visible focus" for element, visible in page.evaluate("alliesFocus.seen")
            if not visible]


def empty_form_problems(page, url, index):
    """The page's form `index`, sent with its text emptied: a summary of the errors at its top, focused, linking to
    fields that exist; no axe violation; no sideways scroll at 320 CSS px."""
    where = f"{url} form {index}"
    page.set_viewport_size(WIDE)
    page.goto(url)
    with page.expect_navigation():
        page.evaluate(EMPTY_TEXT, index)
    summary = page.evaluate(SUMMARY)
    if summary is None:
        return [f"{where}: no error summary after an empty submit (landed on {page.url})"]
    problems = [f"{where}: summary links to no field: {summary[0]}"] if summary[0] else []
    try:  # the browser moves the focus once the page is laid out, which may follow its load event
        expect(page.locator(".error-summary")).to_be_focused(timeout=5000)
    except AssertionError:
        problems.append(f"{where}: the error summary is not focused")
    problems += axe_problems(page, where)
    page.set_viewport_size(PHONE)
    scroll_width, inner_width, wide = page.evaluate(OVERFLOW)
    if scroll_width > inner_width:
        problems.append(f"{where} at 320 px: scrollWidth {scroll_width}; {wide}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_french_passes_axe_reflows_shows_its_focus_and_sums_up_form_errors(site_page, demo_site, role):
    """Every page this role reaches, in French: no axe violation; no sideways scroll at 320 CSS px nor at 200 %
    zoom; a visible focus on each control reached by Tab; and each form that asks for something, sent with its
    text emptied, answered with its errors summed up (see `empty_form_problems`)."""
    page = start_walk(site_page, role, "fr")
    problems, forms = [], 0
    for url in pages_for(role, demo_site):
        if not reached(page, url, "fr", problems):
            continue
        where = f"{url} ({role})"
        problems += axe_problems(page, where)
        asking = page.evaluate(FORMS_ASKING)
        problems += reflow_problems(page, where) + focus_problems(page, where)
        for index in asking:
            forms += 1
            problems += empty_form_problems(page, url, index)
    assert forms, "this role reaches at least one form"
    print(f"{role}: {forms} forms sent empty")
    assert problems == [], "\n\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_english_passes_axe(site_page, demo_site, role):
    """Every page in English passes axe: the pages all signed-in roles share are walked by the agent, the others by
    their role (the French walk reads each page as each role)."""
    page = start_walk(site_page, role, "en")
    problems = []
    for url in pages_for(role, demo_site, shared=role in ("anonymous", "agent")):
        if reached(page, url, "en", problems):
            problems += axe_problems(page, f"{url} ({role})")
    assert problems == [], "\n\n".join(problems)
