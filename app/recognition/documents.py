"""PDF documents (attestations, thank-you letters) written from HTML templates by WeasyPrint, tagged for assistive
technologies (PDF/UA-1), with nothing fetched from the network."""

import base64

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
