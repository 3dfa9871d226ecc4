"""Benchmark data, written in bulk (SQLAlchemy core executemany): agents, calls, sign-ups, and the burst call;
with `with_time`, the budgets of the approved sign-ups too (allocations, time logged, managers' decisions).

The rows follow the application's rules without going through its per-row operations:
each call's `held_places` equals its sign-ups pending the manager or approved, and a call
has a waiting list only when it is full.
"""

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select, text

from app.database import Model
from app.directory.models import folded, utcnow

AGENTS = 5000  # each of these three is multiplied by the scale
CALLS = 200
SIGNUPS = 20000
ENTRIES_PER_ALLOCATION = 6
BURST_CAPACITY = 50
INBOX_PENDING = 1000  # requests waiting for one manager, for the inbox measure
LAB_MEMBERS = 5

DIRECTORATES = {
    "Direction des lycées": ["Service vie lycéenne", "Service restauration", "Service bâtiments scolaires",
                             "Service numérique éducatif"],
    "Direction des mobilités": ["Service transports scolaires", "Service ferroviaire", "Service routes",
                                "Service intermodalité"],
    "Direction des ressources humaines": ["Service formation", "Service paie", "Service recrutement",
                                          "Service qualité de vie au travail"],
    "Direction des finances": ["Service budget", "Service comptabilité", "Service achats", "Service contrôle de gestion"],
    "Direction de l'économie": ["Service entreprises", "Service agriculture", "Service tourisme", "Service emploi"],
    "Direction de l'environnement": ["Service eau", "Service biodiversité", "Service énergie", "Service déchets"],
    "Direction de la culture et du sport": ["Service patrimoine", "Service spectacle vivant", "Service sport",
                                            "Service lecture publique"],
    "Direction de la transformation": ["Laboratoire d'innovation publique", "Service systèmes d'information",
                                       "Service données", "Service relation aux usagers"],
}
# The burst call is meant for these directorates only.
BURST_DIRECTORATES = ("Direction des lycées", "Direction des mobilités", "Direction des ressources humaines")

GIVEN_NAMES = ["Camille", "Dominique", "Claude", "Alex", "Sacha", "Marie", "Jean", "Nathalie", "Thomas", "Léa",
               "Hélène", "Éric", "Chloé", "Noé", "Inès", "Yasmine", "Mathis", "Zoé", "Karim", "Élodie", "Lucas",
               "Manon", "Hugo", "Aïcha", "François", "Sophie", "Julien", "Amandine", "Rémi", "Gaëlle"]
FAMILY_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
                "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
                "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
                "Le Bihan", "N'Diaye", "Nguyen", "Da Silva", "Benali", "Kervella", "Le Gall", "Perrin", "Chevalier",
                "Gauthier"]

THEMES = ["l'accueil des usagers", "les transports scolaires", "la restauration des lycées", "le budget participatif",
          "les démarches en ligne", "la sobriété énergétique", "l'accueil des nouveaux agents", "les aides aux entreprises",
          "la lecture publique", "les données ouvertes", "la qualité de vie au travail", "le covoiturage",
          "la biodiversité des sites", "les marchés publics", "les subventions culturelles"]
FORMATS = ["Atelier de design de services sur {}", "Tester le nouveau parcours pour {}", "Groupe de travail : {}",
           "Enquête de terrain sur {}", "Hackathon interne : {}", "Réseau de référents pour {}",
           "Prototyper ensemble {}", "Immersion auprès des usagers : {}"]
BODY = ("## Le défi\n\nNous voulons simplifier {theme} avec celles et ceux qui le vivent au quotidien.\n\n"
        "- des ateliers d'une demi-journée\n- des entretiens avec des usagers\n- un prototype testé en conditions "
        "réelles\n\n**Aucune compétence particulière** n'est demandée : votre expérience suffit.\n\n"
        "## Comment ça se passe\n\nLes séances ont lieu sur site ou en visioconférence. Le laboratoire fournit les "
        "supports et accompagne chaque étape. Vous gardez la main sur votre agenda avec votre responsable.")
COMMITMENTS = [("percent", [5, 10, 20]), ("hours_per_month", [2, 4, 8]), ("days_per_month", [Decimal("0.5"), 1, 2]),
               ("total_hours", [2, 6, 12, 35])]
