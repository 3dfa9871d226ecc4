"""What an agent's participation is worth: the attestation read back whole (text, tags, language, fonts, its QR
code), its public verification, badges, thank-you letters, and whether every category of agent is reached."""

import hashlib
import io
import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.approvals.operations import approve
from app.audit.models import AuditEntry
from app.budgets.operations import log_time
from app.database import session
from app.mail.models import OutboxMessage
from app.recognition.models import Attestation, Badge
from app.recognition.documents import check_attestation_signing
from app.recognition.operations import review_period
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import definitions, error_summary, one, parse_page, read_page, table_rows, text_of
from tests.test_directory_import import HEADER, import_file, user  # noqa: F401  (the import fixture)

LAST_YEAR = date.today().year - 1


@pytest.fixture
def volunteer(people, make_call):
    """The agent agreed 21 h on a call of last year, with 7,5 h logged in it (months long closed)."""
    call = make_call(title="Réinventer l'accueil", start_date=date(LAST_YEAR, 3, 1), end_date=date(LAST_YEAR, 6, 30))
    signup, *_ = sign_up(call.id, people["agent"], "Motivation très personnelle", Decimal(21))
    allocation = approve(signup, people["manager"])
    log_time(allocation, people["agent"], date(LAST_YEAR, 3, 10), Decimal("4.5"), today=date(LAST_YEAR, 3, 10))
    log_time(allocation, people["agent"], date(LAST_YEAR, 4, 2), Decimal(3), today=date(LAST_YEAR, 4, 2))
    session.commit()
    return allocation


def download_attestation(client, first=f"{LAST_YEAR}-01-01", last=f"{LAST_YEAR}-12-31", locale="fr", grade=""):
    return client.post("/my/participation/attestation", data={"first_day": first, "last_day": last, "locale": locale,
                                                              "grade": grade})


def pdf_text(pdf):
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_attestation_says_what_was_agreed_and_logged_and_nothing_personal(client, people, volunteer):
    sign_in(client, people["agent"])
    response = download_attestation(client, grade="Attachée territoriale")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(pdf_text(response.data).split())
    assert "Attestation de participation" in text and "Alex Martin, Attachée territoriale" in text
    assert "Réinventer l'accueil" in text or "Réinventer l’accueil" in text
    assert "21 h" in text and "7,5 h" in text  # agreed; logged in closed months
    assert "Motivation très personnelle" not in text
    assert "décret n° 2014-1526" in text
    attestation = session.execute(select(Attestation)).scalar_one()
    assert attestation.number in text and attestation.sha256 == hashlib.sha256(response.data).hexdigest()
    assert attestation.number in response.headers["Content-Disposition"]
    # « Mon budget temps » of that year says the same figures.
    budget = read_page(client, f"/my/budget?year={LAST_YEAR}")
    (row,) = table_rows(budget, "allocations-caption")
    assert row[2] == "21 h" and row[3].startswith("7,5 h")


def test_the_pdf_is_tagged_in_its_language_with_its_fonts_embedded(client, people, volunteer):
    sign_in(client, people["agent"])
    for locale, language in (("fr", "fr"), ("en", "en")):
        pdf = download_attestation(client, locale=locale).data
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert root["/Lang"] == language
        assert bool(root["/MarkInfo"]["/Marked"])
        assert "/StructTreeRoot" in root
        assert "/Metadata" in root and b"pdfuaid" in root["/Metadata"].get_object().get_data()
        fonts = [font.get_object() for page in reader.pages
                 for font in page["/Resources"]["/Font"].values()]
        descriptors = [font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font
                       else font["/FontDescriptor"] for font in fonts]
        assert fonts and all(any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                             for descriptor in descriptors)
    assert "Attestation of participation" in pdf_text(pdf)


def test_the_qr_code_leads_to_the_verification_page(client, people, volunteer, tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        missing = "poppler-utils and zbar-tools are not installed (apt-get install poppler-utils zbar-tools)"
        pytest.fail(missing) if os.environ.get("REQUIRE_BROWSER") == "1" else pytest.skip(missing)
    sign_in(client, people["agent"])
    pdf = download_attestation(client).data
    (tmp_path / "a.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(tmp_path / "a.pdf"), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", *map(str, sorted(tmp_path.glob("page*.png")))],
                             capture_output=True, text=True, check=True).stdout.split()
    number = session.execute(select(Attestation.number)).scalar_one()
    assert decoded == [f"http://127.0.0.1:5000/verify/{number}"]


