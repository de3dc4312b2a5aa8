"""Check raw answers against a questionnaire definition (pure).

Shared by the web form and the paper import so that both accept exactly the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from survey.rules.messages import Message
from survey.rules.questionnaire_spec import Definition

NO_OPINION = "na"
COMMENT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class AnswerError:
    question: str
    message: Message  # translated when shown (survey.render.messages)


def parse_answers(definition: Definition, raw: Mapping[str, str | None]
                  ) -> tuple[dict[str, int | None], list[AnswerError]]:
    """Turn ``{code: "4" | "na" | ""}`` into ``{code: 4 | None}``; unanswered codes are left out."""
    answers: dict[str, int | None] = {}
    errors: list[AnswerError] = []
    for question in definition.questions:
        code = question.code
        text = (raw.get(code) or "").strip()
        if text == "":
            if question.required:
                errors.append(AnswerError(code, Message("answer.required")))
            continue
        if text.lower() == NO_OPINION:
            if question.no_opinion:
                answers[code] = None
            else:
                errors.append(AnswerError(code, Message("answer.no_opinion_refused")))
            continue
        allowed = definition.scale_values(question)
        value = _as_int(text)
        if value not in allowed:
            errors.append(AnswerError(code, Message.of(
                "answer.not_on_scale", values=", ".join(str(v) for v in allowed))))
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
