"""The house's shape: no import circle in app/, imports at the top of modules, every command and page wired once,
Alembic out of the web process."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

APP = Path(__file__).resolve().parent.parent / "app"

pytestmark = pytest.mark.once


def circles(graph, modules):
    """The groups of modules that import one another, directly or not (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_of_the_package_imports_itself_back_through_others():
    graph = grimp.build_graph("app", include_external_packages=False)
    modules = graph.find_descendants("app") | {"app"}
    assert circles(graph, modules) == []


def test_the_circle_finder_sees_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert circles(graph, {"a", "b", "c", "d"}) == [["a", "b", "c"]]


def test_the_web_process_never_imports_alembic(app):
    """Alembic serves the schema's commands only: building the application and answering pages leave it out of the
    process (a fresh one: this one has run migrations), and `flask allies-db` still finds its commands. pyHanko
    too stays out unless attestations are signed."""
    code = ("import sys; from app import create_app; "
            "app = create_app({'SECRET_KEY': 'k' * 40, 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
            "assert app.test_client().get('/accessibility').status_code == 200; "
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'flask_migrate', 'pyhanko')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=APP.parent, check=True)
    assert done.stdout.strip() == "[]"
    listed = app.test_cli_runner().invoke(args=["allies-db", "--help"])
    assert listed.exit_code == 0 and all(name in listed.output for name in ("upgrade", "downgrade", "current",
                                                                             "revision"))


def test_modules_import_at_their_top():
    inside_functions = []
    for path in sorted(APP.rglob("*.py")):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside_functions += [f"{path.relative_to(APP.parent)}:{node.lineno}" for node in ast.walk(function)
                                     if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert inside_functions == []
