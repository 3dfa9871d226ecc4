"""Sign-in rate limits under gunicorn with two workers: counted once for all of them in a shared Redis."""

import os
import re
import secrets
import signal
import subprocess

import pytest
import requests

from live_servers import start_gunicorn, wait_for_port

REDIS_URI = "redis://127.0.0.1:6379/0"
LIMIT = 10  # failed sign-ins a minute from one address
ACCESS_LOG = ["--access-logfile", "-", "--access-logformat", "access pid=%(p)s %(m)s %(U)s %(s)s"]  # %(p)s: <pid>


def redis_reachable():
    """Whether the Redis the tests use answers."""
    import redis

    try:
        return redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def two_workers(database_url, tmp_path):
    """Start gunicorn with two workers and the given rate-limit store; stopped after the test."""
    started = []

    def start(storage_uri):
        process, port, log = start_gunicorn(
            database_url, tmp_path, f"limits-{len(started)}", "--workers", "2", *ACCESS_LOG,
            ALLIES_RATELIMIT_STORAGE_URI=storage_uri, ALLIES_LOGIN_RATE_LIMIT=f"{LIMIT} per minute",
            ALLIES_LOGIN_RATE_LIMIT_PER_LOGIN="1000 per minute")
        started.append(process)
        wait_for_port(port, process, log)
        return port, log

    yield start
    for process in started:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def workers_seen(log, method, since=0):
    """The worker processes that answered `method` /login from the `since`-th character of gunicorn's access log."""
    return set(re.findall(rf"access pid=<(\d+)> {method} /login ", log.read_text()[since:]))


def first_refusal(port, log):
    """Send wrong passwords from one new address until a 429; the attempt it came at (None: never), and the workers
    that answered those attempts."""
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    browser = requests.Session()
    # A new connection each time: gunicorn's workers take turns accepting them.
    browser.headers.update({"Connection": "close", "X-Forwarded-For": address})
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # until both workers have answered (each loads the app on its own)
        assert browser.get(f"{base}/login", timeout=10).status_code == 200
        if len(workers_seen(log, "GET")) == 2:
            break
    else:
        pytest.fail(f"only one gunicorn worker answered:\n{log.read_text()}")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get(f"{base}/login").text)
    since = len(log.read_text())
    for attempt in range(1, 4 * LIMIT):
        answer = browser.post(f"{base}/login", timeout=10, data={
            "csrf_token": token.group(1), "login": f"nobody-{address}", "password": "not the password"})
        if answer.status_code == 429:
            return attempt, workers_seen(log, "POST", since)
        assert answer.status_code == 200, answer.text  # the form again, with its error
    return None, workers_seen(log, "POST", since)


@pytest.mark.postgres_pass  # real servers: once, on production's database
def test_two_workers_share_the_sign_in_limit_in_redis(two_workers):
    if not redis_reachable():
        if os.environ.get("REQUIRE_PG") == "1":
            pytest.fail(f"REQUIRE_PG=1 but Redis does not answer at {REDIS_URI} (apt-get install redis-server)")
        pytest.skip(f"Redis does not answer at {REDIS_URI} (apt-get install redis-server)")
    port, log = two_workers(REDIS_URI)
    for _ in range(5):  # the workers take turns as the kernel pleases: try again if one alone answered
        attempt, workers = first_refusal(port, log)
        assert attempt == LIMIT + 1
        if len(workers) == 2:
            return
    pytest.fail(f"one worker alone answered the attempts, five times over:\n{log.read_text()}")


@pytest.mark.postgres  # production refuses SQLite
def test_each_production_worker_says_loudly_that_memory_counts_alone(database_url, tmp_path):
    process, port, log = start_gunicorn(
        database_url, tmp_path, "production", "--workers", "2", ALLIES_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32), ALLIES_BASE_URL="https://intranet.example/volontaires",
        ALLIES_RATELIMIT_STORAGE_URI="memory://")
    try:
        wait_for_port(port, process, log)
        own_host = {"Host": "intranet.example", "Connection": "close"}
        warned = re.compile(r"ERROR in __init__: ALLIES_RATELIMIT_STORAGE_URI is memory://: this process \(pid (\d+)\)")
        for _ in range(200):  # until both workers have started (each loads the app, and warns, on its own)
            if len(set(warned.findall(log.read_text()))) == 2:
                break
            assert requests.get(f"http://127.0.0.1:{port}/login", headers=own_host, timeout=10).status_code == 200
        assert len(set(warned.findall(log.read_text()))) == 2, log.read_text()
        evil = requests.get(f"http://127.0.0.1:{port}/login", headers={"Host": "evil.example"}, timeout=10)
        assert evil.status_code == 400 and '<html lang="fr">' in evil.text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
