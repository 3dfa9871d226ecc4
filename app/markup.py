"""Markdown written by people, turned into safe HTML."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text, heading_offset=0):
    """Render Markdown then sanitise the HTML with nh3, so no script or handler survives.

    `heading_offset` moves headings down (1: # becomes <h2>) under a page's own <h1>.
    """
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + heading_offset, 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return Markup(nh3.clean(html, link_rel="noopener noreferrer"))
