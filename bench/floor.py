"""The floor: a bare Flask app answering one static HTML page, served with Alliés' gunicorn settings.

The pages are the bytes of the measured open-calls page (file named by BENCH_FLOOR_PAGE) and of the
manager's inbox (BENCH_FLOOR_INBOX), so both servers send the same amount; what remains is the cost of Alliés itself (session, database,
templates) over Flask and gunicorn.
"""

import os

from flask import Flask, Response

with open(os.environ["BENCH_FLOOR_PAGE"], "rb") as page_file:
    PAGE = page_file.read()
with open(os.environ["BENCH_FLOOR_INBOX"], "rb") as page_file:
    INBOX = page_file.read()

app = Flask(__name__)


@app.get("/")
def page():
    """The same page every time."""
    return Response(PAGE, mimetype="text/html")


@app.get("/inbox")
def inbox():
    """The bytes of the manager's inbox, for its own ratio."""
    return Response(INBOX, mimetype="text/html")
