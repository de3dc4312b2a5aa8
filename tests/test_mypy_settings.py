"""mypy checks the pure modules strictly: its list in pyproject.toml is ARCHITECTURE.md's."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pure_entries() -> list[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```pure-modules\n(.*?)```", text, re.DOTALL)
    assert block is not None, "ARCHITECTURE.md has no pure-modules block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def _module_pattern(path: str) -> str:
    """``survey/rules/`` -> ``survey.rules.*``; ``survey/render/charts.py`` -> ``survey.render.charts``."""
    if path.endswith("/"):
        return path.rstrip("/").replace("/", ".") + ".*"
    return path.removesuffix(".py").replace("/", ".")


def _overrides(flag_value: bool) -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [override for override in config["tool"]["mypy"]["overrides"]
            if override.get("disallow_untyped_defs") is flag_value]


def test_mypy_is_strict_on_exactly_the_modules_that_architecture_md_lists_as_pure():
    entries = _pure_entries()
    (strict,) = _overrides(True)
    (relaxed,) = _overrides(False)
    assert set(strict["module"]) == {_module_pattern(e) for e in entries if not e.startswith("!")}
    assert set(relaxed["module"]) == {_module_pattern(e[1:]) for e in entries if e.startswith("!")}


def test_a_folder_taken_back_out_of_the_pure_list_gets_every_strict_flag_turned_off():
    (strict,) = _overrides(True)
    (relaxed,) = _overrides(False)
    assert set(relaxed) == set(strict)
    assert all(relaxed[flag] is not strict[flag] for flag in strict if flag != "module")
