"""Answers shared by the pages of several features."""

from flask import Response


def download(name, media_type, body):
    """A file for the browser to save under a name built here (RFC 6266); `body` may be streamed."""
    response = Response(body, mimetype=media_type)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response
