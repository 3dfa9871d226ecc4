"""Load benchmark of Alliés: page throughput against a bare Flask floor, and a sign-up burst on a 50-place call.

Run with `make bench` (or `.venv/bin/python bench/load.py` from the project root). See bench/README.md.

1. A throw-away PostgreSQL database (migrated with `flask allies-db upgrade`, seeded in bulk), dropped at the end.
2. Alliés and the floor (bench/floor.py) served by gunicorn with the same settings, on 127.0.0.1.
3. Session cookies forged with the app's own serializer (no password hashing), with a CSRF token.
4. wrk: the open-calls page, a call page, the floor, then 500 sign-ups from 500 agents at once.
5. A table with the ratios to the floor and the targets, also written to bench/results/*.json.
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import scale  # bench/scale.py
import seed  # bench/seed.py
from app.composition import DEFAULTS
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DURATION = int(os.environ.get("BENCH_DURATION", "10"))  # seconds of steady load per page
WARMUP = 2  # seconds of load before each measure, not counted
ROUNDS = 3  # interleaved rounds of a page and its realistic floor, DURATION split between them
THREADS, CONNECTIONS = 2, 16  # wrk, for the pages
BURST_COUNT, BURST_CONNECTIONS = 500, 50
SCALE = int(os.environ.get("SCALE", "10"))  # the scale table's second database: SCALE times the data; 1 skips it
MEMORY_REQUESTS, MEMORY_CLIENTS = 3000, 8  # a worker's memory after that many requests at SCALE×
TARGET_WORKER_MB = 150
BURST_LIMIT = 90  # seconds: the burst is stopped after this even if answers are missing
USER_AGENT = "allies-bench/1"
# gthread: keep-alive connections wait in the worker's poller instead of holding a worker (sync closes every
# connection, and an idle one would block a sync worker), and threads overlap the waits on PostgreSQL.
# 2 workers × 4 threads on 2 cores. keep-alive 30 s so idle burst connections stay open until the end.
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30",
                     "--timeout", "60", "--no-control-socket", "--log-level", "warning"]
FLOOR_BEFORE, FLOOR_AFTER = "floor (before)", "floor (after)"
FLOOR_INBOX = "floor (inbox bytes)"
CALLS_LABEL = "open calls /calls"
REALISTIC_CALLS = "realistic floor /calls"
REALISTIC_INBOX = "realistic floor /approvals (inbox)"
CALL_LABEL = "call page /calls/<id>"
REALISTIC_CALL = "realistic floor /calls/<id>"
TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')
INBOX_LABEL = f"manager inbox /approvals ({seed.INBOX_PENDING:,} pending)"
API_LABEL = "API listCalls /api/v1/calls (token)"
WIDGET_LABEL = "open-calls widget /widget/calls"
TARGET_PAGE_RATIO = 0.5
# Being signed in, measured in-process on a page that reads nothing else.
SIGNED_IN_PAGE = "/accessibility"
SIGNED_IN_ROUNDS, SIGNED_IN_REQUESTS = 10, 50
TARGET_SIGNED_IN_MS = 2.0
TARGET_BURST_P95_MS = 200.0

started = time.monotonic()


def say(message):
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


class BenchError(Exception):
    """The benchmark could not run (not a missed target)."""


def main():
    if DURATION < ROUNDS:
        print(f"BENCH_DURATION={DURATION} is too short: each page runs {ROUNDS} rounds of at least 1 s, so give "
              f"{ROUNDS} or more (10 by default).", file=sys.stderr)
        return 2
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed: install Debian's package with `apt-get install -y wrk` "
              "(`make bench` does it when it runs as root), then run again.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = [f"allies_bench_{stamp}_{os.getpid()}", f"allies_bench_{stamp}_{os.getpid()}_x{SCALE}"]
    work = Path(tempfile.mkdtemp(prefix="allies-bench-"))
    servers = []
    try:
        urls = [create_database(admin, name) for name in names[:1 if SCALE == 1 else 2]]
        return run(wrk, urls, work, servers, stamp)
    except OperationalError as error:
        print(f"Cannot create the benchmark database through {make_url(ADMIN_URL).render_as_string()}: "
              f"{error.orig}\nStart PostgreSQL or set BENCH_DATABASE_URL to a role that may CREATE DATABASE.",
              file=sys.stderr)
        return 2
    except BenchError as error:
        print(f"\nBENCHMARK FAILED: {error}", file=sys.stderr)
        for server in servers:
            server.print_log_tail()
        return 1
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
        for name in names:
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except OperationalError as error:
                print(f"Could not drop the benchmark database {name}: {error.orig}", file=sys.stderr)
        say("benchmark databases dropped")
        admin.dispose()


def create_database(admin, name):
    """A new empty database; its URL."""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    say(f"database {name} created")
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def run(wrk, urls, work, servers, stamp):
    """The whole benchmark on the databases at `urls` (the 1× one, then the SCALE× one if any)."""
    url = urls[0]
    migrate(url)
    say("schema created (flask allies-db upgrade)")
    engine = create_engine(url)
    facts = seed.seed(engine, with_time=True)
    with engine.connect() as conn:
        bad_count, bad_waitlist = seed.check_places(conn)
        totals = {table: conn.execute(select(func.count()).select_from(seed.table(table))).scalar()
                  for table in ("allies_users", "allies_calls", "allies_signups")}
        agent_id, call_id = seed.pick_page_agent_and_call(conn, facts)
    if bad_count or bad_waitlist:
        raise BenchError(f"seed inconsistent: {bad_count} calls with wrong held_places, "
                         f"{bad_waitlist} with a waiting list and free places")
    say(f"seeded {totals['allies_users']} agents, {totals['allies_calls']} calls, "
        f"{totals['allies_signups']} sign-ups (held places checked), with allocations, time logged and decisions")
    scaled = measure_scales(urls, engine, facts, agent_id, call_id, work, servers)

    secret = "bench-" + os.urandom(32).hex()
    burst_agents = [agent for agent in facts["burst_candidates"] if agent != agent_id][:BURST_COUNT]
    if len(burst_agents) < BURST_COUNT:
        raise BenchError(f"only {len(burst_agents)} agents in the burst call's audience")
    manager_id = facts["inbox_manager_id"]
    say(f"being signed in: {SIGNED_IN_PAGE}, anonymous and signed in, in turn, in this process")
    signed_in = signed_in_cost(url, agent_id)
    cookies = forge_cookies(url, secret, [agent_id, manager_id] + burst_agents)
    api_headers = [f"Authorization: Bearer {forge_api_token(url, secret, agent_id)}"]
    page_cookie, manager_cookie = cookies[agent_id][0], cookies[manager_id][0]
    burst_path = f"/calls/{facts['burst_call_id']}/sign-up"
    pairs = work / "burst-pairs.tsv"
    with open(pairs, "w") as out:
        for agent in burst_agents:
            cookie, token = cookies[agent]
            form = urllib.parse.urlencode({"motivation": "Je veux découvrir le laboratoire et ses méthodes.",
                                           "hours_asked": "7", "availability": "Le mardi", "csrf_token": token})
            out.write(f"{cookie}\t{form}\n")
    say(f"forged {len(cookies)} session cookies (1 page agent, {len(burst_agents)} burst agents)")

    mails = work / "mails"
    mails.mkdir()
    app_server = Server("alliés", "wsgi:app", work, {
        "DATABASE_URL": url, "SECRET_KEY": secret, "ALLIES_ENV": "production", "ALLIES_BASE_URL": "http://127.0.0.1",
        "ALLIES_MAIL_BACKEND": "folder", "ALLIES_MAIL_FOLDER": str(mails),
        "ALLIES_API_RATE_LIMIT": "100000000 per minute"})  # counted as in production, never reached
    servers.append(app_server)
    app_server.start()
    index_status, index_page = fetch(app_server.url("/calls"), page_cookie)
    call_status, call_page = fetch(app_server.url(f"/calls/{call_id}"), page_cookie)
    if index_status != 200 or call_status != 200:
        raise BenchError(f"the agent's cookie does not open the pages: /calls → {index_status}, "
                         f"/calls/{call_id} → {call_status}")
    inbox_status, inbox_page = fetch(app_server.url("/approvals"), manager_cookie)
    if inbox_status != 200 or inbox_page.count(b'name="signups"') != DEFAULTS["ALLIES_PAGE_SIZE"]:
        raise BenchError(f"the manager's inbox answers {inbox_status} without a full page of requests")
    floor_page, floor_inbox, served_call = work / "floor.html", work / "floor-inbox.html", work / "call.html"
    floor_page.write_bytes(index_page)
    floor_inbox.write_bytes(inbox_page)
    served_call.write_bytes(call_page)
    say(f"alliés serving on {app_server.base}; open-calls page {len(index_page)} bytes, "
        f"call page {len(call_page)} bytes")

    floor_server = Server("floor", "bench.floor:app", work, {"BENCH_FLOOR_PAGE": str(floor_page),
                                                             "BENCH_FLOOR_INBOX": str(floor_inbox)})
    servers.append(floor_server)
    floor_server.start()
    floor_status, floor_body = fetch(floor_server.url("/"), page_cookie)
    if floor_status != 200 or len(floor_body) != len(index_page):
        raise BenchError(f"the floor answers {floor_status} with {len(floor_body)} bytes")
    say(f"floor serving on {floor_server.base}, {len(floor_body)} bytes")
    realistic_server = Server("realistic floor", "bench.realistic:app", work, {
        "BENCH_CALLS_PAGE": str(floor_page), "BENCH_CALL_PAGE": str(served_call), "BENCH_INBOX_PAGE": str(floor_inbox),
        "SECRET_KEY": secret, "DATABASE_URL": url})
    servers.append(realistic_server)
    realistic_server.start()
    for path, cookie in (("/calls", page_cookie), (f"/calls/{call_id}", page_cookie), ("/approvals", manager_cookie)):
        check_identical(path, fetch(app_server.url(path), cookie), fetch(realistic_server.url(path), cookie))
    say(f"realistic floor serving on {realistic_server.base}: the open-calls page, the call page and the inbox, byte "
        f"for byte but for the CSRF token")

    api_status, _ = fetch(app_server.url("/api/v1/calls"), None, api_headers)
    if api_status != 200:
        raise BenchError(f"the agent's API token does not open /api/v1/calls: {api_status}")
    widget_status, _ = fetch(app_server.url("/widget/calls"), page_cookie)
    if widget_status != 200:
        raise BenchError(f"the agent's cookie does not open the widget: {widget_status}")
    pages = {}
    # The floor before and after Alliés' pages: the ratios use their mean, and their gap shows the machine's drift.
    # Each page the realistic floor rebuilds runs in interleaved rounds with it, so both see the same machine.
    calls, call, inbox = (("/calls", page_cookie), (f"/calls/{call_id}", page_cookie), ("/approvals", manager_cookie))
    for runs in (
            [(FLOOR_BEFORE, floor_server, "/", page_cookie)],
            [(CALLS_LABEL, app_server, *calls), (REALISTIC_CALLS, realistic_server, *calls)],
            [(CALL_LABEL, app_server, *call), (REALISTIC_CALL, realistic_server, *call)],
            [(INBOX_LABEL, app_server, *inbox), (REALISTIC_INBOX, realistic_server, *inbox)],
            [(FLOOR_INBOX, floor_server, "/inbox", manager_cookie)],
            [(API_LABEL, app_server, "/api/v1/calls", None, api_headers)],
            [(WIDGET_LABEL, app_server, "/widget/calls", page_cookie)],
            [(FLOOR_AFTER, floor_server, "/", page_cookie)]):
        rounds = ROUNDS if len(runs) > 1 else 1
        say(f"wrk {' / '.join(label for label, *_ in runs)}: {WARMUP} s warm-up, then {rounds} round(s) of "
            f"{DURATION // rounds} s each, {THREADS} threads, {CONNECTIONS} connections")
        for label, server, path, cookie, *headers in runs:
            wrk_pages(wrk, server.url(path), cookie, WARMUP, *headers)
        for _ in range(rounds):
            for label, server, path, cookie, *headers in runs:
                pages.setdefault(label, []).append(measured(wrk, server, path, cookie, DURATION // rounds, headers))
    pages = {label: merged(figures) for label, figures in pages.items()}
    floor_server.stop()  # the burst has the machine to itself
    realistic_server.stop()

    say(f"burst: {BURST_COUNT} sign-ups, {BURST_CONNECTIONS} connections, on {burst_path}")
    burst = wrk_burst(wrk, app_server.url(burst_path), pairs, work / "burst-done", BURST_COUNT)
    with engine.connect() as conn:
        burst["database"] = burst_outcome(conn, facts["burst_call_id"])
    engine.dispose()

    results = build_results(stamp, totals, pages, burst)
    results["signed_in"] = signed_in
    results["scale"] = scaled
    if scaled:
        results["targets_met"] = (results["targets_met"] and all(row["met"] for row in scaled["rows"])
                                  and scaled["memory"]["met"])
    results["targets_met"] = results["targets_met"] and signed_in["met"]
    print_table(results)
    if scaled:
        scale.print_table(scaled["rows"], SCALE)
        memory = scaled["memory"]
        print(f"\nmemory at {SCALE}× after {memory['requests']:,} requests of those pages: "
              + ", ".join(f"worker {number} {worker['rss_mb']:.0f} MB (peak {worker['peak_mb']:.0f})"
                          for number, worker in enumerate(memory["workers"], 1))
              + f"  {memory['target']}  {'MET' if memory['met'] else 'MISSED'}")
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    out_file = out_dir / f"bench-{stamp}.json"
    out_file.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"results written to {out_file.relative_to(ROOT)}")
    if not results["checks_passed"]:
        print("\nCORRECTNESS CHECK FAILED: see the burst lines above.", file=sys.stderr)
        return 1
    if os.environ.get("BENCH_STRICT") == "1" and not results["targets_met"]:
        return 3
    return 0


def measure_scales(urls, engine, facts, agent_id, call_id, work, servers):
    """The scale table: the list pages and the dashboard read on this data and on SCALE times as much (a second
    database, seeded alike), in this process; then a worker's memory after MEMORY_REQUESTS of those pages at SCALE×.
    None when SCALE is 1."""
    if len(urls) == 1:
        return None
    with engine.connect() as conn:
        pages = scale.pages_to_read(conn, facts, agent_id, call_id)
    people = {"agent": agent_id, "manager": facts["inbox_manager_id"], "lab": facts["lab_ids"][0]}
    say(f"scale: {len(pages)} pages at 1×, in this process")
    one = scale.measure(urls[0], people, pages)
    migrate(urls[1])
    big = create_engine(urls[1])
    big_facts = seed.seed(big, scale=SCALE, with_time=True)
    with big.connect() as conn:
        big_agent, big_call = seed.pick_page_agent_and_call(conn, big_facts)
        big_pages = scale.pages_to_read(conn, big_facts, big_agent, big_call)
        totals = {name: conn.execute(select(func.count()).select_from(seed.table(name))).scalar()
                  for name in ("allies_users", "allies_signups", "allies_allocations", "allies_time_entries")}
    big.dispose()
    say(f"scale: seeded {SCALE}× ({', '.join(f'{count:,} {name[7:]}' for name, count in totals.items())}); "
        f"the same pages at {SCALE}×")
    big_people = {"agent": big_agent, "manager": big_facts["inbox_manager_id"], "lab": big_facts["lab_ids"][0]}
    many = scale.measure(urls[1], big_people, big_pages)
    memory = worker_memory(urls[1], work, servers, big_people, big_pages)
    return {"scale": SCALE, "data": totals, "rows": scale.table(one, many, SCALE), "memory": memory}


def worker_memory(url, work, servers, people, pages):
    """Alliés under gunicorn on the SCALE× database: MEMORY_REQUESTS requests of the scale table's pages in turn,
    MEMORY_CLIENTS at a time, as their readers; then each worker's resident memory and its peak (from /proc)."""
    secret = "bench-" + os.urandom(32).hex()
    cookies = forge_cookies(url, secret, list(people.values()))
    server = Server(f"alliés {SCALE}×", "wsgi:app", work, {
        "DATABASE_URL": url, "SECRET_KEY": secret, "ALLIES_ENV": "production", "ALLIES_BASE_URL": "http://127.0.0.1",
        "ALLIES_MAIL_BACKEND": "folder", "ALLIES_MAIL_FOLDER": str(work)})
    servers.append(server)
    server.start()
    say(f"memory: {MEMORY_REQUESTS:,} requests of the {len(pages)} pages at {SCALE}×, {MEMORY_CLIENTS} at a time")
    asked = [(server.url(path), cookies[people[role]][0]) for _, role, path in pages]
    with ThreadPoolExecutor(MEMORY_CLIENTS) as pool:
        statuses = list(pool.map(lambda number: fetch(*asked[number % len(asked)])[0], range(MEMORY_REQUESTS)))
    figures = [resident_mb(pid) for pid in server.worker_pids()]
    server.stop()
    failed = sum(1 for status in statuses if status != 200)
    if failed:
        raise BenchError(f"memory: {failed} of {MEMORY_REQUESTS} requests did not answer 200")
    return {"requests": MEMORY_REQUESTS, "workers": figures, "target": f"≤ {TARGET_WORKER_MB:g} MB",
            "met": all(worker["rss_mb"] <= TARGET_WORKER_MB for worker in figures)}


