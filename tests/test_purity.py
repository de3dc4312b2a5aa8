"""Pure modules stay pure: no Flask, no ORM, no services, no clock, no files (read with ast).

The list lives in ARCHITECTURE.md ("## Pure modules"), read by ``tests.pure_modules``. A pure
module takes everything as arguments and returns values, so it may import the standard library,
third-party libraries that are not the web or database stack, and other pure modules; nothing
else of ``survey``. Imports inside functions count as much as those at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection
from pathlib import Path

import pytest

from tests.pure_modules import (
    ROOT,
    declared_entries,
    missing_entries,
    module_name,
    pure_module_paths,
)

# Named so that the failure says why; any other survey module that is not pure is refused too.
FORBIDDEN_IMPORTS = ("flask", "flask_*", "werkzeug", "sqlalchemy", "survey.models",
                     "survey.extensions", "survey.services", "survey.views", "survey.web",
                     "survey.forms", "survey.cli", "survey.db_setup", "survey.clock")
# Files, processes and the network: a pure module is given the text, it does not fetch it.
IO_IMPORTS = ("os", "shutil", "subprocess", "socket", "importlib.resources", "urllib.request",
              "http", "smtplib", "requests")
IO_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "iterdir",
                        "glob", "rglob", "mkdir", "unlink", "touch"})
# Whatever reads the current time, by its qualified name (aliases are resolved to these).
CLOCK = frozenset({
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns",
    "time.perf_counter", "time.perf_counter_ns", "time.process_time", "time.process_time_ns",
    "time.localtime", "time.gmtime", "time.ctime", "time.asctime", "pandas.Timestamp.now",
    "pandas.Timestamp.today", "pandas.Timestamp.utcnow",
})

def _matches(name: str, patterns: Collection[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif name == pattern or name.startswith(pattern + "."):
            return True
    return False


def _imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
                    is_module: Callable[[str], bool]) -> list[str]:
    """The modules an import statement loads, with relative imports made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[:len(package) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    # ``from survey.analysis import load`` loads the module survey.analysis.load, and
    # ``from importlib import resources`` importlib.resources; ``from x.y import name`` is x.y.
    survey = base == "survey" or base.startswith("survey.")
    return [f"{base}.{alias.name}" if not survey or is_module(f"{base}.{alias.name}") else base
            for alias in node.names]


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, for every import in the module (functions included)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def violations(source: str, module: str, *, pure: Collection[str],
               is_module: Callable[[str], bool], is_package: bool = False) -> list[str]:
    """Each way ``source`` (the module ``module``) breaks purity, as "line N: reason"."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported_names(node, module, is_package, is_module):
                reason = _import_reason(name, pure)
                if reason:
                    found.append((node.lineno, reason))
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
            name = _qualified(node, aliases)
            if name in CLOCK:
                found.append((node.lineno, f"reads the clock ({name})"))
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "open":
                found.append((node.lineno, "opens a file (open)"))
            elif isinstance(node.func, ast.Attribute) and node.func.attr in IO_METHODS:
                found.append((node.lineno, f"touches the file system (.{node.func.attr})"))
    return [f"line {line}: {reason}" for line, reason in sorted(set(found))]


def _import_reason(name: str, pure: Collection[str]) -> str | None:
    if _matches(name, FORBIDDEN_IMPORTS):
        return f"imports {name}"
    if _matches(name, IO_IMPORTS):
        return f"imports {name} (files, processes or the network)"
    if (name == "survey" or name.startswith("survey.")) and name not in pure:
        return f"imports {name}, which is not a pure module"
    return None


# --- the project's pure modules -------------------------------------------------------------

_PATHS = pure_module_paths()
_PURE_NAMES = frozenset(module_name(p) for p in _PATHS)


def _is_survey_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_every_declared_pure_path_exists():
    entries = declared_entries()
    assert entries, "the pure-modules block is empty"
    assert missing_entries(entries) == [], "ARCHITECTURE.md lists pure paths that do not exist"


def test_the_list_covers_the_rule_engines_and_the_analysis():
    names = {str(p) for p in _PATHS}
    for expected in ("survey/rules/routing.py", "survey/rules/workflow.py",
                     "survey/analysis/sipas.py", "survey/render/charts.py"):
        assert expected in names
    assert not any(name.startswith("survey/analysis/load/") for name in names)


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p)) for p in _PATHS])
def test_pure_module_imports_no_framework_and_reads_no_clock(path: Path):
    source = (ROOT / path).read_text(encoding="utf-8")
    found = violations(source, module_name(path), pure=_PURE_NAMES,
                       is_module=_is_survey_module, is_package=path.name == "__init__.py")
    assert not found, f"{path} is declared pure in ARCHITECTURE.md but:\n" + "\n".join(
        f"  {path}:{v.removeprefix('line ')}" for v in found)


# --- the checker itself, on synthetic sources: it must not pass by seeing nothing -----------

_PURE = frozenset({"survey.rules", "survey.rules.pure_one", "survey.rules.pure_two",
                   "survey.analysis", "survey.analysis.tally"})
_MODULES = _PURE | {"survey.analysis.load", "survey.services", "survey.services.org",
                    "survey.models", "survey.models.cases", "survey.clock"}


def _check(source: str, module: str = "survey.rules.pure_one") -> list[str]:
    return violations(source, module, pure=_PURE, is_module=_MODULES.__contains__)


@pytest.mark.parametrize("source", [
    "import flask",
    "from flask import current_app",
    "from flask_babel import lazy_gettext as _l",
    "import flask_sqlalchemy",
    "from werkzeug.utils import secure_filename",
    "from sqlalchemy.orm import Session",
    "import sqlalchemy as sa",
    "from survey.models.cases import CaseKind",
    "from survey import models",
    "from survey.extensions import db",
    "from survey.services.org import subtree_ids",
    "from survey.views import public",
    "from survey.web.urls import survey_url",
    "from survey.forms.survey import SurveyForm",
    "from survey.clock import local_today",
    "from survey.analysis import load",
    "import survey",
    "from ..models import Case",
    "from ..services import org",
    "def later():\n    from flask_babel import gettext\n    return gettext('x')",
    "if True:\n    import sqlalchemy",
])
def test_checker_refuses_each_forbidden_import(source):
    assert _check(source), source


@pytest.mark.parametrize("source", [
    "from datetime import datetime\nx = datetime.now()",
    "from datetime import datetime\nx = datetime.utcnow()",
    "from datetime import datetime as dt\nx = dt.now()",
    "import datetime\nx = datetime.datetime.now()",
    "import datetime as d\nx = d.date.today()",
    "from datetime import date\nx = date.today()",
    "from datetime import datetime\nx = datetime.today()",
    "import time\nx = time.time()",
    "import time\nx = time.monotonic()",
    "import time\nx = time.perf_counter()",
    "from time import monotonic\nx = monotonic()",
    "from time import time as clock\nx = clock()",
    "import pandas as pd\nx = pd.Timestamp.now()",
    "from datetime import datetime\nfrom dataclasses import field\nx = field(default_factory=datetime.now)",
    "def f():\n    from datetime import date\n    return date.today()",
])
def test_checker_refuses_each_way_of_reading_the_clock(source):
    found = _check(source)
    assert found and all("clock" in f for f in found), (source, found)


@pytest.mark.parametrize("source", [
    "x = open('rules.yaml').read()",
    "from pathlib import Path\nx = Path('a.yaml').read_text()",
    "import os\nx = os.environ['HOME']",
    "from importlib import resources\nx = resources.files('survey')",
    "import subprocess",
])
def test_checker_refuses_files_and_processes(source):
    assert _check(source), source


@pytest.mark.parametrize("source", [
    "from __future__ import annotations\nimport math\nfrom collections.abc import Mapping",
    "from datetime import date, datetime, timedelta\nx = datetime(2026, 1, 1) + timedelta(1)",
    "from datetime import datetime\ndef f(now: datetime) -> datetime:\n    return now.replace(day=1)",
    "import yaml\nimport pandas as pd\nfrom markupsafe import Markup",
    "from survey.rules.pure_two import thing",
    "from survey.analysis.tally import Tally",
    "from . import pure_two",
    "from .pure_two import thing",
    "def now(): ...\nx = now()",  # a local function named now is not the clock
])
def test_checker_accepts_pure_sources(source):
    assert _check(source) == [], source


def test_checker_names_the_line():
    assert _check("import math\n\nimport flask\n") == ["line 3: imports flask"]


def test_list_parsing_folders_and_exclusions(tmp_path):
    for name in ("pkg/a.py", "pkg/sub/b.py", "pkg/load/c.py", "other/d.py", "one.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    text = ("# Title\n\n## Pure modules\n\n```pure-modules\npkg/\n!pkg/load/\none.py\n"
            "missing.py\n```\n")
    entries = declared_entries(text)
    assert entries == ["pkg/", "!pkg/load/", "one.py", "missing.py"]
    assert [str(p) for p in pure_module_paths(entries, tmp_path)] == [
        "one.py", "pkg/a.py", "pkg/sub/b.py"]
    assert missing_entries(entries, tmp_path) == ["missing.py"]
