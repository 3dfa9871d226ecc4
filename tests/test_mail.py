"""The outbox: mails written with the change, sent later by the worker, never lost when the mail server is down."""

import asyncio
import socket
import threading
from datetime import timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import session as flask_session
from flask_babel import force_locale, get_locale, gettext
from sqlalchemy import func, select

from app import create_app
from app.database import session
from app.clock import utcnow
from app.mail.backends import FolderBackend, get_backend
from app.mail.cli import summary_line
from app.mail.models import MailPreference, OutboxMessage
from app.mail.operations import (
    SendSummary,
    external_url,
    mail_preference,
    outbox_counts,
    queue_mail,
    retry_delay,
    send_due,
)


def aware(moment):
    """SQLite gives timestamps back without their zone; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def free_port():
    """A TCP port on 127.0.0.1 where nothing listens (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping what the SMTP server received."""

    def __init__(self, delay=0):
        self.delay = delay
        self.received = []

    async def handle_DATA(self, server, smtp_session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1, started and stopped by the test."""

    def __init__(self, port, delay=0):
        self.port = port
        self.inbox = Inbox(delay)
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self.inbox

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """Builds SMTP servers on free ports; whatever was started is stopped at the end."""
    servers = []

    def build(port=None, delay=0):
        server = SmtpServer(port or free_port(), delay)
        servers.append(server)
        return server

    yield build
    for server in servers:
        server.stop()


def use_smtp(app, port):
    """Point the app's mail backend at 127.0.0.1:`port`."""
    app.config.update(ALLIES_MAIL_BACKEND="smtp", ALLIES_MAIL_SERVER="127.0.0.1", ALLIES_MAIL_PORT=port,
                      ALLIES_MAIL_TIMEOUT=5)


def parts(mail):
    """The text and HTML parts of a received mail."""
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def outbox():
    return session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


# --- writing to the outbox -------------------------------------------------------------------

def test_queue_mail_renders_in_the_recipient_language(app, make_user):
    french = make_user(given_name="Élise")
    english = make_user(given_name="Emma", locale="en")
    message = queue_mail(french, "test")
    queue_mail(english, "test")

    assert message.id is not None and message.recipient_id == french.id and message.to_address == french.email
    assert message.sent_at is None and message.failed_at is None and message.attempts == 0
    assert "\n" not in message.subject
    with force_locale("fr"):
        assert message.subject == gettext("Test mail from Alliés (%(org)s)", org="Région Test")
    assert f"Bonjour {french.full_name}" in message.body_text
    assert 'lang="fr"' in message.body_html and "Protection des données personnelles" in message.body_html
    assert str(get_locale()) == "fr"  # the forced language ends with the rendering


def test_queue_mail_is_part_of_the_callers_transaction(app, make_user):
    user = make_user()
    user.quotity = 80
    queue_mail(user, "test")
    session.rollback()
    assert outbox() == [] and session.get(type(user), user.id).quotity == 100

    user.quotity = 80
    queue_mail(user, "test")
    session.commit()
    assert len(outbox()) == 1 and user.quotity == 80


def test_queue_mail_to_a_bare_address_uses_the_default_language(app):
    message = queue_mail("someone@example.org", "test")
    assert message.recipient_id is None and message.to_address == "someone@example.org"
    assert 'lang="fr"' in message.body_html
    with force_locale("fr"):
        assert message.body_text.startswith(gettext("Hello,"))


def test_mail_preference_defaults_to_a_notice_per_sign_up(app, make_user):
    user = make_user()
    preference = mail_preference(user)
    assert preference.daily_digest is False and preference.digest_sent_until is None
    preference.daily_digest = True
    session.commit()
    assert mail_preference(user).daily_digest is True
    assert session.execute(select(func.count()).select_from(MailPreference)).scalar_one() == 1


# --- sending through a real SMTP server --------------------------------------------------------

def test_send_delivers_multipart_mails_in_each_language(app, make_user, smtp_server):
    server = smtp_server()
    inbox = server.start()
    use_smtp(app, server.port)
    french = make_user(given_name="Élise")
    english = make_user(given_name="Emma", locale="en")
    queue_mail(french, "test")
    queue_mail(english, "test")
    session.commit()

    assert send_due() == SendSummary(sent=2, failed_now=0, gave_up=0)

    received = {tuple(recipients): mail for recipients, mail in inbox.received}
    assert set(received) == {(french.email,), (english.email,)}
    for mail in received.values():
        assert mail.get_content_type() == "multipart/alternative"
        assert mail["From"] == "Alliés <no-reply@localhost>" and mail["Message-ID"] and mail["Date"]
    english_mail, french_mail = received[(english.email,)], received[(french.email,)]
    assert english_mail["Subject"] == "Test mail from Alliés (Région Test)"
    with force_locale("fr"):
        assert french_mail["Subject"] == gettext("Test mail from Alliés (%(org)s)", org="Région Test")
    text, html = parts(english_mail)
    assert f"Hello {english.full_name}," in text and "http://127.0.0.1:5000/" in text
    assert 'lang="en"' in html and "Privacy notice" in html and "Région Test" in html
    text, html = parts(french_mail)
    assert f"Bonjour {french.full_name}," in text
    assert 'lang="fr"' in html and "Protection des données personnelles" in html
    assert all(message.sent_at is not None and message.attempts == 0 for message in outbox())
    assert send_due() == SendSummary(0, 0, 0) and len(inbox.received) == 2


def test_mail_server_down_loses_nothing_and_delivers_once_when_back(app, make_user, smtp_server):
    server = smtp_server()  # not started yet: nothing listens on its port
    use_smtp(app, server.port)
    user = make_user()
    queue_mail(user, "test")
    session.commit()

    before = utcnow()
    assert send_due() == SendSummary(sent=0, failed_now=1, gave_up=0)
    [message] = outbox()
    assert message.attempts == 1 and message.sent_at is None and message.failed_at is None
    assert "Connection" in message.last_error and "test mail" not in message.last_error.lower()
    assert before + timedelta(minutes=1) <= aware(message.next_attempt_at) <= utcnow() + timedelta(minutes=1)
    assert outbox_counts() == (1, 1, 0, 0)
    assert send_due() == SendSummary(0, 0, 0)  # not due again before its back-off

    inbox = server.start()
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert send_due() == SendSummary(sent=1, failed_now=0, gave_up=0)
    assert send_due() == SendSummary(0, 0, 0)
    assert [recipients for recipients, _ in inbox.received] == [[user.email]]
    [message] = outbox()
    assert message.sent_at is not None and message.attempts == 1
    assert outbox_counts() == (0, 0, 1, 0)


def test_back_off_doubles_then_gives_up(app, make_user):
    use_smtp(app, free_port())
    app.config["ALLIES_MAIL_MAX_ATTEMPTS"] = 8
    queue_mail(make_user(), "test")
    session.commit()

    now = utcnow()
    delays = []
    for attempt in range(1, 8):
        assert send_due(now=now) == SendSummary(0, 1, 0)
        [message] = outbox()
        assert message.attempts == attempt
        due = aware(message.next_attempt_at)
        delays.append(due - now)
        assert send_due(now=due - timedelta(seconds=1)) == SendSummary(0, 0, 0)
        now = due
    assert delays == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64)]

    assert send_due(now=now) == SendSummary(0, 0, 1)
    [message] = outbox()
    assert message.attempts == 8 and aware(message.failed_at) == now and message.sent_at is None
    assert send_due(now=now + timedelta(days=30)) == SendSummary(0, 0, 0)
    assert outbox_counts() == (0, 0, 0, 1)


