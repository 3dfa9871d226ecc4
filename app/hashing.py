"""How Alliés keeps a secret it hands out (API tokens, links in mails): only its SHA-256."""

import hashlib


def secret_hash(secret):
    """The hex SHA-256 the database keeps of a secret (long random strings: no salt is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
