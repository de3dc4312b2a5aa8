"""Index methods as data: parse and check a method file (pure; the files live in methods/ and
``survey.services.indices.load_method`` reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey.rules.messages import Message
from survey.rules.specs import SpecError, SpecFileError, check_code, load_yaml

CALCULATIONS = ("share", "sipas", "points", "qd766")
AGGREGATIONS = ("mean",)


class MethodFileError(SpecFileError):
    """A method file that cannot be used."""


@dataclass(frozen=True)
class ElementSpec:
    code: str
    weight: float
    criteria: tuple[tuple[str, float], ...]  # (question code, weight)

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.criteria]


@dataclass(frozen=True)
class MethodSpec:
    code: str
    calculation: str
    scale_max: int
    satisfied_threshold: int = 4
    minimum_sample: int = 30
    question: str | None = None
    elements: tuple[ElementSpec, ...] = ()
    criteria: tuple[str, ...] = ()  # points methods: the scored questions
    unsatisfied_values: tuple[int, ...] = (1, 2)

    @classmethod
    def parse(cls, data: Any) -> MethodSpec:
        """Check a parsed method file; raise MethodFileError listing every problem."""
        return parse_method(data)

    @classmethod
    def from_yaml(cls, text: str) -> MethodSpec:
        """Parse a method file's YAML text."""
        return parse_method(load_yaml(text, MethodFileError))

    def question_codes(self) -> list[str]:
        """Every question code the method reads."""
        codes = [self.question] if self.question else []
        codes += [c for element in self.elements for c in element.codes]
        return codes + list(self.criteria)


def parse_method(data: Any) -> MethodSpec:
    """Check a parsed method file; raise MethodFileError listing every problem."""
    errors: list[SpecError] = []
    if not isinstance(data, dict):
        raise MethodFileError([SpecError("file", Message("method.not_mapping"))])
    check_code(data.get("code"), "code", errors)
    calculation = data.get("calculation")
    if calculation not in CALCULATIONS:
        errors.append(SpecError("calculation", Message.of("method.one_of",
                                                         choices=", ".join(CALCULATIONS))))
    scale_max = _positive_int(data.get("scale_max"), "scale_max", errors)
    threshold = _positive_int(data.get("satisfied_threshold", 4), "satisfied_threshold", errors)
    if calculation in ("share", "sipas") and scale_max and threshold and threshold > scale_max:
        errors.append(SpecError("satisfied_threshold", Message("method.threshold_above_max")))
    minimum = _positive_int(data.get("minimum_sample", 30), "minimum_sample", errors)
    if data.get("aggregation", "mean") not in AGGREGATIONS:
        errors.append(SpecError("aggregation", Message("method.only_mean")))
    question = data.get("question")
    if calculation in ("share", "qd766"):
        check_code(question, "question", errors)
    elements = _elements(data.get("elements"), errors) if calculation == "sipas" else ()
    criteria = _criteria(data.get("criteria"), errors) if calculation == "points" else ()
    unsatisfied = tuple(data.get("unsatisfied_values", (1, 2)) or ())
    if any(not isinstance(v, int) for v in unsatisfied):
        errors.append(SpecError("unsatisfied_values", Message("method.whole_numbers")))
    if errors:
        raise MethodFileError(errors)
    return MethodSpec(code=data["code"], calculation=str(calculation), scale_max=scale_max,
                      satisfied_threshold=threshold, minimum_sample=minimum, question=question,
                      elements=elements, criteria=criteria, unsatisfied_values=unsatisfied)


def _positive_int(value: Any, where: str, errors: list[SpecError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors.append(SpecError(where, Message("method.positive_int")))
        return 0
    return value


def _weight(value: Any, where: str, errors: list[SpecError]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        errors.append(SpecError(where, Message("method.weight")))
        return 1.0
    return float(value)


def _criteria(value: Any, errors: list[SpecError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        errors.append(SpecError("criteria", Message("method.no_criteria")))
        return ()
    for i, code in enumerate(value):
        check_code(code, f"criteria[{i}]", errors)
    return tuple(value)


def _elements(value: Any, errors: list[SpecError]) -> tuple[ElementSpec, ...]:
    if not isinstance(value, list) or not value:
        errors.append(SpecError("elements", Message("method.no_elements")))
        return ()
    elements, seen = [], set()
    for i, item in enumerate(value):
        where = f"elements[{i}]"
        if not isinstance(item, dict):
            errors.append(SpecError(where, Message("method.element_not_mapping")))
            continue
        check_code(item.get("code"), f"{where}.code", errors)
        criteria = []
        for j, entry in enumerate(item.get("criteria") or []):
            entry = entry if isinstance(entry, dict) else {"code": entry}
            if check_code(entry.get("code"), f"{where}.criteria[{j}]", errors):
                if entry["code"] in seen:
                    errors.append(SpecError(f"{where}.criteria[{j}]", Message.of(
                        "method.criterion_twice", code=entry["code"])))
                seen.add(entry["code"])
                criteria.append((entry["code"], _weight(entry.get("weight", 1), where, errors)))
        if not criteria:
            errors.append(SpecError(f"{where}.criteria",
                                    Message("method.element_without_criteria")))
        elements.append(ElementSpec(str(item.get("code")), _weight(item.get("weight", 1), where,
                                                                    errors), tuple(criteria)))
    return tuple(elements)