def test_retry_delay_is_capped_at_six_hours():
    assert [retry_delay(attempt) for attempt in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2),
                                                              timedelta(minutes=4)]
    assert retry_delay(9) == timedelta(minutes=256)
    assert retry_delay(10) == retry_delay(1000) == timedelta(hours=6)


def test_a_bad_address_does_not_hold_up_the_others(app, make_user, smtp_server):
    server = smtp_server()
    inbox = server.start()
    use_smtp(app, server.port)
    queue_mail("no-domain@", "test")
    good = make_user()
    queue_mail(good, "test")
    session.commit()

    assert send_due() == SendSummary(sent=1, failed_now=1, gave_up=0)
    assert [recipients for recipients, _ in inbox.received] == [[good.email]]
    bad = outbox()[0]
    assert bad.attempts == 1 and bad.last_error and len(bad.last_error) <= 255


def test_send_due_stops_at_the_limit(app, make_user):
    user = make_user()
    for _ in range(3):
        queue_mail(user, "test")
    session.commit()
    assert send_due(limit=2) == SendSummary(2, 0, 0)
    assert [message.sent_at is not None for message in outbox()] == [True, True, False]


@pytest.mark.postgres
@pytest.mark.committed  # each worker thread reads the outbox on a connection of its own
def test_concurrent_workers_never_send_a_mail_twice(app, make_user, smtp_server):
    server = smtp_server(delay=0.02)
    inbox = server.start()
    use_smtp(app, server.port)
    user = make_user()
    for _ in range(20):
        queue_mail(user, "test")
    session.commit()

    workers = 4
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def work():
        try:
            with app.app_context():
                barrier.wait()
                results.append(send_due())
                session.remove()
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(result.sent for result in results) == 20
    message_ids = [mail["Message-ID"] for _, mail in inbox.received]
    assert len(message_ids) == 20 and len(set(message_ids)) == 20
    assert sum(1 for result in results if result.sent) > 1  # the work was shared, not serialised