CAPACITIES = [None, None, None, 5, 8, 10, 12, 15, 20, 30, 50, 80, 120]
QUESTIONS = [
    ("single_choice", "Quel format vous convient le mieux ?", True, ["Sur site", "En visioconférence", "Les deux"]),
    ("yes_no", "Avez-vous déjà participé à un atelier du laboratoire ?", False, []),
    ("long_text", "Une expérience que vous aimeriez partager", False, []),
    ("multiple_choice", "Quelles méthodes connaissez-vous déjà ?", False,
     ["Design thinking", "Intelligence collective", "Facilitation graphique", "Aucune"]),
    ("number", "Combien d'usagers rencontrez-vous par semaine ?", False, []),
    ("date", "À partir de quand êtes-vous disponible ?", False, []),
]
ENDED = ("withdrawn", "declined", "refused")


def table(name):
    return Model.metadata.tables[name]


def seed(engine, rng_seed=2026, scale=1, with_time=False):
    """Fill an empty, migrated database with `scale` times the agents, calls and sign-ups (the org tree, the lab
    and the busy inbox stay as they are); returns what the benchmark needs (ids of the burst call, page agent…)."""
    rng = random.Random(rng_seed)
    now = utcnow()
    with engine.begin() as conn:
        units, directorate_of = _org_units(conn)
        users = _users(conn, rng, units, now, AGENTS * scale)
        lab_ids = _roles(conn, users, units)
        calls, audiences = _calls(conn, rng, units, lab_ids, now, CALLS * scale)
        burst_id = calls[-1]["id"]
        signups, held = _signups(rng, calls[:-1], audiences, users, directorate_of, now, SIGNUPS * scale)
        inbox_manager = _busy_inbox(rng, calls[:-1], users, signups, held, now)
        for call in calls:
            call["held_places"] = held.get(call["id"], 0)
        conn.execute(table("allies_calls").insert(), calls)
        conn.execute(table("allies_call_audience").insert(),
                     [{"call_id": call_id, "org_unit_id": unit_id}
                      for call_id, unit_ids in audiences.items() for unit_id in unit_ids])
        _questions(conn, rng, calls[:-1])
        conn.execute(table("allies_signups").insert(), signups)
        if with_time:
            _budgets(conn, rng, calls, users, now)
        for name in ("allies_org_units", "allies_users", "allies_calls"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # as autovacuum leaves a live database: index-only scans can be used
    burst_units = {units[name] for name in BURST_DIRECTORATES}
    burst_agents = [user["id"] for user in users
                    if user["active"] and directorate_of[user["org_unit_id"]] in burst_units
                    and user["id"] not in lab_ids]
    return {"burst_call_id": burst_id, "burst_candidates": burst_agents, "lab_ids": sorted(lab_ids),
            "inbox_manager_id": inbox_manager}


def _org_units(conn):
    """DGS, 8 directorates, 32 services; returns {name or path: id} and {unit id: its directorate id}."""
    rows, ids, directorate_of = [], {}, {}
    next_id = 1

    def add(name, path, parent_id):
        nonlocal next_id
        rows.append({"id": next_id, "name": name, "path": path, "path_key": folded(path), "parent_id": parent_id})
        next_id += 1
        return next_id - 1

    root = add("DGS", "DGS", None)
    ids["DGS"] = root
    directorate_of[root] = root
    for directorate, services in DIRECTORATES.items():
        directorate_id = add(directorate, f"DGS/{directorate}", root)
        ids[directorate] = directorate_id
        directorate_of[directorate_id] = directorate_id
        for service in services:
            service_id = add(service, f"DGS/{directorate}/{service}", directorate_id)
            ids[f"{directorate}/{service}"] = service_id
            directorate_of[service_id] = directorate_id
    conn.execute(table("allies_org_units").insert(), rows)
    return ids, directorate_of


def _users(conn, rng, units, now, count):
    """`count` agents: the DGS head, directors, heads of service, and agents under them."""
    services = [f"{directorate}/{service}" for directorate, names in DIRECTORATES.items() for service in names]
    rows = []

    def add(unit_id, manager_id):
        number = len(rows) + 1
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        login = f"{folded(given)}.{folded(family).replace(' ', '').replace(chr(39), '')}{number}"
        email = f"{login}@region-exemple.fr"
        rows.append({
            "id": number, "login": login, "email": email, "given_name": given, "family_name": family,
            "sort_name": folded(f"{family} {given}"),
            "search_text": folded(" | ".join((f"{given} {family}", f"{family} {given}", login, email))),
            "org_unit_id": unit_id, "manager_id": manager_id,
            "quotity": 100 if rng.random() < 0.85 else rng.choice([50, 60, 70, 80, 90]),
            "active": rng.random() > 0.01, "locale": "en" if rng.random() < 0.05 else None, "password_hash": None,
            "session_version": 1, "created_at": now - timedelta(days=400), "updated_at": now - timedelta(days=30),
        })
        return number

    head = add(units["DGS"], None)
    rows[-1]["active"] = True
    directors = {name: add(units[name], head) for name in DIRECTORATES}
    service_heads = {}
    for path in services:
        service_heads[path] = add(units[path], directors[path.split("/")[0]])
        rows[-1]["active"] = True
    while len(rows) < count:
        path = services[len(rows) % len(services)]
        add(units[path], service_heads[path])
    conn.execute(table("allies_users").insert(), rows)
    return rows


def _roles(conn, users, units):
    """Lab members in the lab's service, two administrators; two lab members chose the daily digest."""
    lab_unit = units["Direction de la transformation/Laboratoire d'innovation publique"]
    # The head of the lab's service, then four of its agents.
    lab = [user["id"] for user in users if user["org_unit_id"] == lab_unit and user["active"]][:LAB_MEMBERS]
    admins = [users[1]["id"], users[2]["id"]]
    conn.execute(table("allies_role_grants").insert(),
                 [{"user_id": user_id, "role": "lab", "granted_at": utcnow()} for user_id in lab]
                 + [{"user_id": user_id, "role": "admin", "granted_at": utcnow()} for user_id in admins])
    conn.execute(table("allies_mail_preferences").insert(),
                 [{"user_id": user_id, "daily_digest": True, "digest_sent_until": utcnow()} for user_id in lab[:2]])
    return set(lab)


def _calls(conn, rng, units, lab_ids, now, count):
    """`count` published calls with deadlines ahead, plus the burst call (capacity 50, three directorates)."""
    directorates = [units[name] for name in DIRECTORATES]
    calls, audiences = [], {}
    for number in range(1, count + 2):
        burst = number == count + 1
        kind, values = COMMITMENTS[number % len(COMMITMENTS)]
        theme = THEMES[number % len(THEMES)]
        title = rng.choice(FORMATS).format(theme)
        title = title[0].upper() + title[1:] + f" (n° {number})"
        summary = f"Rejoignez une équipe de volontaires pour améliorer {theme}, à votre rythme et avec votre service."
        deadline = now + timedelta(days=rng.randint(3, 120), hours=rng.randint(0, 23))
        start = (deadline + timedelta(days=rng.randint(7, 30))).date()
        created = now - timedelta(days=rng.randint(10, 60))
        call = {
            "id": number, "title": title, "summary": summary, "search_text": folded(f"{title} | {summary}"),
            "body": BODY.format(theme=theme), "status": "published", "capacity": rng.choice(CAPACITIES),
            "held_places": 0, "deadline": deadline, "audience_all": rng.random() < 0.7, "commitment_kind": kind,
            "commitment_value": Decimal(rng.choice(values)), "start_date": start,
            "end_date": start + timedelta(days=rng.randint(30, 365)),
            "needs_manager_agreement": rng.random() < 0.8,
            "contact": "Laboratoire d'innovation publique — labo@region-exemple.fr",
            "created_by_id": rng.choice(sorted(lab_ids)), "created_at": created,
            "published_at": created + timedelta(days=1), "closed_at": None,
        }
        if burst:
            call.update(title="Journée portes ouvertes du laboratoire", capacity=BURST_CAPACITY, audience_all=False,
                        commitment_kind="total_hours", commitment_value=Decimal(7), needs_manager_agreement=True,
                        deadline=now + timedelta(days=30), start_date=(now + timedelta(days=45)).date(),
                        end_date=(now + timedelta(days=75)).date())
            call["search_text"] = folded(f"{call['title']} | {summary}")
            audiences[number] = [units[name] for name in BURST_DIRECTORATES]
        elif not call["audience_all"]:
            audiences[number] = rng.sample(directorates, rng.randint(1, 3))
        calls.append(call)
    return calls, audiences


def _questions(conn, rng, calls):
    """A third of the calls ask one to three questions of their own."""
    rows = []
    for call in calls:
        if call["id"] % 3:
            continue
        for position, (kind, label, required, choices) in enumerate(rng.sample(QUESTIONS, rng.randint(1, 3)), 1):
            rows.append({"call_id": call["id"], "position": position, "kind": kind, "label": label, "help_text": "",
                         "required": required, "choices": choices,
                         "min_value": Decimal(0) if kind == "number" else None,
                         "max_value": Decimal(500) if kind == "number" else None, "removed": False})
    conn.execute(table("allies_questions").insert(), rows)


def _signups(rng, calls, audiences, users, directorate_of, now, signup_count):
    """`signup_count` sign-up rows over the calls, in order of arrival (places first, then the waiting list), and
    {call id: places held}."""
    active = [user for user in users if user["active"]]
    weights = [rng.expovariate(1.0) for _ in calls]
    total = sum(weights)
    counts = [int(signup_count * weight / total) for weight in weights]
    counts[0] += signup_count - sum(counts)
    rows, held = [], {}
    for call, count in zip(calls, counts):
        units = set(audiences.get(call["id"], ()))
        eligible = active if call["audience_all"] else [
            user for user in active if directorate_of[user["org_unit_id"]] in units]
        count = min(count, len(eligible))
        opened = call["published_at"]
        moments = sorted(opened + (now - opened) * rng.random() for _ in range(count))
        holding = 0
        for agent, moment in zip(rng.sample(eligible, count), moments):
            if rng.random() < 0.08:
                status = rng.choice(ENDED if call["needs_manager_agreement"] else ENDED[:2])
            elif call["capacity"] is None or holding < call["capacity"]:
                holding += 1
                status = "approved" if not call["needs_manager_agreement"] or rng.random() < 0.5 \
                    else "pending_manager"
            else:
                status = "waitlisted"
            rows.append({
                "call_id": call["id"], "agent_id": agent["id"], "status": status,
                "motivation": "Je souhaite contribuer à ce projet et apprendre de nouvelles méthodes.",
                "availability": rng.choice(["Plutôt le mardi.", "Les après-midi.", ""]),
                "hours_asked": Decimal(rng.choice([2, 4, 7, 10, 20, 35])), "submitted_at": moment,
                "status_changed_at": moment + timedelta(hours=1) if status != "waitlisted" else moment,
                "decline_reason": "Profil déjà représenté." if status == "declined" else "",
            })
        held[call["id"]] = holding
    return rows, held


def _busy_inbox(rng, calls, users, rows, held, now):
    """Give the head of service with the most agents INBOX_PENDING requests to decide: their agents' sign-ups,
    pending, on the open calls without a capacity that everyone sees. Returns the manager's id."""
    reports = {}
    for user in users:
        if user["active"] and user["manager_id"] is not None:
            reports.setdefault(user["manager_id"], []).append(user)
    manager_id = max(reports, key=lambda candidate: len(reports[candidate]))
    live = {(row["call_id"], row["agent_id"]) for row in rows if row["status"] in ("pending_manager", "waitlisted",
                                                                                   "approved")}
    open_calls = [call for call in calls
                  if call["capacity"] is None and call["audience_all"] and call["needs_manager_agreement"]]
    pairs = [(call, agent) for call in open_calls for agent in reports[manager_id]
             if (call["id"], agent["id"]) not in live]
    if len(pairs) < INBOX_PENDING:
        raise ValueError(f"only {len(pairs)} possible requests for the busy manager")
    for call, agent in rng.sample(pairs, INBOX_PENDING):
        moment = now - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 1440))
        rows.append({"call_id": call["id"], "agent_id": agent["id"], "status": "pending_manager",
                     "motivation": "Je souhaite contribuer.", "availability": "", "decline_reason": "",
                     "hours_asked": Decimal(rng.choice([4, 7, 10, 20])), "submitted_at": moment,
                     "status_changed_at": moment})
        held[call["id"]] = held.get(call["id"], 0) + 1
    return manager_id


