"""The example intranet runs Alliés installed from its wheel, in a fresh virtual environment.

The wheel is built from this tree (`pip wheel .`), installed into a new environment that cannot
see the source tree, and the example host's own test suite runs there, on an empty database of the
kind this run uses (SQLite, or a throw-away PostgreSQL database).
"""

import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "intranet"

pytestmark = pytest.mark.postgres_pass  # a wheel built and installed once, its host on production's database


def run(*command, **options):
    """Run a command; its output is shown when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, **options)
    assert done.returncode == 0, f"{' '.join(map(str, command))}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Alliés' wheel, built from this tree as `pip install .` would."""
    out = tmp_path_factory.mktemp("wheel")
    # From a copy of the tree: setuptools builds in the tree's build/, which another test process may be using.
    tree = shutil.copytree(ROOT, tmp_path_factory.mktemp("tree") / "allies", ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "instance", ".pytest_cache", "node_modules"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(tree))
    return next(out.glob("allies-*.whl"))


def test_the_wheel_carries_what_alliés_needs_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "allies/composition.py",
        "allies/extensions.py",
        "allies/config.py",
        "allies/templates/allies/base.html",
        "allies/templates/allies/calls/widget.html",
        "allies/static/allies/allies.css",
        "allies/migrations/env.py",
        "allies/migrations/alembic.ini",
        "allies/migrations/versions/0001_directory_and_audit_log.py",
        "allies/translations/fr/LC_MESSAGES/messages.mo",
        "allies/translations/en/LC_MESSAGES/messages.mo",
    }
    assert expected <= names
    assert not any(name.startswith(("app/", "tests/", "examples/")) for name in names)


def test_the_example_intranet_runs_on_the_installed_wheel(wheel, tmp_path, empty_database_url):
    environment = tmp_path / "venv"
    venv.create(environment)  # no pip of its own: this run's pip installs the wheel into it
    python = environment / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", str(wheel))
    # The pinned libraries Alliés depends on come from the project's environment (a path, not its .pth hooks),
    # so nothing is downloaded and the source tree stays out of sight.
    packages = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    Path(packages, "pinned-dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([python, "-m", "pytest", "-q", "tests"], cwd=EXAMPLE, capture_output=True, text=True,
                          env={**env, "ALLIES_FROM_WHEEL": "1", "INTRANET_TEST_DATABASE_URL": empty_database_url})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" not in done.stdout, done.stdout
