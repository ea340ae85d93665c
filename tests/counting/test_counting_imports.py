"""app.counting is pure: standard library and app.counting only.  No Flask, SQLAlchemy, Celery, Redis, click,
and no other app package, so counting can be audited and run anywhere."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "counting"
FORBIDDEN = {
    "flask",
    "sqlalchemy",
    "celery",
    "redis",
    "click",
    "werkzeug",
    "jinja2",
    "kombu",
    "psycopg",
    "app",
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module or ""))
            elif node.level == 1:
                found.append((node.lineno, "app.counting" + (f".{node.module}" if node.module else "")))
            else:
                found.append((node.lineno, "." * node.level + (node.module or "")))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return sorted(found)


def test_counting_imports_only_the_standard_library() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 8
    problems = []
    for path in files:
        for line, module in imported_modules(path):
            top = module.split(".")[0]
            if module == "app.counting" or module.startswith("app.counting."):
                continue
            if top in FORBIDDEN or top.startswith("flask_") or top not in sys.stdlib_module_names:
                problems.append(f"{path.relative_to(PACKAGE.parent.parent)}:{line} imports {module}")
    assert not problems, "\n".join(problems)


def test_the_checker_catches_forbidden_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import flask\nfrom app.models import Round\nfrom .. import web\nimport importlib\n"
        "importlib.import_module('sqlalchemy')\nfrom . import model\nimport fractions\n",
        encoding="utf-8",
    )
    modules = [m for _, m in imported_modules(bad)]
    assert modules == [
        "flask",
        "app.models",
        "..",
        "importlib",
        "sqlalchemy",
        "app.counting",
        "fractions",
    ]