def _budgets(conn, rng, calls, users, now):
    """An allocation of the hours asked over the call's period for each approved sign-up, with
    ENTRIES_PER_ALLOCATION days of time logged in it, and the manager's decision on each request decided."""
    signups = table("allies_signups")
    periods = {call["id"]: (call["start_date"], call["end_date"], call["needs_manager_agreement"]) for call in calls}
    managers = {user["id"]: user["manager_id"] for user in users}
    decided = conn.execute(select(signups.c.id, signups.c.call_id, signups.c.agent_id, signups.c.status,
                                  signups.c.hours_asked, signups.c.submitted_at)
                           .where(signups.c.status.in_(("approved", "refused")))).all()
    allocations, decisions = [], []
    for signup_id, call_id, agent_id, status, hours, submitted in decided:
        start, end, needs_agreement = periods[call_id]
        if status == "approved":
            allocations.append({"signup_id": signup_id, "agent_id": agent_id, "hours": hours, "start_date": start,
                                "end_date": end, "created_at": submitted})
        if needs_agreement and managers[agent_id] is not None:
            decisions.append({"signup_id": signup_id, "decided_by_id": managers[agent_id], "kind": "request",
                              "outcome": status, "hours_asked": hours,
                              "hours_agreed": hours if status == "approved" else None, "reason": "",
                              "decided_at": min(now, submitted + timedelta(hours=rng.randint(1, 240)))})
    conn.execute(table("allies_allocations").insert(), allocations)
    conn.execute(table("allies_decisions").insert(), decisions)
    allocation_table = table("allies_allocations")
    entries = []
    for allocation_id, agent_id, start, end in conn.execute(select(
            allocation_table.c.id, allocation_table.c.agent_id, allocation_table.c.start_date,
            allocation_table.c.end_date)):
        days = (end - start).days + 1
        for offset in rng.sample(range(days), min(days, ENTRIES_PER_ALLOCATION)):
            entries.append({"allocation_id": allocation_id, "agent_id": agent_id, "day": start + timedelta(days=offset),
                            "hours": Decimal(rng.choice(["0.5", "1", "1.5", "2", "3.25"])), "note": "Atelier",
                            "created_at": now, "updated_at": now})
    conn.execute(table("allies_time_entries").insert(), entries)


