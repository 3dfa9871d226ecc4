"""Export benchmark: the volunteer list of 100,000 sign-ups on PostgreSQL, in each format, against the raw floor.

Run with `make bench-exports` (or `.venv/bin/python bench/exports.py` from the project root). See bench/README.md.

1. A throw-away PostgreSQL database, migrated, seeded by bench/seed.py then topped up to 100,000 sign-ups
   (with allocations and time logged for the approved ones), dropped at the end.
2. For each format, side by side: Alliés' export (`export_volunteers`, the code behind the lab's download, every
   sign-up, no filter) and the floor — the same rows read with psycopg's server-side cursor and written
   directly with the same library (csv, XlsxWriter, stream-write-ods), no Alliés code. Each measure runs in a
   fresh process, which reports its wall time, bytes written and peak resident memory (VmHWM).
3. A table: rows/s, wall time, peak memory, and the ratio of Alliés' time to the floor's, with the targets.
"""

import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SIGNUPS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
FORMATS = ("csv", "xlsx", "ods")
TARGETS = {"csv": 1.3, "xlsx": 1.3, "ods": 2.0}  # Alliés' time ÷ the floor's
MEMORY_TARGET_MB = 200

FLOOR_SQL = """
SELECT u.family_name, u.given_name, u.email, o.path, m.given_name || ' ' || m.family_name, c.title, s.status,
       s.submitted_at, s.hours_asked, a.hours, used.hours, a.hours - used.hours,
       coalesce(a.start_date, c.start_date), coalesce(a.end_date, c.end_date)
FROM allies_signups s
JOIN allies_users u ON u.id = s.agent_id
JOIN allies_calls c ON c.id = s.call_id
LEFT JOIN allies_org_units o ON o.id = u.org_unit_id
LEFT JOIN allies_users m ON m.id = u.manager_id
LEFT JOIN allies_allocations a ON a.signup_id = s.id
LEFT JOIN (SELECT allocation_id, sum(hours) AS hours FROM allies_time_entries GROUP BY allocation_id) used
       ON used.allocation_id = a.id
ORDER BY c.start_date DESC, c.id, u.sort_name, s.id
"""
HEADER = ["Nom", "Prénom", "Courriel", "Unité", "Responsable", "Appel", "État", "Envoi", "Demandé", "Accordé",
          "Utilisé", "Restant", "Début", "Fin"]


class Sink:
    """A file that counts the bytes written to it and keeps none."""

    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)
        return len(data)


def peak_mb():
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, it starts afresh at exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure_app(url, file_format):
    """Alliés' export of every sign-up, consumed in this process."""
    from app import create_app
    from app.database import session
    from app.exports.operations import export_volunteers

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        baseline = peak_mb()
        started = time.perf_counter()
        _name, _media, chunks = export_volunteers(None, file_format, {"calls": [], "statuses": [], "unit": "",
                                                                      "submitted_from": None,
                                                                      "submitted_to": None, "q": ""})
        size = sum(len(chunk) for chunk in chunks)
        seconds = time.perf_counter() - started
        session.rollback()  # the benchmark keeps no audit entry
    return {"seconds": seconds, "bytes": size, "peak_mb": peak_mb(), "baseline_mb": baseline}


def measure_floor(url, file_format):
    """The same rows, read with psycopg's server-side cursor and written directly with the library."""
    import csv
    import io
    import tempfile

    import psycopg
    import xlsxwriter
    from sqlalchemy.engine import make_url
    from stream_write_ods import stream_write_ods

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    baseline = peak_mb()
    started = time.perf_counter()
    with psycopg.connect(dsn) as connection, connection.cursor(name="floor") as cursor:
        cursor.itersize = 1000
        cursor.execute(FLOOR_SQL)
        if file_format == "csv":
            sink, buffer = Sink(), io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(HEADER)
            for number, row in enumerate(cursor, start=1):
                writer.writerow(row)
                if number % 500 == 0:
                    sink.write(buffer.getvalue().encode("utf-8"))
                    buffer.seek(0)
                    buffer.truncate()
            sink.write(buffer.getvalue().encode("utf-8"))
            size = sink.size
        elif file_format == "xlsx":
            with tempfile.TemporaryFile() as spool:
                workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "remove_timezone": True})
                sheet = workbook.add_worksheet("Volontaires")
                sheet.write_row(0, 0, HEADER)
                for number, row in enumerate(cursor, start=1):
                    sheet.write_row(number, 0, [float(v) if isinstance(v, Decimal) else v for v in row])
                workbook.close()
                size = spool.tell()
        else:
            rows = ([float(v) if isinstance(v, Decimal) else (v.replace(tzinfo=None) if hasattr(v, "tzinfo") else v)
                     for v in row] for row in cursor)
            size = sum(len(chunk) for chunk in stream_write_ods([("Volontaires", HEADER, rows)]))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": size, "peak_mb": peak_mb(), "baseline_mb": baseline}


