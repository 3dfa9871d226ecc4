"""Where outbox messages go: the console, a folder of .eml files or an SMTP server (ALLIES_MAIL_BACKEND)."""

import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import click
from flask import current_app


def build_email(message, sender, secrets_by_slot=None):
    """The MIME message of an outbox row: a text part and its HTML alternative, from `sender`; each secret of
    `secrets_by_slot` takes the place of its slot in both bodies."""
    created = message.created_at
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = Address(addr_spec=message.to_address)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(created)
    # Stable across retries, so a mail sent twice after a crash is recognisable as one.
    email["Message-ID"] = f"<allies.{message.id}.{created:%Y%m%d%H%M%S}@{domain}>"
    # Quoted-printable keeps accented text 7-bit clean for relays without 8BITMIME.
    text, html = message.body_text, message.body_html
    # Longest slots first: "…-slot-12" is never taken for "…-slot-1" followed by a 2.
    for slot, secret in sorted((secrets_by_slot or {}).items(), key=lambda item: -len(item[0])):
        text, html = text.replace(slot, secret), html.replace(slot, secret)
    email.set_content(text, cte="quoted-printable")
    email.add_alternative(html, subtype="html", cte="quoted-printable")
    return email


class ConsoleBackend:
    """Development: print each mail (headers and text part) on standard output."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def send(self, email):
        """Print the mail readably (the HTML part is only announced)."""
        text = email.get_body(("plain",)).get_content()
        click.echo("\n".join([
            "-" * 72,
            *(f"{name}: {email[name]}" for name in ("From", "To", "Subject", "Date", "Message-ID")),
            "",
            text.rstrip("\n"),
            "-" * 72,
        ]))


class FolderBackend:
    """One .eml file per mail in a folder, to open with a mail client or read in tests."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info):
        return False

    def send(self, email):
        """Write the mail under a name taken from its Message-ID; a partial file is never visible."""
        name = email["Message-ID"].strip("<>").partition("@")[0] + ".eml"
        path = self.folder / name
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(bytes(email))
        os.replace(partial, path)
        return path


class SmtpBackend:
    """An SMTP server, one connection per sending pass (STARTTLS and login when configured)."""

    def __init__(self, host, port=25, use_tls=False, username=None, password=None, timeout=10):
        self.host, self.port, self.use_tls = host, port, use_tls
        self.username, self.password, self.timeout = username, password, timeout
        self._connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _connect(self):
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.use_tls:
                connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, email):
        """Send one mail; after any error the connection is dropped and the next mail opens a new one."""
        try:
            self._send(email)
        except BaseException:
            self.close()
            raise

    def _send(self, email):
        if self._connection is not None:
            try:
                self._connection.send_message(email)
                return
            except smtplib.SMTPServerDisconnected:
                # The server closed the idle connection since the last mail: open a new one, once.
                self.close()
        self._connection = self._connect()
        self._connection.send_message(email)

    def close(self):
        """Say goodbye to the server if it still listens."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


BACKENDS = ("console", "folder", "smtp")


def backend_name(config):
    """The configured backend; unset means console in development and SMTP in production."""
    return config["ALLIES_MAIL_BACKEND"] or ("smtp" if config["ALLIES_PRODUCTION"] else "console")


def get_backend():
    """A new backend of the configured kind; raises ValueError for an unknown ALLIES_MAIL_BACKEND."""
    config = current_app.config
    name = backend_name(config)
    if name == "console":
        return ConsoleBackend()
    if name == "folder":
        return FolderBackend(config["ALLIES_MAIL_FOLDER"] or os.path.join(current_app.instance_path, "mails"))
    if name == "smtp":
        return SmtpBackend(config["ALLIES_MAIL_SERVER"], int(config["ALLIES_MAIL_PORT"]),
                           use_tls=bool(config["ALLIES_MAIL_USE_TLS"]), username=config["ALLIES_MAIL_USERNAME"],
                           password=config["ALLIES_MAIL_PASSWORD"], timeout=float(config["ALLIES_MAIL_TIMEOUT"]))
    raise ValueError(name)