def resident_mb(pid):
    """{"rss_mb", "peak_mb"}: a process's resident memory now and at its highest."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {name: round(int(status[key].split()[0]) / 1024, 1) for name, key in (("rss_mb", "VmRSS"),
                                                                                 ("peak_mb", "VmHWM"))}


def measured(wrk, server, path, cookie, seconds, headers):
    """One wrk run of a page, with the CPU its server's workers and PostgreSQL spent meanwhile (seconds)."""
    before = cpu_seconds(server.worker_pids()), cpu_seconds(postgres_pids())
    figures = wrk_pages(wrk, server.url(path), cookie, seconds, *headers)
    figures["cpu_app_s"] = cpu_seconds(server.worker_pids()) - before[0]
    figures["cpu_db_s"] = cpu_seconds(postgres_pids()) - before[1]
    return figures


def merged(rounds):
    """A page's rounds as one: requests, errors and CPU summed, requests/s over the whole time, each latency
    percentile the median of the rounds'."""
    requests = sum(figures["requests"] for figures in rounds)
    seconds = sum(figures["duration_s"] for figures in rounds)
    errors = {key: sum(figures["errors"][key] for figures in rounds) for key in rounds[0]["errors"]}
    return {"requests": requests, "duration_s": round(seconds, 3), "rps": round(requests / seconds, 3),
            **{key: statistics.median(figures[key] for figures in rounds) for key in ("p50_ms", "p95_ms", "p99_ms")},
            "errors": errors, "rounds": len(rounds),
            "cpu_app_ms": round(sum(figures["cpu_app_s"] for figures in rounds) / max(requests, 1) * 1000, 2),
            "cpu_db_ms": round(sum(figures["cpu_db_s"] for figures in rounds) / max(requests, 1) * 1000, 2)}


