"""Demo calls and sign-ups, made through the real operations."""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..approvals.operations import approve
from ..budgets.operations import log_time
from ..budgets.working_time import QUARTER, hours_to_propose
from ..calls.operations import add_question, create_call, publish
from ..clock import local_today, utcnow
from ..database import session
from ..directory.models import OrgUnit, User
from ..signups.operations import sign_up
from .data import DEMO_ACCOUNTS, DEMO_REPORTS_WAITING

CALLS = [
    {
        "title": "Réinventer l'accueil des usagers dans les lycées",
        "summary": "Trois ateliers de design de services pour repenser l'accueil des familles et des élèves.",
        "body": "## Le défi\n\nLes familles attendent trop longtemps.\n\n- 3 ateliers d'une demi-journée\n- des "
                "entretiens avec des usagers\n\n**Aucune compétence particulière** n'est demandée.",
        "commitment_kind": "percent", "commitment_value": Decimal(10), "capacity": 8, "months": 6,
        "questions": [
            ("single_choice", "Quel atelier vous intéresse le plus\u00a0?", True, ["Accueil physique", "Accueil téléphonique",
                                                                              "Accueil numérique"]),
            ("yes_no", "Avez-vous déjà participé à un atelier du laboratoire\u00a0?", False, []),
        ],
    },
    {
        "title": "Facilitateurs et facilitatrices du réseau d'innovation",
        "summary": "Rejoignez le réseau des facilitateurs\u00a0: animez des ateliers dans votre direction, 10\u00a0% de "
                   "votre temps.",
        "body": "Une formation de trois jours ouvre la saison, puis vous animez **deux ateliers par trimestre**.",
        "commitment_kind": "percent", "commitment_value": Decimal(10), "capacity": 3, "months": 12,
        "questions": [
            ("multiple_choice", "Quelles méthodes connaissez-vous déjà\u00a0?", False,
             ["Design thinking", "Intelligence collective", "Facilitation graphique", "Aucune"]),
            ("long_text", "Une expérience d'animation dont vous êtes fier ou fière", False, []),
        ],
    },
    {
        "title": "Tester le nouveau formulaire d'aide aux transports scolaires",
        "summary": "Deux heures pour tester le futur formulaire en ligne et nous dire ce qui coince.",
        "body": "Les tests ont lieu en visioconférence.",
        "commitment_kind": "total_hours", "commitment_value": Decimal(2), "capacity": None, "months": 2,
        "needs_manager_agreement": False,
        "questions": [("date", "Quel jour êtes-vous disponible\u00a0?", True, []),
                      ("number", "Combien de formulaires en ligne remplissez-vous par mois\u00a0?", False, [])],
    },
]


def load_demo_calls(seed=2026):
    """Publish the demo calls (the second one full, with a waiting list) and sign some agents up."""
    rng = random.Random(seed)
    lab = session.execute(select(User).where(User.login == DEMO_ACCOUNTS["lab"])).scalar_one()
    agents = session.execute(select(User).where(User.active.is_(True), User.manager_id.is_not(None))
                             .order_by(User.login)).scalars().all()
    lycees = session.execute(select(OrgUnit).where(OrgUnit.path == "DGS/Direction des lycées")).scalar_one_or_none()
    start = local_today().replace(day=1) + timedelta(days=32)
    start = start.replace(day=1)
    calls = []
    for number, spec in enumerate(CALLS):
        call = create_call(
            lab, audience_units=[lycees] if number == 0 and lycees else [],
            title=spec["title"], summary=spec["summary"], body=spec["body"], capacity=spec["capacity"],
            deadline=utcnow() + timedelta(days=21 + 7 * number), audience_all=not (number == 0 and lycees),
            commitment_kind=spec["commitment_kind"], commitment_value=spec["commitment_value"], start_date=start,
            end_date=start + timedelta(days=30 * spec["months"] - 1),
            needs_manager_agreement=spec.get("needs_manager_agreement", True),
            contact="Laboratoire d'innovation publique — labo@region-exemple.fr")
        for kind, label, required, choices in spec["questions"]:
            add_question(call, lab, kind=kind, label=label, required=required, choices=choices)
        publish(call, lab)
        calls.append(call)
    session.flush()
    for call, count in zip(calls, (0, 6, 4)):
        for agent in rng.sample(agents, count):
            sign_up(call.id, agent, "Je souhaite contribuer à ce projet et apprendre de nouvelles méthodes.",
                    Decimal(20) if call.commitment_kind == "percent" else Decimal(2), "Plutôt le mardi.",
                    [(question, _demo_answer(question, rng)) for question in call.active_questions])
    load_demo_budgets(lab, agents, rng)
    calls.append(load_demo_questionnaire(lab, agents, start, rng))
    create_call(lab, title="Brouillon\u00a0: semaine de l'innovation publique",
                summary="Préparer les animations de la semaine de l'innovation publique.", body="", capacity=12,
                deadline=utcnow() + timedelta(days=60), audience_all=True, commitment_kind="days_per_month",
                commitment_value=Decimal(1), start_date=start, end_date=start + timedelta(days=89),
                needs_manager_agreement=True, contact="")
    return calls


