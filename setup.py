"""Packaging: the source tree's `app/`, `templates/` and `migrations/` ship as one package, `allies`.

The wheel carries everything Alliés needs at run time: code, templates, static files, migrations
and the translation catalogs, compiled here from the .po files.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import find_namespace_packages, find_packages, setup
from setuptools.command.build_py import build_py

CODE = [name.replace("app", "allies", 1) for name in find_packages(include=["app", "app.*"])]
# Folders of templates, static files and catalogs are data, shipped as namespace packages.
TEMPLATES = ["allies.templates", *("allies.templates." + name for name in find_namespace_packages(where="templates"))]
DATA = ["allies.static.allies", *("allies." + name for name in find_namespace_packages(where="app", include=["translations*"]))]


class BuildWithCatalogs(build_py):
    """Build the package with the standalone configuration, and compile each translation catalog into it."""

    def run(self):
        super().run()
        if self.editable_mode:  # the source tree is used as it is (`make install` compiles the catalogs)
            return
        # The standalone configuration (config.py, beside the package in the source tree) travels inside it.
        self.copy_file("config.py", str(Path(self.build_lib, "allies", "config.py")))
        for po_path in Path("app/translations").glob("*/LC_MESSAGES/*.po"):
            target = Path(self.build_lib, "allies", po_path.relative_to("app").with_suffix(".mo"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with target.open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(
    packages=[*CODE, *TEMPLATES, *DATA, "allies.migrations", "allies.migrations.versions"],
    package_dir={"allies": "app", "allies.templates": "templates", "allies.migrations": "migrations"},
    package_data={
        **{name: ["*.html", "*.txt"] for name in TEMPLATES},
        "allies.static.allies": ["*.css", "*.svg"],
        "allies.migrations": ["alembic.ini", "script.py.mako"],
    },
    include_package_data=False,
    cmdclass={"build_py": BuildWithCatalogs},
)