def check_identical(path, served, rebuilt):
    """The realistic floor's page must be Alliés' own, byte for byte, but for the CSRF token."""
    (status, page), (floor_status, floor_page) = served, rebuilt
    masked = [TOKEN.sub(b'name="csrf_token" value=""', body) for body in (page, floor_page)]
    if status != 200 or floor_status != 200 or masked[0] != masked[1]:
        raise BenchError(f"the realistic floor's {path} ({floor_status}, {len(floor_page)} bytes) is not Alliés' "
                         f"({status}, {len(page)} bytes)")


def cpu_seconds(pids):
    """CPU time (user and system) spent so far by these processes, in seconds (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids():
    """The PostgreSQL server's processes on this machine (their CPU is the database's share of a request)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def migrate(url):
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("ALLIES_ENV", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "allies-db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    if done.returncode:
        raise BenchError(f"flask allies-db upgrade failed:\n{done.stdout}\n{done.stderr}")


def forge_cookies(url, secret, agent_ids):
    """{agent id: (session cookie, CSRF form token)}, signed as the served app signs them.

    Each session holds what a password sign-in leaves (Flask-Login's `_user_id`, `_fresh`, and `_id`
    for this client's address and user agent) plus the CSRF secret behind the form token.
    """
    import flask
    from flask_wtf.csrf import generate_csrf

    from app import create_app
    from app.database import session
    from app.directory.models import User

    app = create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url, "ALLIES_MAIL_BACKEND": "folder"})
    serializer = app.session_interface.get_signing_serializer(app)
    forged = {}
    with app.app_context():
        user_ids = {user.id: user.get_id()
                    for user in session.execute(select(User).where(User.id.in_(agent_ids))).scalars()}
        session.remove()
        app.extensions["allies"].db.engine.dispose()
    for agent_id in agent_ids:
        # A request context of its own (and so its own `g`): generate_csrf() caches its token in `g`.
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"User-Agent": USER_AGENT}):
            flask.session["_user_id"] = user_ids[agent_id]
            flask.session["_fresh"] = True
            flask.session["_id"] = app.login_manager._session_identifier_generator()
            token = generate_csrf()
            forged[agent_id] = (serializer.dumps(dict(flask.session)), token)
    return forged


