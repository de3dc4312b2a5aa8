"""The layers of ARCHITECTURE.md ("what may import what"), checked on every module's imports.

The purity test keeps the rule engines free of the web and the database; this keeps the layers
above them in order: models know nothing of the verbs or the web, forms validate with rules (not
services), services never reach into views, forms or the request (they take the actor and the
language as arguments), and the analysis's SQL door stays below the services.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "survey"

# layer folder -> module prefixes its modules may not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "survey/models": ("survey.services", "survey.views", "survey.forms", "survey.web",
                      "survey.cli", "survey.render"),
    "survey/forms": ("survey.services", "survey.views", "survey.cli"),
    "survey/services": ("survey.views", "survey.forms", "survey.cli"),
    "survey/render": ("survey.views", "survey.forms", "survey.cli"),
    "survey/analysis/load": ("survey.services", "survey.views", "survey.forms", "survey.web",
                             "survey.cli", "flask"),
}
# The request's own state: a service that read it would act differently in a command or a job.
REQUEST_STATE = {("flask", "request"), ("flask", "session"), ("flask", "g"),
                 ("flask_babel", "get_locale"), ("flask_login", "current_user")}


def module_name(path: Path) -> str:
    """``survey.services.org``; a package's ``__init__`` keeps its name (relative imports need it)."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imports_of(source: str, module: str) -> list[tuple[int, str, str | None]]:
    """(line, imported module, imported name or None) for every import, relative ones resolved."""
    found: list[tuple[int, str, str | None]] = []
    package = module.split(".")[:-1]  # the package a relative import starts from
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[:len(package) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found += [(node.lineno, base, alias.name) for alias in node.names]
    return found


def violations(source: str, module: str, forbidden: tuple[str, ...],
               no_request_state: bool) -> list[str]:
    found = []
    for line, imported, name in imports_of(source, module):
        full = f"{imported}.{name}" if name else imported
        if any(full == p or full.startswith(p + ".") or imported == p
               or imported.startswith(p + ".") for p in forbidden):
            found.append(f"{module}:{line} imports {full}")
        elif no_request_state and (imported, name) in REQUEST_STATE:
            found.append(f"{module}:{line} reads the request's {name}")
    return found


def layer_modules() -> list[tuple[str, Path]]:
    return [(layer, path) for layer in FORBIDDEN
            for path in sorted((ROOT / layer).rglob("*.py"))]


@pytest.mark.parametrize(("layer", "path"), layer_modules(),
                         ids=lambda value: str(value).removeprefix(str(ROOT) + "/"))
def test_module_keeps_to_its_layer(layer, path):
    found = violations(path.read_text(encoding="utf-8"), module_name(path), FORBIDDEN[layer],
                       no_request_state=layer in ("survey/services", "survey/models",
                                                  "survey/analysis/load"))
    assert not found, "\n".join(found)


def test_every_layer_folder_exists():
    assert all((ROOT / layer).is_dir() for layer in FORBIDDEN)


@pytest.mark.parametrize("source", [
    "from survey.services import org",
    "import survey.views.admin",
    "from ..views import public",
    "from survey import views",
    "from flask import request",
    "def f():\n    from flask_babel import get_locale\n",
])
def test_the_check_catches_each_kind_of_crossing(source):
    assert len(violations(source, "survey.models.example", FORBIDDEN["survey/models"], True)) == 1


def test_relative_imports_are_resolved_from_the_module_and_from_a_package():
    assert imports_of("from ..views import public", "survey.services.org") == [
        (1, "survey.views", "public")]
    assert imports_of("from . import org", "survey.services.__init__") == [
        (1, "survey.services", "org")]


def test_the_check_lets_allowed_imports_pass():
    source = "from survey.models import Case\nfrom survey.rules import routing\nimport flask\n"
    assert violations(source, "survey.services.example", FORBIDDEN["survey/services"], True) == []