# A call that asks each kind of question, proposes 10,5 h (seven workshops of an hour and a half), and that
# the demo agent has not answered yet; two of the demo manager's team wait for her decision on it.
QUESTIONNAIRE = {
    "title": "Concevoir le parcours d'accueil des nouveaux arrivants",
    "summary": "Sept ateliers d'une heure et demie pour imaginer l'accueil des agents qui rejoignent la Région.",
    "body": "## Le défi\n\nUn nouvel agent sur trois dit s'être senti perdu le premier mois.\n\n- 7 ateliers "
            "d'1\u00a0h\u00a030, un toutes les deux semaines\n- des entretiens avec des arrivants récents",
    "questions": [
        ("short_text", "Votre fonction actuelle", True, []),
        ("long_text", "Racontez votre propre arrivée\u00a0: ce qui vous a aidé, ce qui a manqué", False, []),
        ("single_choice", "Quel format préférez-vous\u00a0?", True,
         ["Atelier sur place", "Atelier en visioconférence", "Peu importe"]),
        ("multiple_choice", "Quelles étapes du parcours voulez-vous travailler\u00a0?", False,
         ["Avant l'arrivée", "Premier jour", "Premier mois", "Première année"]),
        ("yes_no", "Êtes-vous arrivé ou arrivée à la Région depuis moins de deux ans\u00a0?", False, []),
        ("number", "Combien de nouveaux arrivants votre service accueille-t-il par an\u00a0?", False, []),
        ("date", "À partir de quand êtes-vous disponible\u00a0?", False, []),
    ],
}
JOBS = ["Gestionnaire formation", "Chargée de mission", "Assistant de direction", "Juriste", "Technicien"]


def load_demo_questionnaire(lab, agents, start, rng):
    """The call with every kind of question: sign-ups with answers to export, requests waiting for the demo manager."""
    call = create_call(lab, audience_units=[], title=QUESTIONNAIRE["title"], summary=QUESTIONNAIRE["summary"],
                       body=QUESTIONNAIRE["body"], capacity=12, deadline=utcnow() + timedelta(days=18),
                       audience_all=True, commitment_kind="total_hours", commitment_value=Decimal("10.5"),
                       start_date=start, end_date=start + timedelta(days=97), needs_manager_agreement=True,
                       contact="Thomas Le Bihan — labo@region-exemple.fr")
    for kind, label, required, choices in QUESTIONNAIRE["questions"]:
        add_question(call, lab, kind=kind, label=label, required=required, choices=choices)
    publish(call, lab)
    session.flush()
    by_login = {agent.login: agent for agent in agents}
    waiting = [by_login[login] for login in DEMO_REPORTS_WAITING]
    team_manager = by_login[DEMO_ACCOUNTS["agent"]].manager
    others = rng.sample([agent for agent in agents if agent.manager is not team_manager and agent.manager.active
                         and agent.login not in DEMO_ACCOUNTS.values()], 4)
    for number, agent in enumerate([*waiting, *others]):
        signup, *_ = sign_up(call.id, agent, "L'accueil des nouveaux collègues me tient à cœur.",
                            hours_to_propose(call, agent), "Le jeudi après-midi.",
                            [(question, _demo_answer(question, rng)) for question in call.active_questions])
        if number >= len(waiting) + 1:  # the first of the others still waits for their own manager
            approve(signup, agent.manager, signup.hours_asked if number % 2 else Decimal(9))
    return call


def _demo_answer(question, rng):
    """A plausible answer to a demo question."""
    if question.kind == "single_choice":
        return rng.choice(question.choices)
    if question.kind == "multiple_choice":
        return rng.sample(question.choices, 2)
    if question.kind == "yes_no":
        return rng.choice(["yes", "no"])
    if question.kind == "date":
        return local_today() + timedelta(days=40)
    if question.kind == "number":
        return Decimal(rng.randint(0, 6))
    if question.kind == "short_text":
        return rng.choice(JOBS)
    return "J'ai animé un atelier de co-construction avec les usagers d'un lycée."


def load_demo_budgets(lab, agents, rng):
    """A call running since the start of the year: its volunteers' managers agreed, and they logged time."""
    today = local_today()
    start = date(today.year, 1, 1)
    call = create_call(lab, audience_units=[], title="Ambassadeurs et ambassadrices de la simplification",
                       summary="Relayer dans votre service les démarches simplifiées, toute l'année.",
                       body="Un temps d'échange par mois, et des relais auprès de vos collègues.", capacity=12,
                       deadline=utcnow() + timedelta(days=14), audience_all=True, commitment_kind="hours_per_month",
                       commitment_value=Decimal(4), start_date=start, end_date=date(today.year, 12, 31),
                       needs_manager_agreement=True, contact="labo@region-exemple.fr")
    publish(call, lab)
    session.flush()
    demo_agent = next(agent for agent in agents if agent.login == DEMO_ACCOUNTS["agent"])
    volunteers = [demo_agent, *rng.sample([a for a in agents if a is not demo_agent and a.manager.active], 9)]
    for number, agent in enumerate(volunteers):
        signup, *_ = sign_up(call.id, agent, "Je veux faire connaître les démarches simplifiées.", Decimal(40))
        if number == len(volunteers) - 1:
            continue  # one request still waits for the manager
        allocation = approve(signup, agent.manager, Decimal(40) if number % 3 else Decimal(32))
        share = Decimal("0.85") if agent is demo_agent else Decimal(rng.randint(10, 90)) / 100
        _log_demo_time(allocation, agent, allocation.hours * share, today, rng)


def _log_demo_time(allocation, agent, hours, today, rng):
    """Spread about `hours` of entries of about 2 h from the allocation's start to today, in quarter hours."""
    step = max(1, (today - allocation.start_date).days * 2 // max(int(hours), 1))
    day, left = allocation.start_date + timedelta(days=rng.randint(0, step)), hours
    while left >= 1 and day <= today:
        amount = min(Decimal(rng.choice([1, 1.5, 2, 2.5, 3])), left)
        log_time(allocation, agent, day, amount - amount % QUARTER, rng.choice(NOTES), today=day)  # logged that day
        left -= amount
        day += timedelta(days=rng.randint(max(1, step // 2), step + step // 2))


NOTES = ["Atelier avec le service", "Relais auprès des collègues", "Réunion mensuelle des ambassadeurs", ""]