def forge_api_token(url, secret, agent_id):
    """A personal API token of the page agent, made with the app's own operation (only its hash is stored)."""
    from app import create_app
    from app.api.operations import create_token
    from app.database import session
    from app.directory.models import User

    app = create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url, "ALLIES_MAIL_BACKEND": "folder"})
    with app.app_context():
        token = create_token(session.get(User, agent_id), "Benchmark")[1]
        session.commit()
        session.remove()
        app.extensions["allies"].db.engine.dispose()
    return token


def signed_in_cost(url, agent_id):
    """What being signed in adds to a request: CPU per request in this process (the app and the test client, the
    same for both) and SQL statements, on a page that reads nothing else (`SIGNED_IN_PAGE`), anonymous and as the
    page agent in turn, `SIGNED_IN_ROUNDS` rounds of `SIGNED_IN_REQUESTS` each, so both see the same machine."""
    from sqlalchemy import event

    from app import create_app
    from app.database import session
    from app.directory.models import User

    app = create_app({"SECRET_KEY": "bench-" + os.urandom(16).hex(), "SQLALCHEMY_DATABASE_URI": url,
                      "ALLIES_MAIL_BACKEND": "folder"})
    clients = {"anonymous": app.test_client(), "signed in": app.test_client()}
    with app.app_context():
        user_id = session.get(User, agent_id).get_id()
        session.remove()
        engine = app.extensions["allies"].db.engine
    with clients["signed in"].session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = user_id, True
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(1))
    cpu, queries = dict.fromkeys(clients, 0.0), dict.fromkeys(clients, 0)
    for round_ in range(SIGNED_IN_ROUNDS + 1):  # the first round warms up, not counted
        for label, client in clients.items():
            before, sent = time.process_time(), len(statements)
            for _ in range(SIGNED_IN_REQUESTS):
                answer = client.get(SIGNED_IN_PAGE)
                if answer.status_code != 200 or (label == "signed in") != (b"/logout" in answer.data):
                    raise BenchError(f"{SIGNED_IN_PAGE} {label}: {answer.status_code}, not the page expected")
            if round_:
                cpu[label] += time.process_time() - before
                queries[label] += len(statements) - sent
    engine.dispose()
    requests = SIGNED_IN_ROUNDS * SIGNED_IN_REQUESTS
    cost_ms = (cpu["signed in"] - cpu["anonymous"]) / requests * 1000
    extra = (queries["signed in"] - queries["anonymous"]) / requests
    return {"page": SIGNED_IN_PAGE, "requests_each": requests,
            "anonymous_cpu_ms": round(cpu["anonymous"] / requests * 1000, 3),
            "signed_in_cpu_ms": round(cpu["signed in"] / requests * 1000, 3), "cost_ms": round(cost_ms, 3),
            "extra_queries": extra, "target": f"<= {TARGET_SIGNED_IN_MS:g} ms, 1 query",
            "met": bool(cost_ms <= TARGET_SIGNED_IN_MS and extra <= 1)}


