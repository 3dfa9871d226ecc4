"""The scale table: each list page and the dashboard read at 1× the benchmark's data and at SCALE× (10 by default),
in this process through Flask's test client, with the queries counted and timed on the engine.

What grows with the data must not be the number of queries, nor much the database's time: a page that reads
only its own rows (a page of 50, a count, sums done by the database) costs about the same on a bigger
organisation.
"""

import statistics
import time

from sqlalchemy import event, func, select

import seed

ROUNDS = 5  # measured requests per page, after one to warm up; the median is kept
TARGET_QUERIES = "same"
TARGET_DB_GROWTH = 1.5
TARGET_DASHBOARD_MS = 100.0
DASHBOARD = "lab dashboard"


def pages_to_read(conn, facts, agent_id, call_id):
    """[(label, role, path)]: the list pages and the dashboard, as the people who read them."""
    signups, allocations = seed.table("allies_signups"), seed.table("allies_allocations")
    busiest = conn.execute(select(signups.c.call_id).where(signups.c.call_id != facts["burst_call_id"])
                           .group_by(signups.c.call_id).order_by(func.count().desc(), signups.c.call_id)
                           .limit(1)).scalar_one()
    # The year most allocations run in: the dashboard's figures are those of that year.
    starts = conn.execute(select(allocations.c.start_date).order_by(allocations.c.start_date)).scalars().all()
    year = starts[len(starts) // 2].year
    return [
        ("open calls", "agent", "/calls"),
        ("call page", "agent", f"/calls/{call_id}"),
        ("agent's sign-ups", "agent", "/my/sign-ups"),
        ("agent's home", "agent", "/"),
        (f"manager inbox ({seed.INBOX_PENDING:,} pending)", "manager", "/approvals"),
        ("manager's home", "manager", "/"),
        ("manager's team", "manager", "/approvals/team"),
        (DASHBOARD, "lab", f"/lab/dashboard?year={year}"),
        ("volunteer list", "lab", "/lab/volunteers"),
        ("volunteer list, busiest call", "lab", f"/lab/volunteers?call={busiest}"),
        ("lab's calls", "lab", "/lab/calls"),
        ("busiest call's sign-ups", "lab", f"/lab/calls/{busiest}/sign-ups"),
        ("facilitators", "lab", "/lab/facilitators"),
    ]


def measure(url, people, pages):
    """{label: {"queries", "db_ms", "ms"}}: medians over ROUNDS requests of each page, as the role given."""
    from app import create_app
    from app.database import session
    from app.directory.models import User

    app = create_app({"SECRET_KEY": "bench-scale", "SQLALCHEMY_DATABASE_URI": url, "ALLIES_MAIL_BACKEND": "folder"})
    clients = {}
    with app.app_context():
        engine = app.extensions["allies"].db.engine
        for role, user_id in people.items():
            clients[role] = app.test_client()
            with clients[role].session_transaction() as cookie:
                cookie["_user_id"], cookie["_fresh"] = session.get(User, user_id).get_id(), True
        session.remove()
    timing = {"count": 0, "seconds": 0.0, "started": 0.0}

    def before(*args):
        timing["started"] = time.perf_counter()

    def after(*args):
        timing["count"] += 1
        timing["seconds"] += time.perf_counter() - timing["started"]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    figures = {}
    for label, role, path in pages:
        samples = []
        for round_ in range(ROUNDS + 1):
            timing.update(count=0, seconds=0.0)
            started = time.perf_counter()
            answer = clients[role].get(path)
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                raise RuntimeError(f"{path} as {role} answered {answer.status_code}")
            if round_:
                samples.append((timing["count"], timing["seconds"] * 1000, elapsed * 1000))
        figures[label] = {"path": path, "queries": samples[-1][0],
                          "db_ms": round(statistics.median(s[1] for s in samples), 2),
                          "ms": round(statistics.median(s[2] for s in samples), 2)}
    engine.dispose()
    return figures


def table(one, many, scale):
    """Rows of the scale table, with the targets met or not."""
    rows = []
    for label, small in one.items():
        big = many[label]
        growth = big["db_ms"] / small["db_ms"] if small["db_ms"] else 0.0
        met = big["queries"] == small["queries"] and growth <= TARGET_DB_GROWTH
        if label == DASHBOARD:
            met = met and big["ms"] < TARGET_DASHBOARD_MS
        rows.append({"page": label, "path": small["path"], "queries_1x": small["queries"],
                     f"queries_{scale}x": big["queries"], "db_ms_1x": small["db_ms"], f"db_ms_{scale}x": big["db_ms"],
                     "db_growth": round(growth, 2), "ms_1x": small["ms"], f"ms_{scale}x": big["ms"], "met": met})
    return rows


def print_table(rows, scale):
    print()
    print(f"{'scale: page (in-process, median of ' + str(ROUNDS) + ')':<44} {'queries':>11} {'db ms 1×':>9} "
          f"{'db ms ' + str(scale) + '×':>10} {'growth':>7} {'ms 1×':>8} {'ms ' + str(scale) + '×':>8}  result")
    for row in rows:
        queries = f"{row['queries_1x']} → {row[f'queries_{scale}x']}"
        print(f"{row['page']:<44} {queries:>11} {row['db_ms_1x']:>9.1f} {row[f'db_ms_{scale}x']:>10.1f} "
              f"{row['db_growth']:>6.2f}× {row['ms_1x']:>8.1f} {row[f'ms_{scale}x']:>8.1f}  "
              f"{'MET' if row['met'] else 'MISSED'}")
    print(f"targets: the same queries at both scales, database time ≤ {TARGET_DB_GROWTH:g}× the 1× time; "
          f"the dashboard < {TARGET_DASHBOARD_MS:g} ms at {scale}×")
