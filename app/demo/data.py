"""Fictional demo directory for the "Alliés" app.

Everything here is invented: the region ("Région Val-de-Loire-Océane"), its
organisation chart, its staff and the ``region-exemple.fr`` mail domain. The
rows mimic an HR export in the directory CSV format (columns ``login, email,
given_name, family_name, org_unit, manager, quotity, roles, active``) and are
fully deterministic for a given seed.

Pure standard library; nothing here imports from the rest of the project.
"""

from __future__ import annotations

import random
import re
import unicodedata

REGION_NAME = "Région Val-de-Loire-Océane"
EMAIL_DOMAIN = "region-exemple.fr"
ROOT_UNIT = "DGS"  # Direction générale des services
TARGET_ROWS = 300

DEMO_PASSWORD = "demo-allies-2026"

# role -> login. These people are placed explicitly in the list (see FIXED_PEOPLE).
DEMO_ACCOUNTS: dict[str, str] = {
    "agent": "camille.roussel",
    "manager": "marie-helene.dalmeida",
    "lab": "thomas.lebihan",
    "admin": "nathalie.guerin",
}

# Direct reports of the demo manager whose requests wait for her decision (README, « Try it, test it »).
DEMO_REPORTS_WAITING: tuple[str, ...] = ("ana.mercier", "soizic.vidal-bertin")

FIELDS = (
    "login", "email", "given_name", "family_name",
    "org_unit", "manager", "quotity", "roles", "active", "category", "filiere",
)

# --------------------------------------------------------------------------
# Organisation chart: (directorate, (services...))
# --------------------------------------------------------------------------
LAB_UNIT = "DGS/Direction de la transformation publique/Laboratoire d'innovation publique"

DIRECTORATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Direction des ressources humaines", (
        "Service formation",
        "Service carrières et paie",
        "Service recrutement et mobilité",
        "Service qualité de vie au travail",
    )),
    ("Direction des finances", (
        "Service budget et programmation",
        "Service comptabilité",
        "Service commande publique",
    )),
    ("Direction des lycées", (
        "Service patrimoine des lycées",
        "Service restauration scolaire",
        "Service numérique éducatif",
    )),
    ("Direction des transports et des mobilités", (
        "Service transports scolaires et interurbains",
        "Service ferroviaire régional",
        "Service mobilités durables",
    )),
    ("Direction de l'environnement et de la transition énergétique", (
        "Service biodiversité et eau",
        "Service énergie et climat",
        "Service économie circulaire",
    )),
    ("Direction de la culture et du patrimoine", (
        "Service spectacle vivant",
        "Service patrimoine et inventaire",
        "Service livre et lecture publique",
    )),
    ("Direction du développement économique", (
        "Service aides aux entreprises",
        "Service attractivité et international",
        "Service économie sociale et solidaire",
    )),
    ("Direction des systèmes d'information", (
        "Service infrastructures et exploitation",
        "Service applications métier",
        "Service assistance aux utilisateurs",
        "Service données et sécurité",
    )),
    ("Direction de l'agriculture et de la mer", (
        "Service fonds européens agricoles",
        "Service pêche et littoral",
    )),
    ("Direction de la formation professionnelle et de l'apprentissage", (
        "Service apprentissage",
        "Service formation des demandeurs d'emploi",
        "Service orientation et information métiers",
    )),
    ("Direction de la transformation publique", (
        "Laboratoire d'innovation publique",
        "Service relation aux usagers",
    )),
)

# --------------------------------------------------------------------------
# People placed explicitly: (given, family, org_unit, is_head, roles).
# is_head=True makes the person head of org_unit ("DGS" = head of the administration).
# --------------------------------------------------------------------------
FIXED_PEOPLE: tuple[tuple[str, str, str, bool, str], ...] = (
    ("Isabelle", "Fournier-Lemoine", "DGS", True, ""),
    # Demo "manager" and its demo "agent".
    ("Marie-Hélène", "D'Almeida",
     "DGS/Direction des ressources humaines/Service formation", True, ""),
    ("Camille", "Roussel",
     "DGS/Direction des ressources humaines/Service formation", False, ""),
    # Innovation lab team.
    ("Samia", "Benhaddou", LAB_UNIT, True, "lab"),
    ("Thomas", "Le Bihan", LAB_UNIT, False, "lab"),
    ("Inès", "Moreau-Vidal", LAB_UNIT, False, "lab"),
    ("Julien", "N'Diaye", LAB_UNIT, False, "lab,admin"),
    ("Léa", "Quéméner", LAB_UNIT, False, "lab"),
    # Directory administrators.
    ("Nathalie", "Guérin",
     "DGS/Direction des systèmes d'information/Service infrastructures et exploitation",
     False, "admin"),
    ("Mehdi", "Cherif",
     "DGS/Direction des systèmes d'information/Service applications métier",
     False, "admin"),
)