def test_the_verification_page_says_genuine_revoked_or_unknown_and_nothing_about_the_agent(client, people, volunteer,
                                                                                          app):
    sign_in(client, people["agent"])
    pdf = download_attestation(client).data
    attestation = session.execute(select(Attestation)).scalar_one()
    stranger = app.test_client()
    page = read_page(stranger, f"/verify/{attestation.number}")
    assert "est authentique" in text_of(one(page, ".notice"))
    assert definitions(page, ".facts")["SHA-256 du PDF"] == hashlib.sha256(pdf).hexdigest()
    words = page.get_text(" ")
    assert "Alex" not in words and "Martin" not in words and "Réinventer" not in words
    altered = attestation.number[:-1] + ("2" if attestation.number[-1] != "2" else "3")
    for wrong in (altered, "ALL-2026-AAAAAAAA", "n'importe quoi"):
        response = stranger.get(f"/verify/{wrong}")
        assert response.status_code == 404 and "n’a le numéro" in text_of(one(parse_page(response, 404), ".notice"))
    lab = sign_in(app.test_client(), people["lab"])
    assert lab.post(f"/lab/attestations/{attestation.id}/revoke", data={"reason": ""}).status_code == 302
    assert session.get(Attestation, attestation.id).revoked_at is None
    assert lab.post(f"/lab/attestations/{attestation.id}/revoke", data={"reason": "Erreur de période"}).status_code == 302
    session.expire_all()
    assert "a révoquée" in text_of(one(read_page(stranger, f"/verify/{attestation.number}"), ".notice"))
    assert session.execute(select(AuditEntry.action).where(AuditEntry.action.like("attestation.%"))
                           ).scalars().all() == ["attestation.issued", "attestation.revoked"]


def test_verification_is_rate_limited(app_factory):
    application = app_factory(RATELIMIT_ENABLED=True, ALLIES_VERIFY_RATE_LIMIT="3 per minute")
    with application.app_context():
        client = application.test_client()
        codes = [client.get(f"/verify/ALL-2026-AAAAAAA{n}").status_code for n in range(2, 6)]
        assert codes == [404, 404, 404, 429]


@pytest.mark.parametrize("first, last, field", [
    (f"{LAST_YEAR}-12-31", f"{LAST_YEAR}-01-01", "last_day"),
    ("1999-01-01", f"{LAST_YEAR}-01-01", "first_day"),
    (f"{LAST_YEAR}-01-01", f"{LAST_YEAR + 2}-01-01", "first_day"),
    ("31/02/2026", f"{LAST_YEAR}-01-01", "first_day"),
])
def test_a_wrong_period_is_said_and_nothing_is_made(client, people, first, last, field):
    sign_in(client, people["agent"])
    response = download_attestation(client, first, last)
    assert response.status_code == 422
    page = parse_page(response, 422)
    assert error_summary(page) and one(page, f"#{field}").get("aria-invalid") == "true"
    assert session.execute(select(Attestation)).first() is None


