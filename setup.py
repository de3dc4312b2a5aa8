"""Build hook: the wheel carries the templates, static files, migrations and compiled catalogs.

The repository keeps them at the top level (templates/, static/, migrations/, translations/),
next to survey/, where a checkout and an editable install use them in place. A built package has
no checkout beside it, so ``build_py`` copies them into ``survey/_resources/`` and compiles each
``messages.po`` into the ``messages.mo`` Flask-Babel reads (the .mo files are never committed).
``survey.config.RESOURCE_ROOT`` points at that copy when it exists. Everything else about the
package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COPIED = ("templates", "static", "migrations")
RESOURCES = Path("survey") / "_resources"


def compile_catalogs(source: Path, dest: Path) -> None:
    """Write ``dest/<lang>/LC_MESSAGES/messages.mo`` for each catalog, as ``pybabel compile``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = dest / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        # Fuzzy entries stay out, as with `make translations`: English is shown instead.
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


class BuildWithResources(build_py):
    """``build_py`` that also lays the app's resources into the built package."""

    def run(self) -> None:
        super().run()
        # An editable install reads them from the checkout (survey.config.RESOURCE_ROOT).
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / RESOURCES
        shutil.rmtree(target, ignore_errors=True)
        for name in COPIED:
            shutil.copytree(ROOT / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compile_catalogs(ROOT / "translations", target / "translations")


setup(cmdclass={"build_py": BuildWithResources})
