"""Check raw answers against a questionnaire definition (pure).

Shared by the web form and the paper import so that both accept exactly the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

NO_OPINION = "na"
COMMENT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class AnswerError:
    question: str
    message: object  # lazy string


def parse_answers(definition: dict, raw: dict[str, str | None]) -> tuple[dict[str, int | None],
                                                                      list[AnswerError]]:
    """Turn ``{code: "4" | "na" | ""}`` into ``{code: 4 | None}``; unanswered codes are left out."""
    answers: dict[str, int | None] = {}
    errors: list[AnswerError] = []
    for question in definition["questions"]:
        code = question["code"]
        text = (raw.get(code) or "").strip()
        if text == "":
            if question["required"]:
                errors.append(AnswerError(code, _l("Please choose an answer.")))
            continue
        if text.lower() == NO_OPINION:
            if question["no_opinion"]:
                answers[code] = None
            else:
                errors.append(AnswerError(
                    code, _l("“No opinion” is not allowed for this question.")))
            continue
        allowed = [p["value"] for p in definition["scales"][question["scale"]]]
        value = _as_int(text)
        if value not in allowed:
            errors.append(AnswerError(code, _l("The answer must be one of %(values)s.",
                                               values=", ".join(str(v) for v in allowed))))
            continue
        answers[code] = value
    return answers, errors


def _as_int(text: str) -> int | None:
    """Read "4" and also "4.0", which spreadsheets write for whole numbers."""
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