def test_the_review_year_is_the_year_before_until_march():
    assert review_period(date(2027, 2, 15)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert review_period(date(2027, 4, 1)) == (date(2027, 1, 1), date(2027, 12, 31))


def test_badges_mark_steps_and_show_on_the_profile_only_with_consent(client, app, people, volunteer):
    lab = sign_in(app.test_client(), people["lab"])
    agent = people["agent"]
    assert lab.post(f"/lab/agents/{agent.id}/badges", data={"kind": "first_mission"}).status_code == 422  # a rule's
    assert lab.post(f"/lab/agents/{agent.id}/badges", data={"kind": "pioneer", "note": "Premier atelier"}
                    ).status_code == 302
    assert lab.post(f"/lab/agents/{agent.id}/badges", data={"kind": "pioneer"}).status_code == 422  # twice
    assert [badge.kind for badge in session.execute(select(Badge)).scalars()] == ["pioneer"]
    assert session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == agent.id,
                                                       OutboxMessage.subject.like("%Pionnier%"))).first()
    sign_in(client, agent)
    badges = [text_of(item) for item in read_page(client, "/my/participation").select(".badges li")]
    assert badges[0].startswith("Première mission") and badges[1].startswith("Pionnier")
    signup_id = volunteer.signup_id
    assert "Badges" not in definitions(read_page(lab, f"/lab/sign-ups/{signup_id}"), ".profile")
    assert client.post("/my/participation/badges", data={"shown": "y"}).status_code == 302
    shown = definitions(read_page(lab, f"/lab/sign-ups/{signup_id}"), ".profile")["Badges"]
    assert shown == "Première mission, Pionnier·e"
    client.post("/my/participation/badges", data={})
    assert "Badges" not in definitions(read_page(lab, f"/lab/sign-ups/{signup_id}"), ".profile")
    assert "classement" not in read_page(client, "/my/participation").get_text(" ").lower().replace(
        "aucun classement", "")


def test_a_thank_you_letter_reaches_the_manager_only_when_the_agent_sends_it(client, app, people, make_user):
    agent, manager = people["agent"], people["manager"]
    lab = sign_in(app.test_client(), people["lab"])
    assert lab.post(f"/lab/agents/{agent.id}/letters", data={"body": " "}).status_code == 422
    assert lab.post(f"/lab/agents/{agent.id}/letters", data={
        "body": "Merci pour les trois ateliers.\n\nVotre regard a tout changé.",
        "co_signed_by": "Claire Dupont, directrice"}).status_code == 302
    letter_url = "/letters/1"
    letter_id = session.execute(select(AuditEntry.details).where(AuditEntry.action == "letter.written")
                                ).scalar_one()["letter_id"]
    letter_url = f"/letters/{letter_id}"
    sign_in(client, agent)
    pdf = client.get(letter_url)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Votre regard a tout changé" in pdf_text(pdf.data) and "Claire Dupont" in pdf_text(pdf.data)
    boss = sign_in(app.test_client(), manager)
    assert boss.get(letter_url).status_code == 404  # not sent yet
    other = sign_in(app.test_client(), make_user())
    assert client.post(f"/my/participation/letters/{letter_id}/forward").status_code == 302
    assert boss.get(letter_url).status_code == 200
    assert other.get(letter_url).status_code == 404
    assert other.post(f"/my/participation/letters/{letter_id}/forward").status_code == 404
    mail = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == manager.id)).scalar_one()
    assert "Alex Martin" in mail.subject and letter_url in mail.body_text
    # The agent changes team: the manager they sent it to still reads it, the new one does not.
    successor = make_user(given_name="Nouveau", family_name="Chef")
    session.get(type(agent), agent.id).manager = successor
    session.commit()
    assert boss.get(letter_url).status_code == 200
    assert sign_in(app.test_client(), successor).get(letter_url).status_code == 404


def test_the_directory_import_reads_category_and_filiere(import_file):  # noqa: F811
    header = HEADER.rstrip("\n") + ",category,filiere\n"
    result = import_file(header + "dgs,dgs@region.fr,Isabelle,Fournier,DGS,,100,admin,1,A,administrative\n"
                                  "ana,ana@region.fr,Ana,Roux,DGS,dgs,100,,1,c,technique\n"
                                  "bob,bob@region.fr,Bob,Lenoir,DGS,dgs,100,,1,,\n")
    assert result.exit_code == 0, result.output
    assert (user("dgs").category, user("dgs").filiere) == ("A", "administrative")
    assert (user("ana").category, user("bob").category) == ("C", None)
    # A file without the columns leaves what is known as it is.
    assert import_file(HEADER + "dgs,dgs@region.fr,Isabelle,Fournier,DGS,,100,admin,1\n"
                                "ana,ana@region.fr,Ana,Roux,DGS,dgs,100,,1\n").exit_code == 0
    assert user("ana").category == "C"
    wrong = import_file(header + "dgs,dgs@region.fr,Isabelle,Fournier,DGS,,100,admin,1,D,\n")
    assert wrong.exit_code != 0 and "catégorie" in wrong.text and "« D »" in wrong.text or "\"D\"" in wrong.text