def seed_database(url):
    """bench/seed.py's directory, calls and 20,000 sign-ups, topped up to SIGNUPS, with allocations and time."""
    import seed
    from sqlalchemy import create_engine, func, select

    engine = create_engine(url)
    seed.seed(engine)
    rng = random.Random(2026)
    with engine.begin() as conn:
        signups = seed.table("allies_signups")
        taken = set(conn.execute(select(signups.c.call_id, signups.c.agent_id)).tuples())
        calls = conn.execute(select(seed.table("allies_calls").c.id, seed.table("allies_calls").c.start_date)).all()
        agents = [row[0] for row in conn.execute(select(seed.table("allies_users").c.id))]
        rows, now = [], seed.utcnow()
        while len(taken) < SIGNUPS:
            call_id, agent_id = rng.choice(calls)[0], rng.choice(agents)
            if (call_id, agent_id) in taken:
                continue
            taken.add((call_id, agent_id))
            moment = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
            rows.append({"call_id": call_id, "agent_id": agent_id,
                         "status": rng.choice(["approved", "approved", "withdrawn", "refused", "declined"]),
                         "motivation": "Je souhaite contribuer.", "availability": "Le mardi",
                         "hours_asked": Decimal(rng.choice([4, 7, 10, 20])), "submitted_at": moment,
                         "status_changed_at": moment, "decline_reason": ""})
        conn.execute(signups.insert(), rows)
        starts = dict(calls)
        approved = conn.execute(select(signups.c.id, signups.c.agent_id, signups.c.call_id, signups.c.hours_asked)
                                .where(signups.c.status == "approved")).all()
        conn.execute(seed.table("allies_allocations").insert(), [
            {"signup_id": signup_id, "agent_id": agent_id, "hours": hours, "start_date": starts[call_id],
             "end_date": starts[call_id] + timedelta(days=180), "created_at": now}
            for signup_id, agent_id, call_id, hours in approved])
        allocations = conn.execute(select(seed.table("allies_allocations").c.id,
                                          seed.table("allies_allocations").c.agent_id)).all()
        conn.execute(seed.table("allies_time_entries").insert(), [
            {"allocation_id": allocation_id, "agent_id": agent_id, "day": date.today(), "hours": Decimal("1.5"),
             "note": "", "created_at": now, "updated_at": now} for allocation_id, agent_id in allocations])
        total = conn.execute(select(func.count()).select_from(signups)).scalar_one()
    engine.dispose()
    return total, len(allocations)


def run_measure(kind, url, file_format):
    """One measure in a fresh Python process (its own peak memory)."""
    done = subprocess.run([sys.executable, __file__, "--measure", kind, file_format, url], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, check=False)
    if done.returncode:
        raise SystemExit(f"the {kind} measure of {file_format} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from load import migrate  # bench/load.py

    name = f"allies_bench_exports_{os.getpid()}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        total, allocations = seed_database(url)
        print(f"seeded {total:,} sign-ups, {allocations:,} allocations with time logged", flush=True)
        results = {}
        for file_format in FORMATS:
            results[file_format] = {kind: run_measure(kind, url, file_format) for kind in ("floor", "app")}
            print(f"measured {file_format}", flush=True)
        print_table(total, results)
        out = BENCH / "results"
        out.mkdir(exist_ok=True)
        (out / f"exports-{time.strftime('%Y%m%d_%H%M%S')}.json").write_text(
            json.dumps({"rows": total, "results": results}, indent=2) + "\n")
        met = all(results[f]["app"]["seconds"] / results[f]["floor"]["seconds"] <= TARGETS[f]
                  and results[f]["app"]["peak_mb"] < MEMORY_TARGET_MB for f in FORMATS)
        return 3 if os.environ.get("BENCH_STRICT") == "1" and not met else 0
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def print_table(total, results):
    print()
    print(f"{total:,} rows   {'who':<7} {'rows/s':>9} {'wall s':>8} {'MB out':>8} {'peak MB':>8} {'× floor':>8}  target")
    for file_format in FORMATS:
        floor, app = results[file_format]["floor"], results[file_format]["app"]
        ratio = app["seconds"] / floor["seconds"]
        for who, figures in (("floor", floor), ("alliés", app)):
            print(f"{file_format:<12} {who:<7} {total / figures['seconds']:>9,.0f} {figures['seconds']:>8.2f} "
                  f"{figures['bytes'] / 1e6:>8.1f} {figures['peak_mb']:>8.0f} "
                  f"{(f'{ratio:.2f}' if who == 'alliés' else ''):>8}  "
                  + (f"≤ {TARGETS[file_format]} × floor, < {MEMORY_TARGET_MB} MB: "
                     f"{'MET' if ratio <= TARGETS[file_format] and app['peak_mb'] < MEMORY_TARGET_MB else 'MISSED'}"
                     if who == "alliés" else ""))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        kind, file_format, url = sys.argv[2:]
        print(json.dumps((measure_app if kind == "app" else measure_floor)(url, file_format)))
    else:
        sys.exit(main())