class Server:
    """A gunicorn master started by the benchmark, on 127.0.0.1 and a free port."""

    def __init__(self, name, target, work, env):
        self.name, self.target, self.env = name, target, env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / f"gunicorn-{name.encode('ascii', 'ignore').decode()}.log"
        self.process = None

    def url(self, path):
        return self.base + path

    def worker_pids(self):
        """The gunicorn workers of this master."""
        pid = self.process.pid
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def start(self):
        command = [sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS, "--bind", f"127.0.0.1:{self.port}",
                   "--error-logfile", str(self.log), self.target]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.env},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                fetch(self.url("/"), None)  # the first request imports and connects
                return
            except OSError:
                time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.name}) did not answer on {self.base} within 30 s")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # the master stops its workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def print_log_tail(self):
        if self.log.exists():
            lines = self.log.read_text(errors="replace").splitlines()[-30:]
            print(f"--- gunicorn ({self.name}) log, last lines ---\n" + "\n".join(lines), file=sys.stderr)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, cookie, extra_headers=()):
    """(status, body) of a GET with the agent's cookie, redirects not followed."""
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    headers.update(header.split(": ", 1) for header in extra_headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read()


def parse_wrk(output, what):
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise BenchError(f"wrk gave no figures for {what}:\n{output}")


def wrk_pages(wrk, url, cookie, seconds, extra_headers=()):
    sent = [f"Cookie: session={cookie}"] if cookie else []
    command = [wrk, "--latency", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
               *[part for header in [*sent, *extra_headers] for part in ("-H", header)],
               "-H", f"User-Agent: {USER_AGENT}", "-s", str(BENCH / "pages.lua"),
               url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)
    if done.returncode:
        raise BenchError(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout, url)


def wrk_burst(wrk, url, pairs, marker, count):
    """500 POSTs, one per agent, over 50 connections; wrk is stopped as soon as every answer is in."""
    parts = urllib.parse.urlsplit(url)
    command = [wrk, "--latency", "-t", "1", "-c", str(BURST_CONNECTIONS), "-d", f"{BURST_LIMIT}s",
               "--timeout", f"{BURST_LIMIT}s", "-s", str(BENCH / "burst.lua"), f"{parts.scheme}://{parts.netloc}/",
               "--", str(pairs), str(marker), str(count), parts.path, USER_AGENT]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + BURST_LIMIT + 5
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # wrk prints its figures and calls done()
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    figures = parse_wrk(stdout + stderr, "the burst")
    figures["complete"] = marker.exists()
    return figures


def burst_outcome(conn, call_id):
    signups, calls = seed.table("allies_signups"), seed.table("allies_calls")
    statuses = dict(conn.execute(select(signups.c.status, func.count()).where(signups.c.call_id == call_id)
                                 .group_by(signups.c.status)).all())
    held_places = conn.execute(select(calls.c.held_places).where(calls.c.id == call_id)).scalar_one()
    return {"rows": sum(statuses.values()), "statuses": statuses, "held_places": held_places}


def errors_of(figures):
    return sum(figures["errors"].values())


def build_results(stamp, totals, pages, burst):
    floor_rps = (pages[FLOOR_BEFORE]["rps"] + pages[FLOOR_AFTER]["rps"]) / 2
    rows = []
    realistic_of = {CALLS_LABEL: pages[REALISTIC_CALLS], CALL_LABEL: pages[REALISTIC_CALL],
                    INBOX_LABEL: pages[REALISTIC_INBOX]}
    for label, figures in pages.items():
        # The inbox is compared with the floor serving its own bytes, measured right after it.
        floor = pages[FLOOR_INBOX]["rps"] if label == INBOX_LABEL else floor_rps
        ratio = figures["rps"] / floor if floor else 0.0
        row = {"page": label, **{key: figures[key] for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "cpu_app_ms",
                                                              "cpu_db_ms")},
               "requests": figures["requests"], "errors": errors_of(figures), "ratio_to_floor": round(ratio, 3),
               "ratio_to_realistic": None, "cpu_ratio_to_realistic": None, "target": None, "met": None}
        if label in realistic_of:  # the pages the realistic floor rebuilds, byte for byte
            realistic = realistic_of[label]
            cpu = figures["cpu_app_ms"] + figures["cpu_db_ms"]
            row["ratio_to_realistic"] = round(figures["rps"] / realistic["rps"], 3)
            row["cpu_ratio_to_realistic"] = round((realistic["cpu_app_ms"] + realistic["cpu_db_ms"]) / cpu, 3)
            row["target"] = f"≥ {TARGET_PAGE_RATIO} × realistic"
            row["met"] = bool(row["cpu_ratio_to_realistic"] >= TARGET_PAGE_RATIO and errors_of(figures) == 0)
        rows.append(row)
    database = burst["database"]
    statuses = database["statuses"]
    held = statuses.get("pending_manager", 0) + statuses.get("approved", 0)
    checks = {
        "every answer received": burst["complete"] and burst["answers"] == BURST_COUNT,
        f"{BURST_COUNT} answers 302 to /my/sign-ups": burst["landed_on_my_signups"] == BURST_COUNT,
        f"{seed.BURST_CAPACITY} pending_manager": statuses.get("pending_manager", 0) == seed.BURST_CAPACITY,
        f"{BURST_COUNT - seed.BURST_CAPACITY} waitlisted": statuses.get("waitlisted", 0)
        == BURST_COUNT - seed.BURST_CAPACITY,
        f"held_places == {seed.BURST_CAPACITY}": database["held_places"] == seed.BURST_CAPACITY,
        f"{BURST_COUNT} rows": database["rows"] == BURST_COUNT,
    }
    burst_row = {
        "wall_s": burst["duration_s"], "answers": burst["answers"], "rps": burst["rps"],
        **{key: burst[key] for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
        "errors": errors_of(burst), "error_detail": burst["errors"], "statuses": burst["statuses"],
        "places_held": held, "waitlisted": statuses.get("waitlisted", 0), "held_places": database["held_places"],
        "rows": database["rows"], "target": f"p95 < {TARGET_BURST_P95_MS:g} ms, 0 errors",
        "met": bool(burst["p95_ms"] < TARGET_BURST_P95_MS and errors_of(burst) == 0),
    }
    return {
        "run": stamp, "machine": {"cpus": os.cpu_count()},
        "settings": {"gunicorn": GUNICORN_SETTINGS, "wrk_pages": {"threads": THREADS, "connections": CONNECTIONS,
                                                                   "duration_s": DURATION, "warmup_s": WARMUP},
                     "wrk_burst": {"threads": 1, "connections": BURST_CONNECTIONS, "requests": BURST_COUNT}},
        "data": totals, "floor_rps_mean": round(floor_rps, 2), "pages": rows, "burst": burst_row, "checks": checks,
        "checks_passed": all(checks.values()),
        "targets_met": all(row["met"] for row in rows if row["met"] is not None) and burst_row["met"],
    }


def print_table(results):
    def mark(met):
        return "—" if met is None else ("MET" if met else "MISSED")

    def ratio(value):
        return "—" if value is None else f"{value:.2f}"

    print()
    print(f"{'page':<44} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'CPU ms':>13} {'× floor':>8} "
          f"{'× realistic':>13}  {'target':<22} result")
    print(f"{'':<44} {'':>8} {'':>7} {'':>7} {'':>6} {'app + db':>13} {'(req/s)':>8} {'CPU  req/s':>13}")
    for row in results["pages"]:
        cpu = f"{row['cpu_app_ms']:.1f} + {row['cpu_db_ms']:.1f}"
        print(f"{row['page']:<44} {row['rps']:>8.1f} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['errors']:>6d} "
              f"{cpu:>13} {row['ratio_to_floor']:>8.2f} {ratio(row['cpu_ratio_to_realistic']):>6} "
              f"{ratio(row['ratio_to_realistic']):>6}  {row['target'] or '':<22} {mark(row['met'])}")
    burst = results["burst"]
    print()
    print(f"{'burst':<44} {'wall s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'places':>8}  "
          f"{'target':<16} result")
    print(f"{'500 sign-ups, 50 conns':<44} {burst['wall_s']:>9.2f} {burst['p50_ms']:>8.1f} {burst['p95_ms']:>8.1f} "
          f"{burst['p99_ms']:>8.1f} {burst['errors']:>7d} {burst['places_held']:>5d}/{seed.BURST_CAPACITY:<2d}  "
          f"{burst['target']:<16} {mark(burst['met'])}")
    print(f"  answers: {burst['statuses']} ({burst['rps']:.1f}/s, max {burst['max_ms']:.0f} ms); database: "
          f"{burst['places_held']} holding a place, {burst['waitlisted']} waitlisted, held_places "
          f"{burst['held_places']}, {burst['rows']} rows")
    cost = results["signed_in"]
    print()
    print(f"being signed in ({cost['page']}, {cost['requests_each']} requests each, in turn): "
          f"{cost['anonymous_cpu_ms']:.2f} ms anonymous, {cost['signed_in_cpu_ms']:.2f} ms signed in: "
          f"+{cost['cost_ms']:.2f} ms and +{cost['extra_queries']:g} query per request  {cost['target']}  "
          f"{mark(cost['met'])}")
    print()
    for check, passed in results["checks"].items():
        print(f"  check {'ok  ' if passed else 'FAIL'} {check}")
    print(f"\ntargets {'all met' if results['targets_met'] else 'not all met'}; "
          f"correctness checks {'passed' if results['checks_passed'] else 'FAILED'}")


if __name__ == "__main__":
    sys.exit(main())
