"""Questionnaire files: parse and validate (pure; no database, no Flask app needed).

A questionnaire file is YAML with ``code``, ``title``, ``scales``, optional ``elements`` and a
list of ``questions``; every text a respondent reads has a ``vi`` and an ``en`` version. The
validated definition is plain data, stored as JSON with each questionnaire version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.rules.specs import (
    LANGS,
    SpecError,
    SpecFileError,
    check_bilingual,
    check_code,
    load_yaml,
)


class QuestionnaireError(SpecFileError):
    """A questionnaire file that cannot be loaded."""


def _check_scales(scales: Any, errors: list[SpecError]) -> set[str]:
    if not isinstance(scales, dict) or not scales:
        errors.append(SpecError("scales", _l("at least one scale is required")))
        return set()
    for name, points in scales.items():
        where = f"scales.{name}"
        if not isinstance(points, list) or len(points) < 2:
            errors.append(SpecError(where, _l("a scale needs at least two points")))
            continue
        values = [p.get("value") if isinstance(p, dict) else None for p in points]
        if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
            errors.append(SpecError(where, _l("every point needs an integer value")))
        elif len(set(values)) != len(values):
            errors.append(SpecError(where, _l("scale values must be distinct")))
        for i, point in enumerate(points):
            if isinstance(point, dict):
                check_bilingual(point.get("label"), f"{where}[{i}].label", errors)
    return set(scales)


def _check_questions(data: dict, scale_names: set[str], element_codes: set[str],
                     errors: list[SpecError]) -> None:
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        errors.append(SpecError("questions", _l("at least one question is required")))
        return
    seen: set[str] = set()
    for i, question in enumerate(questions):
        where = f"questions[{i}]"
        if not isinstance(question, dict):
            errors.append(SpecError(where, _l("a question must be a mapping")))
            continue
        code = question.get("code")
        if check_code(code, f"{where}.code", errors):
            if code in seen:
                errors.append(SpecError(f"{where}.code",
                                        _l("duplicate question code %(code)s", code=code)))
            seen.add(code)
        check_bilingual(question.get("text"), f"{where}.text", errors)
        if question.get("scale") not in scale_names:
            errors.append(SpecError(f"{where}.scale", _l("unknown scale %(scale)s",
                                                          scale=question.get("scale"))))
        element = question.get("element")
        if element is not None and element not in element_codes:
            errors.append(SpecError(f"{where}.element", _l("unknown element %(element)s",
                                                            element=element)))


def _normalise(data: dict) -> dict:
    """Fill defaults so stored definitions are uniform."""
    questions = [
        {
            "code": q["code"],
            "text": {lang: q["text"][lang] for lang in LANGS},
            "scale": q["scale"],
            "element": q.get("element"),
            "required": bool(q.get("required", False)),
            "no_opinion": bool(q.get("no_opinion", False)),
        }
        for q in data["questions"]
    ]
    return {
        "code": data["code"],
        "title": {lang: data["title"][lang] for lang in LANGS},
        "intro": {lang: data.get("intro", {}).get(lang, "") for lang in LANGS},
        "scales": {
            name: [
                {"value": p["value"], "label": {lang: p["label"][lang] for lang in LANGS},
                 **({"face": p["face"]} if p.get("face") else {})}
                for p in points
            ]
            for name, points in data["scales"].items()
        },
        "elements": [
            {"code": e["code"], "name": {lang: e["name"][lang] for lang in LANGS}}
            for e in data.get("elements") or []
        ],
        "questions": questions,
        "comment": bool(data.get("comment", True)),
    }


def validate(data: Any) -> dict:
    """Check a parsed questionnaire; return it normalised, or raise QuestionnaireError."""
    errors: list[SpecError] = []
    if not isinstance(data, dict):
        raise QuestionnaireError([SpecError("file", _l("the file must hold a mapping at its top"))])
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
    return _normalise(data)


def parse(text: str) -> dict:
    """Parse YAML text and validate it."""
    return validate(load_yaml(text, QuestionnaireError))


def checksum(definition: dict) -> str:
    """A stable fingerprint of a definition, to tell a changed file from a reloaded one."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def question(definition: dict, code: str) -> dict | None:
    return next((q for q in definition["questions"] if q["code"] == code), None)


def scale_values(definition: dict, question_def: dict) -> list[int]:
    return [p["value"] for p in definition["scales"][question_def["scale"]]]
