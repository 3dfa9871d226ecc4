"""Identity source "ldap" and `flask directory sync-ldap`, against a real OpenLDAP server (slapd)."""

import base64
import hashlib
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import Identity
from app.database import session
from app.directory.ldap import unit_path_from_dn
from app.directory.models import OrgUnit, User
from tests.pages import flashes, parse_page

REQUIRE_SERVERS = os.environ.get("REQUIRE_BROWSER") == "1"
SLAPD = shutil.which("slapd") or shutil.which("slapd", path="/usr/sbin:/usr/local/sbin")
OPENSSL = shutil.which("openssl")
SCHEMAS = Path("/etc/ldap/schema")
SUFFIX = "dc=example,dc=org"
PEOPLE = f"ou=people,{SUFFIX}"
SERVICE_DN = f"cn=allies,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
DGS, DRH, TRAINING = "DGS", "Direction des ressources humaines", "Service formation"
# uid, given name, family name, unit path, manager uid, employeeType (quotity), password
PEOPLE_ENTRIES = [
    ("isabelle", "Isabelle", "Fournier", (DGS,), "", "", "isabelle-secret"),
    ("paul", "Paul", "Lefèvre", (DGS, DRH), "isabelle", "", "paul-secret"),
    ("marie", "Marie-Hélène", "D'Almeida", (DGS, DRH, TRAINING), "paul", "80", "marie-secret"),
    ("camille", "Camille", "Roussel", (DGS, DRH, TRAINING), "marie", "", "camille-secret"),
    ("alex", "Alex", "Martin", (DGS, DRH, TRAINING), "marie", "", "alex-secret"),
]
ALEX_PASSWORD = "alex-secret"
GROUPS = f"ou=groups,{SUFFIX}"
LAB_GROUP, ADMIN_GROUP = f"cn=labo,{GROUPS}", f"cn=admins,{GROUPS}"


def ssha(password):
    """An {SSHA} userPassword value, as slappasswd writes it."""
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def unit_dn(path):
    """The DN of the organizational unit at `path` under ou=people."""
    return ",".join([f"ou={name}" for name in reversed(path)] + [PEOPLE])


def person_dn(uid):
    entry = next(entry for entry in PEOPLE_ENTRIES if entry[0] == uid)
    return f"uid={uid},{unit_dn(entry[3])}"