def pick_page_agent_and_call(conn, facts):
    """An ordinary agent (no role, no reports) with a few live sign-ups, and an open call with questions they have
    not answered."""
    users, signups = table("allies_users"), table("allies_signups")
    calls, questions = table("allies_calls"), table("allies_questions")
    grants = table("allies_role_grants")
    live = (select(func.count()).where(signups.c.agent_id == users.c.id,
                                       signups.c.status.in_(("pending_manager", "waitlisted", "approved")))
            .scalar_subquery())
    reports = users.alias("reports")
    agent_id = conn.execute(
        select(users.c.id).where(users.c.active.is_(True), users.c.manager_id.is_not(None), users.c.locale.is_(None),
                                 ~select(grants.c.id).where(grants.c.user_id == users.c.id).exists(),
                                 ~select(reports.c.id).where(reports.c.manager_id == users.c.id).exists(), live >= 4)
        .order_by(users.c.id).limit(1)).scalar_one()
    call_id = conn.execute(
        select(calls.c.id).where(calls.c.audience_all.is_(True), calls.c.capacity.is_not(None),
                                 calls.c.id != facts["burst_call_id"],
                                 select(questions.c.id).where(questions.c.call_id == calls.c.id).exists(),
                                 ~select(signups.c.id).where(signups.c.call_id == calls.c.id,
                                                             signups.c.agent_id == agent_id).exists())
        .order_by(calls.c.id).limit(1)).scalar_one()
    return agent_id, call_id


def check_places(conn):
    """Calls whose held places disagree with their sign-ups, or with a waiting list while places are free."""
    signups = table("allies_signups")
    calls = table("allies_calls")
    holding = (select(func.count()).where(signups.c.call_id == calls.c.id,
                                          signups.c.status.in_(("pending_manager", "approved")))
               .scalar_subquery())
    waiting = (select(func.count()).where(signups.c.call_id == calls.c.id, signups.c.status == "waitlisted")
               .scalar_subquery())
    bad_count = conn.execute(select(func.count()).select_from(calls).where(calls.c.held_places != holding)).scalar()
    bad_waitlist = conn.execute(select(func.count()).select_from(calls).where(
        waiting > 0, (calls.c.capacity.is_(None)) | (calls.c.held_places < calls.c.capacity))).scalar()
    return bad_count, bad_waitlist
