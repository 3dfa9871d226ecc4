"""Markdown written by people, turned into safe HTML."""

import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
# Characters a browser drops from a URL or reads as a slash: "/\evil" and "/<tab>/evil" lead to another host.
_SLIPPERY = re.compile(r"[\\\x00-\x20\x7f]")


def is_local_image(src):
    """Whether an image address stays on this app: a path of its own ("/static/…", "pictures/a.png"), never
    another host ("https://…", "//host"), a data: URL or any other scheme."""
    if not src or _SLIPPERY.search(src) or src.startswith("//"):
        return False
    parts = urlsplit(src)
    return not parts.scheme and not parts.netloc


def _keep_local_images(tokens):
    """Turn each image from elsewhere into its alt text: the CSP would block it, but the page would still ask."""
    for token in tokens:
        if token.children:
            token.children = [child if child.type != "image" or is_local_image(child.attrGet("src"))
                              else Token("text", "", 0, content=_alt(child)) for child in token.children]


def _alt(image):
    """An image's alt text as plain text (its Markdown emphasis dropped)."""
    return _markdown.renderer.renderInlineAsText(image.children or [], _markdown.options, {})


def render_markdown(text, heading_offset=0):
    """Render Markdown then sanitise the HTML with nh3, so no script or handler survives, and no image from
    another host is written into the page.

    `heading_offset` moves headings down (1: # becomes <h2>) under a page's own <h1>.
    """
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + heading_offset, 6)}"
    _keep_local_images(tokens)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return Markup(nh3.clean(html, link_rel="noopener noreferrer", attribute_filter=_local_src_only))


def _local_src_only(tag, attribute, value):
    """nh3's last word: an <img> keeps only a local src."""
    if tag == "img" and attribute == "src" and not is_local_image(value):
        return None
    return value