# Services whose size is fixed (no generated agents added).
CLOSED_SERVICES = (LAB_UNIT,)

# --------------------------------------------------------------------------
# Name pools
# --------------------------------------------------------------------------
GIVEN_NAMES: tuple[str, ...] = (
    # women
    "Marie", "Anne", "Sophie", "Nathalie", "Isabelle", "Sylvie", "Catherine",
    "Valérie", "Christine", "Sandrine", "Céline", "Aurélie", "Émilie", "Julie",
    "Camille", "Laura", "Manon", "Chloé", "Léa", "Clémence", "Mathilde",
    "Hélène", "Élodie", "Agnès", "Véronique", "Béatrice", "Françoise",
    "Gaëlle", "Maëlle", "Solène", "Anaïs", "Océane", "Justine", "Pauline",
    "Claire", "Delphine", "Virginie", "Stéphanie", "Karine", "Brigitte",
    "Marie-Hélène", "Anne-Sophie", "Marie-Claire", "Anne-Laure", "Marie-Pierre",
    "Yasmine", "Samia", "Nadia", "Leïla", "Fatou", "Aminata", "Soizic",
    "Nolwenn", "Rozenn", "Ana", "Joana", "Agnieszka", "Thi Lan", "Mei",
    "Zoé", "Inès", "Margaux", "Eléonore", "Bérénice", "Noémie",
    # men
    "Jean", "Pierre", "Philippe", "Nicolas", "Laurent", "Stéphane", "Olivier",
    "Christophe", "Frédéric", "Sébastien", "Julien", "Thomas", "Antoine",
    "Guillaume", "Romain", "Maxime", "Hugo", "Lucas", "Théo", "Mathis",
    "François", "Jérôme", "Cédric", "Benoît", "Grégoire", "Rémi", "Loïc",
    "Gaëtan", "Yannick", "Erwan", "Gwenaël", "Ronan", "Mickaël", "Hervé",
    "Jean-Marc", "Jean-Baptiste", "Pierre-Yves", "Jean-François", "Paul-Henri",
    "Karim", "Mehdi", "Youssef", "Rachid", "Mamadou", "Moussa", "Ibrahima",
    "João", "Miguel", "Tomasz", "Minh", "Kévin", "Adrien", "Bastien",
    "Florian", "Damien", "Arnaud", "Vincent", "Éric", "Thierry", "Pascal",
)

FAMILY_NAMES: tuple[str, ...] = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
    "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel",
    "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François",
    "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Boyer", "Denis", "Lemaire", "Duval", "Joly",
    "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier",
    "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun",
    "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Régnier",
    "Le Gall", "Le Goff", "Le Roux", "Le Bras", "Le Floch", "Kerbrat",
    "Tanguy", "Guillou", "Jaouen", "Quéré", "Le Corre", "Morvan", "Hamon",
    "Cadiou", "Prigent", "Riou", "Lebreton", "Gaillard", "Bouvier", "Hervé",
    "D'Almeida", "D'Arco", "de La Roche", "Da Silva", "Ferreira", "Pereira",
    "Rodrigues", "Dos Santos", "N'Diaye", "Diallo", "Traoré", "Sow",
    "Benali", "Haddad", "Bouzid", "Cherif", "Mansouri", "El Amrani",
    "Nguyen", "Tran", "Pham", "Chen", "Kowalski", "Nowak", "Yilmaz",
    "Rakotomalala", "Mendy", "Ouédraogo", "Leclerc-Daunou", "Vidal-Bertin",
    "Lemoine-Tessier", "Châtelain", "Besnard", "Lévêque", "Pélissier",
    "Thébault", "Crochet", "Gicquel", "Hémon", "Goasdoué", "Ménard",
)

