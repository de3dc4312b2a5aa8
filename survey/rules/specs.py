"""What the data files have in common (questionnaires, the deadline rulebook): YAML in,
errors that say where and what, texts in Vietnamese and English, codes (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l

LANGS = ("vi", "en")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$", re.IGNORECASE)


@dataclass(frozen=True)
class SpecError:
    where: str
    message: object  # a lazy string: translated when shown

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SpecFileError(ValueError):
    """A data file that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def load_yaml(text: str, error_class: type[SpecFileError]) -> Any:
    """Parse YAML, or raise ``error_class`` naming the line that is wrong."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise error_class([SpecError(where, _l("not valid YAML"))]) from exc


def check_bilingual(value: Any, where: str, errors: list[SpecError]) -> None:
    if not isinstance(value, dict) or any(not str(value.get(lang, "")).strip() for lang in LANGS):
        errors.append(SpecError(where, _l("needs a text in Vietnamese (vi) and English (en)")))


def check_code(value: Any, where: str, errors: list[SpecError]) -> bool:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        errors.append(SpecError(where, _l("a code is 1 to 40 letters, digits, - or _")))
        return False
    return True
