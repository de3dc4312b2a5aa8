"""What the data files have in common (questionnaires, the deadline rulebook, index methods):
YAML in, errors that say where and what (as message codes), texts in Vietnamese and English,
codes (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from survey.rules.messages import Message

LANGS = ("vi", "en")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$", re.IGNORECASE)


@dataclass(frozen=True)
class SpecError:
    where: str
    message: Message  # translated when shown (survey.render.messages)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SpecFileError(ValueError):
    """A data file that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[SpecError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Bilingual:
    """A text every reader sees in their language: Vietnamese first, English."""

    vi: str
    en: str

    def __getitem__(self, lang: str) -> str:
        """The text in ``lang`` (``text[lang]``, as templates write it)."""
        if lang not in LANGS:
            raise KeyError(lang)
        return self.vi if lang == "vi" else self.en

    @classmethod
    def from_json(cls, data: Any) -> Bilingual:
        """From a checked ``{"vi": …, "en": …}`` (missing languages read as empty)."""
        data = data if isinstance(data, dict) else {}
        return cls(str(data.get("vi", "")), str(data.get("en", "")))

    def to_json(self) -> dict[str, str]:
        return {lang: self[lang] for lang in LANGS}


def load_yaml(text: str, error_class: type[SpecFileError]) -> Any:
    """Parse YAML, or raise ``error_class`` naming the line that is wrong."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise error_class([SpecError(where, Message("spec.not_yaml"))]) from exc


def check_bilingual(value: Any, where: str, errors: list[SpecError]) -> None:
    if not isinstance(value, dict) or any(not str(value.get(lang, "")).strip() for lang in LANGS):
        errors.append(SpecError(where, Message("spec.bilingual")))


def check_code(value: Any, where: str, errors: list[SpecError]) -> bool:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        errors.append(SpecError(where, Message("spec.code")))
        return False
    return True
