"""Real servers on loopback for the tests: a free port, waiting for it, and gunicorn configured as in production."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "live-test-secret-key-" + secrets.token_hex(16)


def free_port():
    """A TCP port nothing listens on, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, log, seconds=20):
    """Return once something listens on `port`; fail with the server's log if it died or took too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped at start-up:\n{Path(log).read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port} after {seconds} s:\n{Path(log).read_text()}")


def start_gunicorn(database_url, folder, name, *options, **settings):
    """gunicorn serving `wsgi:app`, configured through the environment as in production; returns (process, port,
    log). Options given here come after the defaults (one worker, four threads), so they win."""
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ALLIES_") and key not in ("DATABASE_URL", "SECRET_KEY", "SCRIPT_NAME")}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "ALLIES_ENV": "development",
                "ALLIES_PROXY_HOPS": "1", "ALLIES_MAIL_BACKEND": "folder", "ALLIES_MAIL_FOLDER": str(folder / "mails")},
               **settings)  # settings given here win, ALLIES_ENV and SECRET_KEY included
    log = folder / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--no-control-socket", *options, "wsgi:app"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return process, port, log
