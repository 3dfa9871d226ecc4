"""PDF documents (attestations, thank-you letters) written from HTML templates by WeasyPrint, tagged for assistive
technologies (PDF/UA-1), with nothing fetched from the network."""

import base64
import importlib

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML, URLFetcher

from ..extensions import PACKAGE_DIR


def qr_code(url):
    """A QR code of `url`, as a PNG data URI (dark modules 4 pixels wide, the quiet zone kept)."""
    return segno.make(url, error="m").png_data_uri(scale=4)


def logo_data_uri():
    """The organisation's logo for a PDF: ALLIES_ORG_LOGO when it is a file of the package's static folder, else the
    built-in one (a logo elsewhere on the network is not fetched)."""
    name = current_app.config["ALLIES_ORG_LOGO"] or "allies/logo.svg"
    path = (PACKAGE_DIR / "static" / name).resolve()
    if "://" in name or not path.is_relative_to((PACKAGE_DIR / "static").resolve()) or not path.is_file():
        path = PACKAGE_DIR / "static" / "allies" / "logo.svg"
    kind = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def render_pdf(template, locale, **context):
    """The PDF of `allies/recognition/<template>.html` in `locale`, tagged (PDF/UA-1), its fonts embedded."""
    with force_locale(locale):
        html = render_template(f"allies/recognition/{template}.html", locale=locale, logo=logo_data_uri(), **context)
    # Images come as data: URIs; nothing else is fetched, from the network or the disk.
    style = CSS(string=(PACKAGE_DIR / "static" / "allies" / "document.css").read_text(encoding="utf-8"))
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        stylesheets=[style], pdf_variant="pdf/ua-1")


def _signing():
    """The signing module, imported on first use: only an organisation that signs carries its libraries."""
    return importlib.import_module(f"{__package__}.signing")


def _signer(config):
    """The organisation's signer from ALLIES_ATTESTATION_SIGNING_PKCS12, or None when none is configured."""
    if not config["ALLIES_ATTESTATION_SIGNING_PKCS12"]:
        return None
    signer = _signing().load_signer(config["ALLIES_ATTESTATION_SIGNING_PKCS12"],
                                    config["ALLIES_ATTESTATION_SIGNING_PASSWORD"])
    if signer is None:
        raise RuntimeError("ALLIES_ATTESTATION_SIGNING_PKCS12 cannot be read (with "
                           "ALLIES_ATTESTATION_SIGNING_PASSWORD): attestations cannot be signed.")
    return signer


def check_attestation_signing(config):
    """Refuse at start-up a signing certificate that cannot be read, rather than at the first attestation."""
    _signer(config)


def sign_pades(pdf, reason, location=""):
    """The PDF signed (PAdES) with the organisation's certificate, when ALLIES_ATTESTATION_SIGNING_PKCS12 names one;
    else the PDF as it is."""
    signer = _signer(current_app.config)
    return pdf if signer is None else _signing().sign(pdf, signer, reason, location)
