"""HTTP security headers and safe redirects."""

from urllib.parse import urlsplit, urlunsplit

from flask import current_app, g, request, url_for


def add_security_headers(response):
    """Strict CSP (no inline script or style), framing from config, no sniffing, no caching of personal pages."""
    config = current_app.config
    frame_ancestors = g.get("allies_frame_ancestors", config["ALLIES_FRAME_ANCESTORS"])
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {image_sources(config)}; object-src 'none'; "
        f"base-uri 'self'; form-action 'self'; frame-ancestors {frame_ancestors}",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if frame_ancestors == "'none'":
        response.headers.setdefault("X-Frame-Options", "DENY")
    if config["ALLIES_HSTS"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and not request.endpoint.endswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def image_sources(config):
    """CSP img-src: this app, data: URIs, and the origin of a logo hosted elsewhere."""
    sources = "'self' data:"
    logo = urlsplit(config.get("ALLIES_ORG_LOGO") or "")
    if logo.scheme in ("http", "https") and logo.netloc:
        sources += " " + urlunsplit((logo.scheme, logo.netloc, "", "", ""))
    return sources


def safe_next(target, default_endpoint="allies.main.home"):
    """`target` if it is a path inside this app, else the home page (no open redirect)."""
    if target and not any(ord(char) < 32 for char in target) and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            root = request.script_root or ""
            if not root or target == root or target.startswith(root + "/"):
                return target
    return url_for(default_endpoint)
