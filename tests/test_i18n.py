"""Every UI string is in both catalogs, translated, and the catalogs follow the code."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "app" / "translations"


def load(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code and templates use now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    return {message.id for message in load(pot) if message.id}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalog_has_every_message_translated(extracted, locale):
    catalog = load(CATALOGS / locale / "LC_MESSAGES" / "messages.po")
    ids = {message.id for message in catalog if message.id}
    assert extracted - ids == set(), f"run `make translations` and translate these in {locale}"
    untranslated = [message.id for message in catalog if message.id and (
        not message.string or (isinstance(message.string, tuple) and not all(message.string)))]
    assert untranslated == [], f"untranslated in {locale}"
    assert [message.id for message in catalog if message.id and message.fuzzy] == [], f"fuzzy in {locale}"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_placeholders_match(locale):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\d*\w")
    for message in load(CATALOGS / locale / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(pattern.findall(ids[-1])))
        for string in strings:
            assert sorted(set(pattern.findall(string))) == expected, message.id


def test_french_typography_keeps_its_spaces_unbroken():
    """French puts a no-break space before : ; ! ? and inside « », so a line never starts with the sign."""
    import re

    broken = re.compile(r"(?: [:;!?»])|(?:« )|(?:\w[;!?»])|(?:«\w)")
    for message in load(CATALOGS / "fr" / "LC_MESSAGES" / "messages.po"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if message.id and string:
                without_urls = re.sub(r"https?://\S+|%\(\w+\)\w|&\w+;", "", string)
                assert not broken.search(without_urls), (message.id, string)


def test_french_is_the_default_and_english_is_complete(client):
    assert "Se connecter" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "Se connecter" not in page
