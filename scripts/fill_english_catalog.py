"""Fill the English catalog: the source strings are English, so a missing msgstr is its msgid."""

import sys

from babel.messages.pofile import read_po, write_po

PATH = "app/translations/en/LC_MESSAGES/messages.po"


def main(path=PATH):
    """Copy each untranslated msgid into its msgstr and drop fuzzy flags."""
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, no_location=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
