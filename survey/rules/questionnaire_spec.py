"""Questionnaire files: parse and validate into a typed definition (pure; no database, no Flask).

A questionnaire file is YAML with ``code``, ``title``, ``scales``, optional ``elements`` and a
list of ``questions``; every text a respondent reads has a ``vi`` and an ``en`` version. The
validated definition is a ``Definition``; each questionnaire version stores it as JSON
(``to_json``), and its checksum is taken over that JSON, so stored rows stay comparable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from survey.rules.messages import Message
from survey.rules.specs import (
    Bilingual,
    SpecError,
    SpecFileError,
    check_bilingual,
    check_code,
    load_yaml,
)


class QuestionnaireError(SpecFileError):
    """A questionnaire file that cannot be loaded."""


@dataclass(frozen=True)
class Point:
    value: int
    label: Bilingual
    face: str | None = None  # the quick form's picture for this point

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "label": self.label.to_json()}
        return data | ({"face": self.face} if self.face else {})


@dataclass(frozen=True)
class Element:
    code: str
    name: Bilingual


@dataclass(frozen=True)
class Question:
    code: str
    text: Bilingual
    scale: str
    element: str | None = None
    required: bool = False
    no_opinion: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text.to_json(), "scale": self.scale,
                "element": self.element, "required": self.required,
                "no_opinion": self.no_opinion}


@dataclass(frozen=True)
class Definition:
    """One questionnaire version: what a respondent reads and which answers count."""

    code: str
    title: Bilingual
    intro: Bilingual
    scales: Mapping[str, tuple[Point, ...]]
    elements: tuple[Element, ...]
    questions: tuple[Question, ...]
    comment: bool = True

    @classmethod
    def parse(cls, text: str) -> Definition:
        """Parse YAML text and validate it, or raise QuestionnaireError."""
        return cls.validate(load_yaml(text, QuestionnaireError))

    @classmethod
    def validate(cls, data: Any) -> Definition:
        """Check a parsed questionnaire file; raise QuestionnaireError listing every problem."""
        _check(data)
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Definition:
        """Read a checked definition (a stored version's JSON, or a file ``validate`` passed)."""
        return cls(
            code=data["code"], title=Bilingual.from_json(data["title"]),
            intro=Bilingual.from_json(data.get("intro") or {}),
            scales={name: tuple(Point(p["value"], Bilingual.from_json(p["label"]),
                                      p.get("face") or None) for p in points)
                    for name, points in data["scales"].items()},
            elements=tuple(Element(e["code"], Bilingual.from_json(e["name"]))
                           for e in data.get("elements") or []),
            questions=tuple(Question(q["code"], Bilingual.from_json(q["text"]), q["scale"],
                                     q.get("element"), bool(q.get("required", False)),
                                     bool(q.get("no_opinion", False)))
                            for q in data["questions"]),
            comment=bool(data.get("comment", True)))

    def to_json(self) -> dict[str, Any]:
        """The stored form: every default filled in, so stored definitions are uniform."""
        return {
            "code": self.code, "title": self.title.to_json(), "intro": self.intro.to_json(),
            "scales": {name: [p.to_json() for p in points] for name, points in self.scales.items()},
            "elements": [{"code": e.code, "name": e.name.to_json()} for e in self.elements],
            "questions": [q.to_json() for q in self.questions],
            "comment": self.comment,
        }

    @property
    def checksum(self) -> str:
        """A stable fingerprint, to tell a changed file from a reloaded one."""
        return checksum(self.to_json())

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def scale_values(self, question: Question) -> list[int]:
        return [p.value for p in self.scales[question.scale]]


def _check_scales(scales: Any, errors: list[SpecError]) -> set[str]:
    if not isinstance(scales, dict) or not scales:
        errors.append(SpecError("scales", Message("questionnaire.no_scale")))
        return set()
    for name, points in scales.items():
        where = f"scales.{name}"
        if not isinstance(points, list) or len(points) < 2:
            errors.append(SpecError(where, Message("questionnaire.scale_too_short")))
            continue
        values = [p.get("value") if isinstance(p, dict) else None for p in points]
        if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
            errors.append(SpecError(where, Message("questionnaire.point_not_integer")))
        elif len(set(values)) != len(values):
            errors.append(SpecError(where, Message("questionnaire.scale_repeats")))
        for i, point in enumerate(points):
            if isinstance(point, dict):
                check_bilingual(point.get("label"), f"{where}[{i}].label", errors)
    return set(scales)


def _check_questions(data: dict[str, Any], scale_names: set[str], element_codes: set[str],
                     errors: list[SpecError]) -> None:
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        errors.append(SpecError("questions", Message("questionnaire.no_question")))
        return
    seen: set[str] = set()
    for i, question in enumerate(questions):
        where = f"questions[{i}]"
        if not isinstance(question, dict):
            errors.append(SpecError(where, Message("questionnaire.question_not_mapping")))
            continue
        code = question.get("code")
        if check_code(code, f"{where}.code", errors) and isinstance(code, str):
            if code in seen:
                errors.append(SpecError(f"{where}.code", Message.of(
                    "questionnaire.duplicate_question", code=code)))
            seen.add(code)
        check_bilingual(question.get("text"), f"{where}.text", errors)
        if question.get("scale") not in scale_names:
            errors.append(SpecError(f"{where}.scale", Message.of(
                "questionnaire.unknown_scale", scale=str(question.get("scale")))))
        element = question.get("element")
        if element is not None and element not in element_codes:
            errors.append(SpecError(f"{where}.element", Message.of(
                "questionnaire.unknown_element", element=str(element))))


def _check(data: Any) -> None:
    errors: list[SpecError] = []
    if not isinstance(data, dict):
        raise QuestionnaireError([SpecError("file", Message("questionnaire.not_mapping"))])
    check_code(data.get("code"), "code", errors)
    check_bilingual(data.get("title"), "title", errors)
    scale_names = _check_scales(data.get("scales"), errors)
    elements = data.get("elements") or []
    element_codes: set[str] = set()
    for i, element in enumerate(elements if isinstance(elements, list) else []):
        if (isinstance(element, dict)
                and check_code(element.get("code"), f"elements[{i}].code", errors)):
            element_codes.add(element["code"])
            check_bilingual(element.get("name"), f"elements[{i}].name", errors)
    _check_questions(data, scale_names, element_codes, errors)
    if errors:
        raise QuestionnaireError(errors)


def validate(data: Any) -> Definition:
    """Check a parsed questionnaire; return its definition, or raise QuestionnaireError."""
    return Definition.validate(data)


def parse(text: str) -> Definition:
    """Parse YAML text and validate it."""
    return Definition.parse(text)


def checksum(definition: Definition | Mapping[str, Any]) -> str:
    """A stable fingerprint of a definition (or its stored JSON)."""
    data = definition.to_json() if isinstance(definition, Definition) else definition
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