# --- backends ----------------------------------------------------------------------------------

def test_folder_backend_writes_a_readable_eml(app, make_user, tmp_path):
    app.config.update(ALLIES_MAIL_BACKEND="folder", ALLIES_MAIL_FOLDER=str(tmp_path / "mails"))
    user = make_user(given_name="Hélène")
    message = queue_mail(user, "test")
    session.commit()

    assert send_due() == SendSummary(1, 0, 0)
    files = list((tmp_path / "mails").iterdir())
    assert [path.suffix for path in files] == [".eml"]
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["To"] == user.email and mail["Subject"] == outbox()[0].subject
    assert mail["Message-ID"] == f"<allies.{message.id}.{aware(message.created_at):%Y%m%d%H%M%S}@localhost>"
    text, html = parts(mail)
    assert "Hélène" in text and "Hélène" in html and html.lstrip().startswith("<!doctype html>")


def test_console_backend_prints_each_mail_readably(app, make_user, capsys):
    """In development (`make run`) the worker prints each mail: recipient, subject and text as written."""
    user = make_user(given_name="Hélène")
    message = queue_mail(user, "test")
    session.commit()

    assert send_due() == SendSummary(1, 0, 0)
    printed = capsys.readouterr().out
    assert f"To: {user.email}" in printed and f"Subject: {message.subject}" in printed
    body_lines = [line for line in message.body_text.splitlines() if line.strip()]
    assert "Hélène" in message.body_text and all(line in printed for line in body_lines)


def test_backend_defaults(app):
    assert type(get_backend()).__name__ == "ConsoleBackend"
    app.config["ALLIES_PRODUCTION"] = True
    assert type(get_backend()).__name__ == "SmtpBackend"
    app.config.update(ALLIES_MAIL_BACKEND="folder", ALLIES_MAIL_FOLDER=None)
    backend = get_backend()
    assert isinstance(backend, FolderBackend) and backend.folder == Path(app.instance_path) / "mails"
    app.config["ALLIES_MAIL_BACKEND"] = "carrier-pigeon"
    with pytest.raises(ValueError):
        get_backend()


# --- links in mails ----------------------------------------------------------------------------

def test_external_url_outside_a_request_uses_the_base_url(app):
    assert external_url("allies.main.privacy") == "http://127.0.0.1:5000/privacy"
    app.config["ALLIES_BASE_URL"] = "https://intranet.example/volontaires/"
    assert external_url("allies.main.home") == "https://intranet.example/volontaires/"
    assert external_url("allies.main.privacy", page=2, _anchor="rights") == \
        "https://intranet.example/volontaires/privacy?page=2#rights"
    app.config["ALLIES_BASE_URL"] = "intranet.example"
    with pytest.raises(RuntimeError, match="ALLIES_BASE_URL"):
        external_url("allies.main.home")


