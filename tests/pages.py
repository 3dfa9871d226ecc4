"""Reading pages as a browser does: the expected status, HTML that parses without error, a title and a heading,
then BeautifulSoup to find what a test looks for by element rather than by substring."""

import re
from collections import Counter

import html5lib
from bs4 import BeautifulSoup, CData, NavigableString, Tag


# Elements a browser lays out on a line of their own: their text never runs into the text around them.
BLOCKS = {"address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "fieldset", "figcaption",
          "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "legend", "li", "main", "nav", "ol",
          "option", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}


def _text(node):
    """The text of a node, with a space around each block and a line break for each <br>."""
    if isinstance(node, Tag):
        if node.name == "br":
            return "\n"
        inner = "".join(_text(child) for child in node.children)
        return f" {inner} " if node.name in BLOCKS else inner
    return str(node) if type(node) in (NavigableString, CData) else ""


def text_of(element):
    """An element's text as a browser shows it: blocks apart, runs of spaces, tabs and line breaks made one space
    (no-break spaces stay), trimmed."""
    return re.sub(r"[ \t\n\r\f]+", " ", _text(element)).strip() if element is not None else ""


def parse_errors(markup):
    """The HTML parse errors of a document (the WHATWG algorithm, as html5lib implements it), as readable lines."""
    parser = html5lib.HTMLParser()
    parser.parse(markup)
    lines = markup.decode("utf-8", "replace").splitlines()
    return [f"line {line}, col {column}: {code} {data or ''} near {lines[line - 1][max(column - 40, 0):column + 20]!r}"
            for (line, column), code, data in parser.errors]


def parse_page(response, status=200, h1=None):
    """The soup of an HTML page answered with `status`, once it parses without error, holds no id twice, and has a
    title and an <h1> (equal to `h1` when given)."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, f"{response.status_code} instead of {status}: {body[:500]}"
    assert response.mimetype == "text/html", response.mimetype
    errors = parse_errors(response.data)
    assert not errors, "HTML parse errors:\n" + "\n".join(errors)
    page = BeautifulSoup(body, "html.parser")
    assert text_of(page.title), "the page has no title"
    heading = page.find("h1")
    assert text_of(heading), "the page has no <h1>"
    if h1 is not None:
        assert text_of(heading) == h1, f"<h1> {text_of(heading)!r} instead of {h1!r}"
    twice = [name for name, times in Counter(tag["id"] for tag in page.find_all(id=True)).items() if times > 1]
    assert not twice, f"ids used more than once: {twice}"
    return page


def read_page(client, url, status=200, h1=None, **kwargs):
    """GET `url` and parse the page (see parse_page)."""
    return parse_page(client.get(url, **kwargs), status=status, h1=h1)


def one(page, selector):
    """The only element matching a CSS selector (fails on none or several)."""
    found = page.select(selector)
    assert len(found) == 1, f"{len(found)} elements match {selector!r}"
    return found[0]


def texts(page, selector):
    """The text of each element matching a CSS selector, in page order."""
    return [text_of(element) for element in page.select(selector)]


def cells(row):
    """A table row's cells (its header cell first), as texts."""
    return [text_of(cell) for cell in row.find_all(["th", "td"])]


def table_rows(page, caption_id):
    """The body rows of the table whose caption has `caption_id`, each as its cells' texts."""
    table = one(page, f"caption#{caption_id}").find_parent("table")
    return [cells(row) for row in table.select("tbody > tr")]


def definitions(page, selector="dl"):
    """The terms and descriptions of the description lists matching a CSS selector, as {term: description}."""
    return {text_of(term): text_of(term.find_next_sibling("dd")) for found in page.select(selector)
            for term in found.find_all("dt")}


def flashes(page):
    """The flashed messages shown on the page, as (category, text)."""
    return [(next(name[6:] for name in flash["class"] if name.startswith("flash-")), text_of(flash))
            for flash in page.select(".flashes .flash")]


def error_summary(page):
    """The error summary's links at the top of a form in error, as (field id, message); [] when there is none."""
    return [(link["href"].lstrip("#"), text_of(link)) for link in page.select(".error-summary a[href^='#']")]


def textarea_value(textarea):
    """A textarea's value: its text less the one line break that may follow the start tag (as HTML parsing drops)."""
    text = textarea.get_text()
    return text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")


def sent_values(field):
    """What a browser sends for one form field as it stands: [] for an unchecked box or a button."""
    kind = field.get("type", "text")
    if field.name == "select":
        options = field.find_all("option")
        chosen = [option for option in options if option.has_attr("selected")]
        if not chosen and options and not field.has_attr("multiple"):
            chosen = options[:1]
        return [option.get("value", text_of(option)) for option in chosen]
    if field.name == "textarea":
        return [textarea_value(field)]
    if kind in ("radio", "checkbox"):
        return [field.get("value", "on")] if field.has_attr("checked") else []
    if kind in ("submit", "button", "image", "reset", "file"):
        return []
    return [field.get("value", "")]


def form_data(form):
    """What a browser would send for a form (or every field of a page) as it stands: each named field's value, a
    list where a name repeats."""
    data = {}
    for field in form.find_all(["input", "textarea", "select"], attrs={"name": True}):
        for value in sent_values(field):
            data.setdefault(field["name"], []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def field_value(page, name):
    """What the field `name` of a page holds, as a browser would send it."""
    data = form_data(page)
    assert name in data, f"no field named {name!r} holds a value"
    return data[name]
