"""Text as people search and sort it."""

import unicodedata


def folded(text):
    """Lower case without accents, so « Élodie » sorts with E and `helene` finds « Hélène » on any database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