def test_external_url_inside_a_request_ignores_the_host_the_request_names(app, make_user):
    app.config["ALLIES_BASE_URL"] = "https://intranet.example/volontaires"
    user = make_user()
    with app.test_request_context("/", base_url="http://evil.example/"):
        flask_session["allies_locale"] = "en"  # the person clicking reads English…
        assert external_url("allies.main.privacy") == "https://intranet.example/volontaires/privacy"
        message = queue_mail(user, "test")  # …the recipient reads French
        assert str(get_locale()) == "en"
    assert "https://intranet.example/volontaires/privacy" in message.body_html
    assert "evil.example" not in message.body_html + message.body_text
    assert 'lang="fr"' in message.body_html and "Bonjour" in message.body_text


# --- the commands ------------------------------------------------------------------------------

def test_test_mail_command_queues_for_a_login_or_an_address(app, runner, make_user):
    app.config["ALLIES_BASE_URL"] = "https://intranet.example/volontaires"
    user = make_user("emma.english", locale="en")
    result = runner.invoke(args=["outbox", "test-mail", "Emma.English"])
    assert result.exit_code == 0, result.output
    assert user.email in result.output
    result = runner.invoke(args=["outbox", "test-mail", "someone@example.org"])
    assert result.exit_code == 0, result.output

    to_user, to_address = outbox()
    assert to_user.recipient_id == user.id and to_user.subject == "Test mail from Alliés (Région Test)"
    assert "https://intranet.example/volontaires/" in to_user.body_text
    assert to_address.recipient_id is None and to_address.to_address == "someone@example.org"


@pytest.mark.parametrize("argument", ["nobody.here", "not an address@", "@example.org"])
def test_test_mail_command_refuses_unknown_recipients(app, runner, argument):
    result = runner.invoke(args=["outbox", "test-mail", argument])
    assert result.exit_code == 1 and argument in result.output
    assert outbox() == []


def test_send_and_status_commands(app, runner, make_user):
    user = make_user(given_name="Élise")
    queue_mail(user, "test")
    session.commit()

    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0
    assert gettext("Waiting: %(count)d (%(retrying)d after a failure)", count=1, retrying=0) in status.output
    assert gettext("Mail backend: %(name)s", name="console") in status.output

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert summary_line(SendSummary(1, 0, 0)) in result.output
    assert f"To: {user.email}" in result.output and "Élise" in result.output  # the console backend

    status = runner.invoke(args=["outbox", "status"])
    assert gettext("Sent: %(count)d", count=1) in status.output
    assert gettext("Given up: %(count)d", count=0) in status.output


def test_send_command_with_the_mail_server_down(app, runner, make_user):
    use_smtp(app, free_port())
    queue_mail(make_user(), "test")
    session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert summary_line(SendSummary(0, 1, 0)) in result.output
    status = runner.invoke(args=["outbox", "status"])
    assert gettext("Waiting: %(count)d (%(retrying)d after a failure)", count=1, retrying=1) in status.output


def test_send_loop_is_quiet_when_idle_and_stops_after_max_iterations(app, runner, make_user):
    result = runner.invoke(args=["outbox", "send", "--loop", "--interval", "0", "--max-iterations", "3"])
    assert result.exit_code == 0 and result.output == ""

    queue_mail(make_user(), "test")
    session.commit()
    result = runner.invoke(args=["outbox", "send", "--loop", "--interval", "0", "--max-iterations", "2"])
    assert result.exit_code == 0
    assert result.output.count(summary_line(SendSummary(1, 0, 0))) == 1


def test_send_command_refuses_an_unknown_backend(app, runner):
    app.config["ALLIES_MAIL_BACKEND"] = "carrier-pigeon"
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "carrier-pigeon" in result.output


@pytest.mark.parametrize("option", ["--interval=-1", "--max-iterations=0"])
def test_send_command_refuses_bad_options(app, runner, option):
    result = runner.invoke(args=["outbox", "send", "--loop", option])
    assert result.exit_code == 2


def test_send_worker_outlives_a_database_outage(tmp_path):
    unreachable = f"sqlite:///{tmp_path}/missing-directory/allies.sqlite3"
    application = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
                              "SQLALCHEMY_DATABASE_URI": unreachable})
    runner = application.test_cli_runner()

    result = runner.invoke(args=["outbox", "send", "--loop", "--interval", "0", "--max-iterations", "2"])
    assert result.exit_code == 0
    assert result.output.count("OperationalError") == 2

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "OperationalError" in result.output