def agreed(call, agent, hours):
    """The agent signed up to the call with `hours` agreed for its whole period."""
    from app.budgets.models import Allocation

    signup, *_ = sign_up(call.id, agent, "", hours)
    session.add(Allocation(signup=signup, agent=agent, hours=hours, start_date=call.start_date, end_date=call.end_date))
    signup.status = "approved"


def category_rows(page):
    """The rows of the table of categories, as lists of cell texts: (directorate rows, totals rows)."""
    table = page.select_one("table:has(#categories-caption)")
    return ([[text_of(cell) for cell in row.select("th, td")] for row in table.select("tbody tr")],
            [[text_of(cell) for cell in row.select("th, td")] for row in table.select("tfoot tr")])


def test_the_dashboard_shows_each_category_reached_and_hides_small_groups(client, people, make_user, make_call):
    year = date.today().year
    call = make_call(start_date=date(year, 1, 1), end_date=date(year, 12, 31), capacity=None)
    for index in range(6):
        agreed(call, make_user(category="C"), Decimal(10))
    for index in range(3):
        make_user(category="A")
    agreed(call, make_user(category="A"), Decimal(7))
    session.commit()
    sign_in(client, people["lab"])
    page = read_page(client, f"/lab/dashboard?year={year}")
    totals = {row[1]: row for row in category_rows(page)[1]}
    assert totals["Catégorie C"][3] == "6" and totals["Catégorie C"][6] == "60 h"
    assert totals["Catégorie A"][3] == "< 5" and totals["Catégorie A"][6] == "non affiché"
    bars = [text_of(label) for label in page.select("figure[aria-labelledby='categories-title'] .bar-label")]
    assert any(bar.startswith("Catégorie A — < 5 mobilisé") for bar in bars), bars
    assert any(bar.startswith("Catégorie C — 6 mobilisés") for bar in bars), bars


def test_a_testimonial_is_published_only_once_its_author_and_the_agent_agreed(client, app, people, volunteer):
    agent = people["agent"]
    lab = sign_in(app.test_client(), people["lab"])
    call_id = volunteer.signup.call_id
    form = {"call_id": str(call_id), "author_name": "Sophie Martin, directrice du lycée", "author_kind": "partner",
            "text": "Alex a su écouter les élèves."}
    other_call = volunteer.signup.call_id + 999
    assert lab.post(f"/lab/agents/{agent.id}/testimonials", data={**form, "call_id": str(other_call)}
                    ).status_code == 422
    assert lab.post(f"/lab/agents/{agent.id}/testimonials", data=form).status_code == 302  # author not agreed
    assert lab.post(f"/lab/agents/{agent.id}/testimonials", data={**form, "author_agreed": "y",
                                                                   "text": "Un regard neuf sur l'accueil."}
                    ).status_code == 302
    sign_in(client, agent)
    page = read_page(client, "/my/participation")
    assert [text_of(quote.p) for quote in page.select(".testimonial")] == ["Un regard neuf sur l'accueil.",
                                                                          "Alex a su écouter les élèves."]
    assert "Un regard neuf" not in pdf_text(download_attestation(client).data)  # the agent has not agreed
    from app.recognition.models import Testimonial
    first, second = session.execute(select(Testimonial).order_by(Testimonial.id)).scalars().all()
    for testimonial in (first, second):
        assert client.post(f"/my/participation/testimonials/{testimonial.id}", data={"agree": "yes"}
                           ).status_code == 302
    text = " ".join(pdf_text(download_attestation(client).data).split())
    assert "Un regard neuf sur l'accueil." in text or "Un regard neuf sur l’accueil." in text
    assert "Alex a su écouter les élèves." not in text  # its author has not agreed
    assert client.post(f"/my/participation/testimonials/{second.id}", data={"agree": "no"}).status_code == 302
    assert "Un regard neuf" not in pdf_text(download_attestation(client).data)
    stranger = sign_in(app.test_client(), people["manager"])
    assert stranger.post(f"/my/participation/testimonials/{first.id}", data={"agree": "no"}).status_code == 404


