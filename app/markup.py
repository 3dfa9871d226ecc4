"""Markdown written by people, turned into safe HTML."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text):
    """Render Markdown then sanitise the HTML with nh3, so no script or handler survives."""
    return Markup(nh3.clean(_markdown.render(text or ""), link_rel="noopener noreferrer"))