PART_TIME_QUOTITIES = ("80", "80", "80", "80", "90", "90", "50", "60", "70")
PART_TIME_SHARE = 0.13
INACTIVE_COUNT = 3

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def _slug(text: str) -> str:
    """Lowercase, strip accents, drop spaces/apostrophes; keep hyphens."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9-]", "", text)


def make_login(given: str, family: str, used: set[str]) -> str:
    """Build a unique ``firstname.lastname`` login and record it in *used*."""
    base = f"{_slug(given)}.{_slug(family)}"[:60].strip(".-")
    login, n = base, 1
    while login in used:
        n += 1
        login = f"{base}{n}"
    if not LOGIN_RE.match(login):  # defensive: should never happen with our pools
        raise ValueError(f"invalid demo login: {login!r}")
    used.add(login)
    return login


def _row(login: str, given: str, family: str, unit: str, manager: str,
         roles: str = "") -> dict[str, str]:
    """One directory row with default quotity/active values."""
    return {
        "login": login,
        "email": f"{login}@{EMAIL_DOMAIN}",
        "given_name": given,
        "family_name": family,
        "org_unit": unit,
        "manager": manager,
        "quotity": "100",
        "roles": roles,
        "active": "1",
    }


def _service_sizes(rng: random.Random, services: list[str],
                   fixed_agents: dict[str, int], budget: int) -> dict[str, int]:
    """Number of agents (heads excluded) per service, summing to *budget*."""
    sizes = {s: max(fixed_agents.get(s, 0), rng.randint(5, 10)) for s in services}
    for s in CLOSED_SERVICES:
        sizes[s] = fixed_agents.get(s, 0)
    open_services = [s for s in services if s not in CLOSED_SERVICES]
    while sum(sizes.values()) < budget:
        sizes[rng.choice(open_services)] += 1
    while sum(sizes.values()) > budget:
        s = rng.choice(open_services)
        if sizes[s] > max(5, fixed_agents.get(s, 0)):
            sizes[s] -= 1
    return sizes


def demo_rows(seed: int = 2026) -> list[dict[str, str]]:
    """Rows of a fictional HR export, in the directory CSV format."""
    rng = random.Random(seed)
    used: set[str] = set()
    fixed_login: dict[tuple[str, str], str] = {}
    # Reserve fixed people's logins first so they never get a numeric suffix.
    for given, family, _unit, _head, _roles in FIXED_PEOPLE:
        fixed_login[(given, family)] = make_login(given, family, used)

    fixed_heads = {p[2]: p for p in FIXED_PEOPLE if p[3]}
    fixed_agents: dict[str, list[tuple[str, str, str, bool, str]]] = {}
    for p in FIXED_PEOPLE:
        if not p[3]:
            fixed_agents.setdefault(p[2], []).append(p)

    services = [f"{ROOT_UNIT}/{d}/{s}" for d, ss in DIRECTORATES for s in ss]
    heads_count = 1 + len(DIRECTORATES) + len(services)
    sizes = _service_sizes(
        rng, services, {u: len(v) for u, v in fixed_agents.items()},
        TARGET_ROWS - heads_count,
    )

    def person(unit: str, manager: str, fixed: tuple | None = None) -> dict[str, str]:
        """A fixed person if given, otherwise a randomly named one."""
        if fixed is not None:
            given, family, _u, _h, roles = fixed
            return _row(fixed_login[(given, family)], given, family, unit, manager, roles)
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        while _slug(given) == _slug(family):  # avoid "Thomas Thomas"
            family = rng.choice(FAMILY_NAMES)
        return _row(make_login(given, family, used), given, family, unit, manager)

    rows: list[dict[str, str]] = []
    fixed_set = set(fixed_login.values())

    # Managers always come before their reports.
    dgs = person(ROOT_UNIT, "", fixed_heads.get(ROOT_UNIT))
    rows.append(dgs)
    for directorate, service_names in DIRECTORATES:
        d_unit = f"{ROOT_UNIT}/{directorate}"
        director = person(d_unit, dgs["login"], fixed_heads.get(d_unit))
        rows.append(director)
        for service in service_names:
            s_unit = f"{d_unit}/{service}"
            head = person(s_unit, director["login"], fixed_heads.get(s_unit))
            rows.append(head)
            fixed_here = fixed_agents.get(s_unit, [])
            for p in fixed_here:
                rows.append(person(s_unit, head["login"], p))
            for _ in range(sizes[s_unit] - len(fixed_here)):
                rows.append(person(s_unit, head["login"]))

    # Part-timers and leavers are drawn among generated people only.
    managers = {r["manager"] for r in rows}
    generated = [r for r in rows if r["login"] not in fixed_set and r["manager"]]
    for r in rng.sample(generated, round(PART_TIME_SHARE * len(rows))):
        r["quotity"] = rng.choice(PART_TIME_QUOTITIES)
    leavers = [r for r in generated if r["login"] not in managers]
    for r in rng.sample(leavers, INACTIVE_COUNT):
        r["active"] = "0"
    _give_categories(rows, managers, random.Random(seed + 1))
    return rows


# A regional council's staff, roughly: many C (agents of the high schools, roads), fewer A and B, some contract staff.
CATEGORY_SHARES = (("A", 0.2), ("B", 0.2), ("C", 0.5), ("contractuel", 0.1))
FILIERES = ("administrative", "technique", "culturelle", "sociale")


def _give_categories(rows, managers, rng):
    """Each person's civil-service category and filière (managers are A), drawn with their own generator so that
    names and logins stay those of earlier demos."""
    categories, weights = zip(*CATEGORY_SHARES)
    for row in rows:
        row["category"] = "A" if row["login"] in managers else rng.choices(categories, weights)[0]
        row["filiere"] = rng.choice(FILIERES)
