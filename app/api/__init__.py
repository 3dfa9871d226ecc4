"""The JSON API at /api/v1 for the intranet's other systems, and the personal tokens that open it."""