def ldif(entries):
    """LDIF text of (dn, [(attribute, value)…]) entries (values are UTF-8, so base64 encoded)."""
    blocks = []
    for dn, attributes in entries:
        lines = [f"dn:: {base64.b64encode(dn.encode()).decode()}"]
        lines += [f"{name}:: {base64.b64encode(value.encode()).decode()}" for name, value in attributes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def directory_tree():
    """The suffix, ou=people with a DGS/DRH/training OU tree, five people and the service account."""
    entries = [
        (SUFFIX, [("objectClass", "dcObject"), ("objectClass", "organization"), ("o", "Example"), ("dc", "example")]),
        (PEOPLE, [("objectClass", "organizationalUnit"), ("ou", "people")]),
        (f"ou=services,{SUFFIX}", [("objectClass", "organizationalUnit"), ("ou", "services")]),
        (SERVICE_DN, [("objectClass", "applicationProcess"), ("objectClass", "simpleSecurityObject"),
                      ("cn", "allies"), ("userPassword", ssha(SERVICE_PASSWORD))]),
    ]
    for depth in range(1, 4):
        path = (DGS, DRH, TRAINING)[:depth]
        entries.append((unit_dn(path), [("objectClass", "organizationalUnit"), ("ou", path[-1])]))
    for uid, given, family, path, manager, quotity, password in PEOPLE_ENTRIES:
        attributes = [("objectClass", "inetOrgPerson"), ("uid", uid), ("cn", f"{given} {family}"),
                      ("givenName", given), ("sn", family), ("mail", f"{uid}@region.fr"),
                      ("departmentNumber", "/".join(path)), ("userPassword", ssha(password))]
        if manager:
            attributes.append(("manager", person_dn(manager)))
        if quotity:
            attributes.append(("employeeType", quotity))
        if uid == "marie":  # the only one whose category and filière the directory holds
            attributes += [("businessCategory", "B"), ("title", "administrative")]
        if uid == "paul":  # a category written otherwise: unknown, and the sync goes on
            attributes += [("businessCategory", "CDI")]
        entries.append((person_dn(uid), attributes))
    entries += [
        (GROUPS, [("objectClass", "organizationalUnit"), ("ou", "groups")]),
        # Alex's DN as another directory tool may write it: other case, spaces after the commas.
        (LAB_GROUP, [("objectClass", "groupOfNames"), ("cn", "labo"), ("member", person_dn("marie")),
                     ("member", person_dn("alex").upper().replace(",", ", "))]),
        (ADMIN_GROUP, [("objectClass", "groupOfNames"), ("cn", "admins"), ("member", person_dn("isabelle"))]),
    ]
    return entries


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Slapd:
    """A running slapd and the Alliés settings that reach it (plain LDAP; LDAPS with its certificate)."""

    url: str
    settings: dict
    ldaps_url: str
    certificate: str
    log: Path  # connections and operations (loglevel stats)


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """A real OpenLDAP server on a free 127.0.0.1 port, loaded with the test tree, stopped at the end."""
    if SLAPD is None or not SCHEMAS.is_dir() or OPENSSL is None:
        message = "needs OpenLDAP's slapd, /etc/ldap/schema and openssl (apt-get install slapd openssl)"
        if REQUIRE_SERVERS:
            pytest.fail(f"REQUIRE_BROWSER=1 but this test {message}")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    modules = Path("/usr/lib/ldap")
    module_lines = (f"modulepath {modules}\nmoduleload back_mdb\n"
                    if (modules / "back_mdb.so").exists() or (modules / "back_mdb.la").exists() else "")
    (folder / "slapd.conf").write_text(
        "".join(f"include {SCHEMAS / name}.schema\n" for name in ("core", "cosine", "inetorgperson"))
        + module_lines
        + f"pidfile {folder / 'slapd.pid'}\n"
        + "database mdb\nmaxsize 10485760\n"
        + f'suffix "{SUFFIX}"\nrootdn "cn=admin,{SUFFIX}"\nrootpw admin-secret\ndirectory {folder / "db"}\n'
        # Passwords are only for binding; only signed-in entries (the service account) may read.
        + "access to attrs=userPassword by anonymous auth by * none\n"
        + "access to * by users read by * none\n"
    )
    certificate, key = folder / "server.pem", folder / "server.key"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(certificate), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    (folder / "slapd.conf").write_text((folder / "slapd.conf").read_text().replace(
        "database mdb", f"TLSCertificateFile {certificate}\nTLSCertificateKeyFile {key}\ndatabase mdb"))
    (folder / "tree.ldif").write_text(ldif(directory_tree()))
    subprocess.run([SLAPD.replace("slapd", "slapadd"), "-f", str(folder / "slapd.conf"), "-l",
                    str(folder / "tree.ldif")], check=True, capture_output=True)
    port, ldaps_port = free_port(), free_port()
    url, ldaps_url = f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{ldaps_port}"
    log = open(folder / "slapd.log", "wb")
    process = subprocess.Popen([SLAPD, "-f", str(folder / "slapd.conf"), "-h", f"{url}/ {ldaps_url}/", "-d", "stats"],
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while True:
        try:
            for listening in (port, ldaps_port):
                socket.create_connection(("127.0.0.1", listening), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"slapd did not start: {(folder / 'slapd.log').read_text(errors='replace')}")
            time.sleep(0.05)
    yield Slapd(url=url, ldaps_url=ldaps_url, certificate=str(certificate), log=folder / "slapd.log", settings={
        "ALLIES_LDAP_URL": url,
        "ALLIES_LDAP_BIND_DN": SERVICE_DN,
        "ALLIES_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "ALLIES_LDAP_USER_BASE": PEOPLE,
        "ALLIES_LDAP_UNIT_ATTRIBUTE": "departmentNumber",
        "ALLIES_LDAP_QUOTITY_ATTRIBUTE": "employeeType",
        "ALLIES_LDAP_CATEGORY_ATTRIBUTE": "businessCategory",
        "ALLIES_LDAP_FILIERE_ATTRIBUTE": "title",
        "ALLIES_LDAP_TIMEOUT": 3,
    })
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def app(app_factory, slapd):
    """The application signing in through the test slapd (make_user, client and runner use it)."""
    application = app_factory(ALLIES_IDENTITY_SOURCE="ldap", **slapd.settings)
    with application.app_context():
        yield application


DIRECTORY_DOWN = "Sign-in is unavailable: the organisation's directory does not answer. Try again in a few minutes."


def post_login(client, login, password):
    return client.post("/login", data={"login": login, "password": password})


def signed_in(client, response):
    """Who the sign-in answered by `response` signed in on `client` (their login), or None. A success leads home and
    home opens; a failure leaves no one in the session."""
    with client.session_transaction() as cookie:
        user_id = cookie.get("_user_id")
    if response.status_code != 302:
        assert user_id is None
        return None
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    return session.get(User, int(user_id.split(":")[0])).login


def audit_actions():
    return [entry.action for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def user(login):
    session.expire_all()
    return session.execute(select(User).where(User.login == login)).scalar_one()


# Sign-in


def test_a_directory_user_known_to_allies_signs_in_once_linked_by_entry_uuid(client, make_user):
    alex = make_user("alex")
    response = post_login(client, "Alex", ALEX_PASSWORD)
    assert signed_in(client, response) == "alex"
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert signed_in(client, post_login(client, "alex", ALEX_PASSWORD)) == "alex"
    identity = session.execute(select(Identity)).scalar_one()
    assert (identity.source, identity.user_id) == ("ldap", alex.id)
    assert len(identity.subject) == 36 and identity.subject.count("-") == 4  # entryUUID, not the DN
    assert audit_actions().count("auth.identity_linked") == 1 and audit_actions().count("auth.sign_in") == 2


def test_wrong_password_unknown_user_and_empty_password_fail_and_are_audited(client, make_user):
    make_user("alex")
    for login, password in (("alex", "wrong-password"), ("nobody", ALEX_PASSWORD), ("alex", "")):
        response = post_login(client, login, password)
        assert response.status_code == 200 and signed_in(client, response) is None, (login, password)
    assert session.execute(select(func.count(Identity.id))).scalar_one() == 0
    failures = session.execute(select(AuditEntry).where(AuditEntry.action == "auth.sign_in_failed")
                               .order_by(AuditEntry.id)).scalars().all()
    assert [(entry.actor_label, entry.details["source"]) for entry in failures] == [("alex", "ldap"), ("?", "ldap")]


def binds_logged_after(slapd, offset):
    """The DNs of the (at least two) binds slapd logged after byte `offset` of its log."""
    deadline = time.monotonic() + 5
    while True:
        with open(slapd.log, "rb") as log:
            log.seek(offset)
            binds = re.findall(r'BIND dn="([^"]*)" method=128', log.read().decode("utf-8", "replace"))
        if len(binds) >= 2 or time.monotonic() > deadline:
            return binds
        time.sleep(0.05)


def test_an_unknown_login_binds_like_a_wrong_password_so_timing_tells_nothing(client, slapd, make_user):
    make_user("alex")
    for login, person in (("alex", person_dn("alex")), ("zoe", None)):
        offset = slapd.log.stat().st_size
        assert signed_in(client, post_login(client, login, "wrong-secret")) is None
        service, password_bind = binds_logged_after(slapd, offset)[-2:]
        assert service == SERVICE_DN  # the search for the login
        if person:
            assert password_bind == person
        else:
            assert password_bind.startswith("cn=allies-no-such-person-") and password_bind.endswith(PEOPLE)
    assert audit_actions()[-2:] == ["auth.sign_in_failed", "auth.sign_in_failed"]


def test_an_empty_password_is_refused_before_any_bind(app, make_user):
    make_user("alex")
    source = app.extensions["allies"].identity
    with app.test_request_context():
        assert source.authenticate("alex", "") is None
    assert audit_actions() == ["auth.sign_in_failed"]


@pytest.mark.parametrize("login", ["*", "alex*", "ale*", "alex)(uid=*", "*)(|(uid=*", "alex)(|(uid=*)",
                                   "alex\x00*", "alex\\2a", "(uid=alex)", "alex))(objectClass=*"])
def test_ldap_injection_in_the_login_never_signs_in_even_with_the_right_password(client, make_user, login):
    make_user("alex")
    response = post_login(client, login, ALEX_PASSWORD)
    assert response.status_code == 200 and signed_in(client, response) is None
    assert session.execute(select(func.count(Identity.id))).scalar_one() == 0


def test_a_deactivated_allies_user_is_refused(client, make_user):
    make_user("alex", active=False)
    response = post_login(client, "alex", ALEX_PASSWORD)
    assert signed_in(client, response) is None
    assert "auth.sign_in_failed" in audit_actions() and "auth.sign_in" not in audit_actions()


def test_a_directory_user_absent_from_allies_is_refused(client):
    assert signed_in(client, post_login(client, "camille", "camille-secret")) is None


def test_server_down_shows_a_clear_message_not_an_error(app_factory, slapd):
    settings = dict(slapd.settings, ALLIES_LDAP_URL=f"ldap://127.0.0.1:{free_port()}")
    down = app_factory(ALLIES_IDENTITY_SOURCE="ldap", **settings)
    client = down.test_client()
    client.post("/language", data={"locale": "en"})
    page = parse_page(post_login(client, "alex", ALEX_PASSWORD), h1="Sign in")
    assert flashes(page) == [("error", f"Error: {DIRECTORY_DOWN}")]


@pytest.mark.parametrize("transport", ["ldaps", "start_tls"])
def test_sign_in_over_tls_checks_the_servers_certificate(app_factory, slapd, make_user, transport, caplog):
    make_user("alex")
    tls = {"ALLIES_LDAP_URL": slapd.ldaps_url} if transport == "ldaps" else {"ALLIES_LDAP_START_TLS": True}
    trusted = app_factory(ALLIES_IDENTITY_SOURCE="ldap", **dict(slapd.settings, **tls,
                                                                 ALLIES_LDAP_CA_CERTS_FILE=slapd.certificate))
    trusted_client = trusted.test_client()
    assert signed_in(trusted_client, post_login(trusted_client, "alex", ALEX_PASSWORD)) == "alex"
    # The system's store does not know the test certificate: the connection is refused, not used blindly.
    untrusted = app_factory(ALLIES_IDENTITY_SOURCE="ldap", **dict(slapd.settings, **tls)).test_client()
    untrusted.post("/language", data={"locale": "en"})
    page = parse_page(post_login(untrusted, "alex", ALEX_PASSWORD), h1="Sign in")
    assert flashes(page) == [("error", f"Error: {DIRECTORY_DOWN}")]
    assert "certificate verify failed" in caplog.text


def test_the_ldap_source_refuses_to_start_without_its_settings(app_factory):
    with pytest.raises(RuntimeError, match="ALLIES_LDAP_URL"):
        app_factory(ALLIES_IDENTITY_SOURCE="ldap")


# sync-ldap


def sync(runner, *options):
    result = runner.invoke(args=["directory", "sync-ldap", *options])
    result.text = result.stdout.replace("\u00a0", " ")
    return result


def test_sync_creates_users_units_and_managers(runner, make_user):
    make_user("alex", roles=("lab",), quotity=90, given_name="Old")
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "Créés : 4, mis à jour : 1," in result.text
    marie = user("marie")
    assert marie.manager.login == "paul" and marie.manager.manager.login == "isabelle"
    assert marie.quotity == 80 and marie.family_name == "D'Almeida" and marie.email == "marie@region.fr"
    assert marie.org_unit.path == "DGS/Direction des ressources humaines/Service formation"
    assert (marie.category, marie.filiere) == ("B", "administrative") and user("paul").category is None
    alex = user("alex")
    assert alex.given_name == "Alex" and alex.manager.login == "marie"
    assert alex.roles == ["lab"] and alex.quotity == 90  # roles and quotities without an attribute stay Alliés'
    paths = set(session.execute(select(OrgUnit.path)).scalars())
    assert {"DGS", "DGS/Direction des ressources humaines", marie.org_unit.path} <= paths
    assert user("isabelle").manager is None


def test_sync_prints_the_same_summary_as_the_csv_import(runner, tmp_path):
    csv = tmp_path / "directory.csv"
    csv.write_text("login,email,given_name,family_name,org_unit,manager,quotity,roles,active\n" + "".join(
        f"{uid},{uid}@region.fr,{given},\"{family}\",{'/'.join(path)},{manager},{quotity},,1\n"
        for uid, given, family, path, manager, quotity, _password in PEOPLE_ENTRIES))
    from_csv = runner.invoke(args=["directory", "import", str(csv), "--dry-run"])
    from_ldap = sync(runner, "--dry-run")
    assert from_csv.exit_code == from_ldap.exit_code == 0, from_ldap.output
    assert from_ldap.stdout == from_csv.stdout
    assert "Créés : 5," in from_ldap.text


def test_sync_is_idempotent_and_a_dry_run_writes_nothing(runner):
    assert sync(runner, "--dry-run").exit_code == 0
    assert session.execute(select(func.count(User.id))).scalar_one() == 0
    assert sync(runner).exit_code == 0
    again = sync(runner)
    assert again.exit_code == 0
    assert "Créés : 0, mis à jour : 0, réactivés : 0, désactivés : 0, inchangés : 5." in again.text
    assert audit_actions().count("directory.import") == 2


def test_sync_deactivates_leavers_only_when_asked(runner, make_user):
    make_user("leaver")
    assert "désactivés : 0" in sync(runner).text and user("leaver").active
    result = sync(runner, "--deactivate-missing")
    assert result.exit_code == 0, result.output
    assert "leaver" in result.text and not user("leaver").active
    assert user("alex").active


def test_sync_gives_a_role_to_the_members_of_its_group_and_takes_it_from_the_others(app_factory, slapd, make_user):
    make_user("camille", roles=("lab", "admin"))
    grouped = app_factory(**dict(slapd.settings, ALLIES_LDAP_LAB_GROUP=LAB_GROUP))
    with grouped.app_context():
        result = grouped.test_cli_runner().invoke(args=["directory", "sync-ldap"])
        assert result.exit_code == 0, result.output
        assert user("marie").roles == ["lab"]
        assert user("alex").roles == ["lab"]  # listed in the group with another spelling of its DN
        assert user("camille").roles == ["admin"]  # out of the lab's group; admin has no group, so Alliés' grant stays
        assert user("paul").roles == [] and user("isabelle").roles == []
        assert audit_actions().count("directory.role_revoked") == 1
    both = app_factory(**dict(slapd.settings, ALLIES_LDAP_LAB_GROUP=LAB_GROUP, ALLIES_LDAP_ADMIN_GROUP=ADMIN_GROUP))
    with both.app_context():
        assert both.test_cli_runner().invoke(args=["directory", "sync-ldap"]).exit_code == 0
        assert user("isabelle").roles == ["admin"] and user("camille").roles == []


@pytest.mark.parametrize("settings, message", [
    ({"ALLIES_LDAP_ADMIN_GROUP": f"cn=admns,{GROUPS}"},
     f"le groupe cn=admns,{GROUPS} indiqué par ALLIES_LDAP_ADMIN_GROUP n'est pas dans l'annuaire"),
    # Members under another attribute (or one the service account may not read), or values that are not DNs.
    ({"ALLIES_LDAP_ADMIN_GROUP": ADMIN_GROUP, "ALLIES_LDAP_GROUP_MEMBER_ATTRIBUTE": "uniqueMember"},
     f"le groupe {ADMIN_GROUP} indiqué par ALLIES_LDAP_ADMIN_GROUP n'a aucun membre parmi les personnes lues"),
    ({"ALLIES_LDAP_ADMIN_GROUP": ADMIN_GROUP, "ALLIES_LDAP_GROUP_MEMBER_ATTRIBUTE": "cn"},
     "vérifiez que le compte de service peut lire son attribut cn"),
])
def test_sync_with_a_role_group_it_cannot_use_says_so_and_writes_nothing(app_factory, slapd, make_user, settings,
                                                                         message):
    make_user("camille", roles=("admin",))
    wrong = app_factory(**dict(slapd.settings, **settings))
    with wrong.app_context():
        result = wrong.test_cli_runner().invoke(args=["directory", "sync-ldap"])
        assert result.exit_code == 1
        assert message in result.output.replace("\u00a0", " ")
        assert user("camille").roles == ["admin"]
        assert session.execute(select(func.count(User.id))).scalar_one() == 1


def test_sync_units_from_the_tree_give_the_same_paths(app_factory, slapd):
    tree_app = app_factory(**dict(slapd.settings, ALLIES_LDAP_UNIT_ATTRIBUTE=""))
    with tree_app.app_context():
        assert tree_app.test_cli_runner().invoke(args=["directory", "sync-ldap"]).exit_code == 0
        assert user("camille").org_unit.path == "DGS/Direction des ressources humaines/Service formation"
        assert user("isabelle").org_unit.path == "DGS"


def test_sync_reports_entries_by_dn_and_writes_nothing(app_factory, slapd):
    bad = app_factory(**dict(slapd.settings, ALLIES_LDAP_EMAIL_ATTRIBUTE="cn"))
    with bad.app_context():
        result = bad.test_cli_runner().invoke(args=["directory", "sync-ldap"])
        assert result.exit_code == 1
        assert f"{person_dn('alex')}\u00a0: " in result.output and "Alex Martin" in result.output
        assert session.execute(select(func.count(User.id))).scalar_one() == 0


def test_sync_without_settings_names_them(app_factory):
    bare = app_factory()
    with bare.app_context():
        result = bare.test_cli_runner().invoke(args=["directory", "sync-ldap"])
    assert result.exit_code == 1 and "ALLIES_LDAP_URL, ALLIES_LDAP_USER_BASE" in result.output


def test_sync_with_the_server_down_says_so(app_factory, slapd):
    down = app_factory(**dict(slapd.settings, ALLIES_LDAP_URL=f"ldap://127.0.0.1:{free_port()}"))
    with down.app_context():
        result = down.test_cli_runner().invoke(args=["directory", "sync-ldap"])
        assert result.exit_code == 1
        assert "Connection refused" in result.output or "refused" in result.output.lower()


def test_dns_compare_whatever_their_case_spacing_and_escapes():
    from app.directory.ldap import _dn_key

    assert _dn_key("uid=Alex, ou=R\\2C D ,dc=corp") == _dn_key("UID=alex,OU=r\\, d,DC=CORP")
    assert _dn_key("cn=Foo\\ ,dc=x") == _dn_key("CN=foo\\20,DC=X")  # a value ending in an escaped space
    assert _dn_key("cn=a+uid=b,dc=x") != _dn_key("cn=a,uid=b,dc=x")  # a multi-valued RDN is not two RDNs


@pytest.mark.parametrize("dn, base, path", [
    ("CN=Alex,OU=Formation,OU=DRH,OU=DGS,DC=corp,DC=local", "DC=corp,DC=local", "DGS/DRH/Formation"),
    ("cn=Alex,ou=Agents,dc=corp", "OU=Agents,DC=corp", ""),
    ("CN=Alex,OU=R\\2FD\\, Lab,OU=DGS,DC=corp", "DC=corp", "DGS/R-D, Lab"),
    ("CN=Alex,OU=Op\\C3\\A9rations\\2C accueil,OU=DGS,DC=corp", "DC=corp", "DGS/Opérations, accueil"),
])
def test_unit_path_from_the_entry_position(dn, base, path):
    assert unit_path_from_dn(dn, base) == path