def test_with_the_organisations_certificate_the_attestation_is_signed_pades(client, app, people, volunteer, tmp_path):
    """A self-signed certificate made here with openssl stands for the organisation's; pyHanko checks the
    signature: intact, valid, trusted once that certificate is the trust root; the PDF keeps its tags."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    key, cert, bundle = tmp_path / "key.pem", tmp_path / "cert.pem", tmp_path / "org.p12"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=Laboratoire d'innovation/O=Région Test"], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", str(key), "-in", str(cert), "-out", str(bundle),
                    "-passout", "pass:un-secret"], check=True, capture_output=True)
    app.config.update(ALLIES_ATTESTATION_SIGNING_PKCS12=str(bundle), ALLIES_ATTESTATION_SIGNING_PASSWORD="un-secret")
    sign_in(client, people["agent"])
    pdf = download_attestation(client).data
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    trust = ValidationContext(trust_roots=[x509.Certificate.load(pem.unarmor(cert.read_bytes())[2])])
    status = validate_pdf_signature(signature, trust)
    assert status.intact and status.valid and status.trusted
    assert session.execute(select(Attestation.sha256)).scalar_one() == hashlib.sha256(pdf).hexdigest()
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "fr" and "/StructTreeRoot" in root
    app.config.update(ALLIES_ATTESTATION_SIGNING_PASSWORD="pas-le-bon")
    with pytest.raises(RuntimeError, match="ALLIES_ATTESTATION_SIGNING_PKCS12"):
        check_attestation_signing(app.config)


def test_a_line_counts_the_hours_agreed_in_the_period_and_leaves_out_ended_sign_ups_without_time(client, people,
                                                                                                 make_call):
    from babel.numbers import format_decimal

    from app.budgets.queries import hours_between
    from app.signups.operations import withdraw

    straddling = make_call(title="À cheval sur deux ans", start_date=date(LAST_YEAR - 1, 7, 1),
                           end_date=date(LAST_YEAR, 6, 30))
    signup, *_ = sign_up(straddling.id, people["agent"], "", Decimal(100))
    approve(signup, people["manager"])
    ended = make_call(title="Retirée avant de commencer", start_date=date(LAST_YEAR, 9, 1),
                      end_date=date(LAST_YEAR, 10, 31))
    gone, *_ = sign_up(ended.id, people["agent"], "", Decimal(12))
    approve(gone, people["manager"])
    withdraw(gone, people["agent"])
    session.commit()
    sign_in(client, people["agent"])
    text = " ".join(pdf_text(download_attestation(client).data).split())
    in_year = hours_between(Decimal(100), date(LAST_YEAR - 1, 7, 1), date(LAST_YEAR, 6, 30), date(LAST_YEAR, 1, 1),
                            date(LAST_YEAR, 12, 31)).quantize(Decimal("0.01"))
    assert Decimal(40) < in_year < Decimal(60)
    assert f"{format_decimal(in_year, locale='fr')} h" in text.replace("\u00a0", " "), (in_year, text)
    assert "100 h" not in text and "Retirée avant de commencer" not in text


def test_a_lone_small_group_hides_one_more_so_that_the_totals_give_nothing_back(client, people, make_user,
                                                                                 make_unit, make_call):
    year = date.today().year
    call = make_call(start_date=date(year, 1, 1), end_date=date(year, 12, 31), capacity=None)
    big, small = make_unit("DGS/Grande direction/Service"), make_unit("DGS/Petite direction/Service")
    for index in range(6):
        agreed(call, make_user(category="B", unit=big), Decimal(10))
    agreed(call, make_user(category="B", unit=small), Decimal(37))
    for index in range(5):
        make_user(category="B", unit=small)
    session.commit()
    sign_in(client, people["lab"])
    rows, totals = category_rows(read_page(client, f"/lab/dashboard?year={year}"))
    by_directorate = {row[0]: row for row in rows if row[1] == "Catégorie B"}
    assert by_directorate["Petite direction"][2:] == ["6", "< 5", "non affiché", "non affiché", "non affiché"]
    assert by_directorate["Grande direction"][2:] == ["6"] + ["non affiché"] * 4
    (total,) = [row for row in totals if row[1] == "Catégorie B"]
    assert total[2:4] == ["12", "7"] and total[6] == "97 h"  # 7 − ? and 97 − ? give back nobody
