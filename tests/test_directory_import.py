"""`flask directory import`: creates and updates by login, refuses bad files line by line, writes nothing then."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.database import session
from app.directory.models import OrgUnit, User

HEADER = "login,email,given_name,family_name,org_unit,manager,quotity,roles,active\n"
GOOD = HEADER + (
    "dgs,dgs@region.fr,Isabelle,Fournier,DGS,,100,,1\n"
    "drh,drh@region.fr,Paul,Lefèvre,DGS/Direction des ressources humaines,dgs,100,admin,1\n"
    "form,form@region.fr,Marie-Hélène,D'Almeida,DGS/Direction des ressources humaines/Service formation,drh,80,,1\n"
    "camille,camille@region.fr,Camille,Roussel,DGS/Direction des ressources humaines/Service formation,form,,\"lab, admin\",1\n"
)


@pytest.fixture
def import_file(tmp_path, runner):
    def run(text, *options, encoding="utf-8"):
        path = tmp_path / "directory.csv"
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        result = runner.invoke(args=["directory", "import", str(path), *options])
        result.text = result.output.replace("\u00a0", " ")  # French typography: no-break spaces
        return result

    return run


def users_count():
    return session.execute(select(func.count(User.id))).scalar_one()


def user(login):
    session.expire_all()
    return session.execute(select(User).where(User.login == login)).scalar_one()


def test_import_creates_users_tree_and_managers(import_file):
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "Créés : 4," in result.text
    camille = user("camille")
    assert camille.manager.login == "form" and camille.manager.manager.login == "drh"
    assert camille.org_unit.path == "DGS/Direction des ressources humaines/Service formation"
    assert camille.org_unit.parent.parent.path == "DGS"
    assert camille.roles == ["admin", "lab"] and camille.quotity == 100
    assert user("form").quotity == 80 and user("form").family_name == "D'Almeida"
    assert session.execute(select(func.count(OrgUnit.id))).scalar_one() == 3
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "directory.import")).scalar_one()
    assert entry.details["created"] == 4


def test_import_is_idempotent(import_file):
    import_file(GOOD)
    result = import_file(GOOD)
    assert result.exit_code == 0
    assert "Créés : 0," in result.text
    assert "inchangés : 4." in result.text
    assert users_count() == 4


def test_update_by_login(import_file):
    import_file(GOOD)
    changed = GOOD.replace("camille@region.fr,Camille,Roussel", "camille.r@region.fr,Camille,Roussel-Petit")
    changed = changed.replace('"lab, admin"', "lab")
    assert changed.count("Roussel-Petit") == 1 and '"lab, admin"' not in changed
    result = import_file(changed)
    assert "mis à jour : 1," in result.text, result.text
    camille = user("camille")
    assert camille.family_name == "Roussel-Petit" and camille.roles == ["lab"]


def test_semicolon_separated_files_are_read(import_file):
    result = import_file(GOOD.replace(",", ";"))
    assert result.exit_code == 0, result.output
    assert users_count() == 4


def test_deactivate_missing(import_file, make_user):
    import_file(GOOD)
    without_camille = "".join(line for line in GOOD.splitlines(keepends=True) if not line.startswith("camille"))
    result = import_file(without_camille, "--deactivate-missing")
    assert result.exit_code == 0, result.output
    assert "désactivés : 1," in result.text
    camille = user("camille")
    assert camille.active is False and camille.session_version == 2
    assert users_count() == 4, "leavers are never deleted"


def test_missing_users_stay_active_without_the_option(import_file):
    import_file(GOOD)
    import_file(HEADER + GOOD.splitlines(keepends=True)[1])
    assert user("camille").active is True


def test_dry_run_writes_nothing(import_file):
    result = import_file(GOOD, "--dry-run")
    assert result.exit_code == 0
    assert "Créés : 4," in result.text
    assert users_count() == 0
    assert session.execute(select(func.count(AuditEntry.id))).scalar_one() == 0


def test_leaver_in_file_is_deactivated(import_file):
    import_file(GOOD)
    result = import_file(GOOD.replace("drh,100,,\"lab, admin\",1", "drh,100,,\"lab, admin\",0").replace(
        "form,,\"lab, admin\",1", "form,,\"lab, admin\",0"))
    assert "désactivés : 1," in result.text
    assert user("camille").active is False


BAD_CASES = {
    "unknown manager": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,ghost,100,,1\n", 6, "ghost"),
    "duplicate login": (GOOD + "camille,c2@region.fr,Camille,Autre,DGS,,100,,1\n", 6, "ligne 5"),
    "bad e-mail": (GOOD + "zoe,not-an-email,Zoé,Bernard,DGS,,100,,1\n", 6, "not-an-email"),
    "quotity too low": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,,40,,1\n", 6, "40"),
    "quotity too high": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,,120,,1\n", 6, "120"),
    "quotity not a number": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,,beaucoup,,1\n", 6, "beaucoup"),
    "unknown role": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,,100,superuser,1\n", 6, "superuser"),
    "bad active flag": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,,100,,peut-être\n", 6, "peut-être"),
    "empty name": (GOOD + "zoe,zoe@region.fr,,Bernard,DGS,,100,,1\n", 6, "prénom"),
    "bad login": (GOOD + "zoé bernard,zoe@region.fr,Zoé,Bernard,DGS,,100,,1\n", 6, "zoé bernard"),
    "bad org unit": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS//Service,,100,,1\n", 6, "DGS//Service"),
    "too few values": (GOOD + "zoe,zoe@region.fr,Zoé\n", 6, "3 "),
    "inactive manager": (GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,yves,100,,1\n"
                         "yves,yves@region.fr,Yves,Morel,DGS,dgs,100,,0\n", 6, "yves"),
    "no agent": (HEADER, 2, "aucun agent"),
    "NUL character": (GOOD + "zoe,zoe@region.fr,Zo\x00é,Bernard,DGS,,100,,1\n", 6, "NUL"),
    "field too long for CSV": (GOOD + "zoe,zoe@region.fr,\"" + "x" * 200_000 + "\",Bernard,DGS,,100,,1\n", 6, "CSV"),
    "manager cycle": (HEADER + "aa,a@r.fr,A,A,DGS,cc,100,,1\nbb,b@r.fr,B,B,DGS,aa,100,,1\ncc,c@r.fr,C,C,DGS,bb,100,,1\n",
                      2, "aa → cc → bb → aa"),
    "own manager": (HEADER + "aa,a@r.fr,A,A,DGS,aa,100,,1\n", 2, "aa → aa"),
    "missing column": (GOOD.replace(",quotity", ""), 1, "quotity"),
    "unknown column": (GOOD.replace("active\n", "active,salary\n", 1), 1, "salary"),
    "empty file": ("", 1, "login"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_file_gets_line_messages_and_writes_nothing(import_file, case):
    text, line, detail = BAD_CASES[case]
    result = import_file(text)
    assert result.exit_code == 1
    assert f"ligne {line} :" in result.text, result.text
    assert detail in result.output
    assert users_count() == 0
    assert session.execute(select(func.count(OrgUnit.id))).scalar_one() == 0


def test_every_bad_line_is_reported_at_once(import_file):
    text = GOOD + "zoe,bad,Zoé,Bernard,DGS,,100,,1\nyves,yves@r.fr,Yves,Morel,DGS,,30,,1\n"
    result = import_file(text)
    assert "ligne 6 :" in result.text and "ligne 7 :" in result.text
    assert "2 erreurs." in result.text


def test_cycle_message_names_every_line_of_the_cycle(import_file):
    text, _, _ = BAD_CASES["manager cycle"]
    output = import_file(text).text
    for line in (2, 3, 4):
        assert f"ligne {line} :" in output


def test_wrong_encoding(import_file):
    text = GOOD + "zoe,zoe@region.fr,Zoé,Bernard,DGS,,100,,1\n"
    result = import_file(text.encode("cp1252"))
    assert result.exit_code == 1
    assert "UTF-8" in result.output
    assert "ligne 3 :" in result.text
    assert users_count() == 0


def test_utf8_with_bom_is_accepted(import_file):
    assert import_file(GOOD.encode("utf-8-sig")).exit_code == 0


def test_manager_missing_from_file_with_deactivate_missing(import_file):
    import_file(GOOD)
    result = import_file(HEADER + "zoe,zoe@region.fr,Zoé,Bernard,DGS,dgs,100,,1\n", "--deactivate-missing")
    assert result.exit_code == 1 and "dgs" in result.output
    assert user("dgs").active is True


def test_existing_manager_in_directory_is_found(import_file):
    import_file(GOOD)
    result = import_file(HEADER + "zoe,zoe@region.fr,Zoé,Bernard,DGS,dgs,100,,1\n")
    assert result.exit_code == 0, result.output
    assert user("zoe").manager.login == "dgs"


def test_cycle_through_the_existing_directory(import_file):
    import_file(GOOD)
    result = import_file(HEADER + "dgs,dgs@region.fr,Isabelle,Fournier,DGS,camille,100,,1\n")
    assert result.exit_code == 1 and "→" in result.output
    assert user("dgs").manager is None


def test_large_file_shows_progress_and_summary(import_file):
    lines = [HEADER, "boss,boss@r.fr,Big,Boss,DGS,,100,,1\n"]
    lines += [f"agent{n},agent{n}@r.fr,Agent,N{n},DGS/Direction/Service {n % 7},boss,100,,1\n" for n in range(1500)]
    result = import_file("".join(lines))
    assert result.exit_code == 0, result.output
    assert "1501" in result.output
    assert users_count() == 1501


def test_empty_file_with_deactivate_missing_deactivates_nobody(import_file):
    import_file(GOOD)
    result = import_file(HEADER, "--deactivate-missing")
    assert result.exit_code == 1 and "aucun agent" in result.text
    assert user("camille").active is True


def test_reactivation_is_counted_and_absent_users_are_not(import_file):
    import_file(GOOD)
    import_file(GOOD.replace('form,,"lab, admin",1', 'form,,"lab, admin",0'))
    result = import_file(HEADER + GOOD.splitlines(keepends=True)[4])
    assert result.exit_code == 0, result.text
    assert "réactivés : 1," in result.text and "inchangés : 0." in result.text, "only the file's rows are counted"
    assert user("camille").active is True


def test_role_changes_by_import_are_audited(import_file):
    import_file(GOOD)
    import_file(GOOD.replace('"lab, admin"', "lab"))
    camille = user("camille")
    actions = session.execute(select(AuditEntry.action, AuditEntry.details).where(
        AuditEntry.object_id == camille.id, AuditEntry.action.like("directory.role%")).order_by(AuditEntry.id)).all()
    assert [(action, details["role"]) for action, details in actions] == [
        ("directory.role_granted", "admin"), ("directory.role_granted", "lab"), ("directory.role_revoked", "admin")]


def test_import_cannot_remove_the_last_admin(import_file):
    import_file(GOOD)
    without_admins = GOOD.replace("dgs,100,admin,1", "dgs,100,,1").replace('"lab, admin"', "lab")
    assert "admin" not in without_admins.split("\n", 1)[1]
    result = import_file(without_admins)
    assert result.exit_code == 1 and "administrat" in result.text
    assert user("drh").roles == ["admin"]


def test_org_unit_paths_match_whatever_the_case(import_file):
    import_file(GOOD)
    import_file(HEADER + "zoe,zoe@region.fr,Zoé,Bernard,dgs/direction des ressources humaines,dgs,100,,1\n")
    assert user("zoe").org_unit.path == "DGS/Direction des ressources humaines"
    assert session.execute(select(func.count(OrgUnit.id))).scalar_one() == 3


def test_all_kinds_of_errors_come_in_one_run(import_file):
    text = GOOD + ("zoe,bad-email,Zoé,Bernard,DGS,,100,,1\n"
                   "yves,yves@r.fr,Yves,Morel,DGS,ghost,100,,1\n"
                   "camille,c2@r.fr,Camille,Bis,DGS,,100,,1\n"
                   "anne,anne@r.fr,Anne,Roy,DGS,zoe,100,,1\n")
    result = import_file(text)
    assert "ligne 6 :" in result.text and "bad-email" in result.text
    assert "ligne 7 :" in result.text and "ghost" in result.text
    assert "ligne 8 :" in result.text and "ligne 5" in result.text
    assert "ligne 9 :" not in result.text, "a manager whose own line is wrong is not reported twice"
    assert "3 erreurs" in result.text


def test_one_error_is_singular(import_file):
    assert "1 erreur." in import_file(GOOD + "zoe,bad,Zoé,Bernard,DGS,,100,,1\n").text


def test_deactivated_logins_are_listed(import_file):
    import_file(GOOD)
    without_camille = "".join(line for line in GOOD.splitlines(keepends=True) if not line.startswith("camille"))
    result = import_file(without_camille, "--deactivate-missing", "--dry-run")
    assert "camille" in result.text.split("désactivés : 1,")[1]
    assert user("camille").active is True
