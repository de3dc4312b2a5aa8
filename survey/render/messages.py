"""Put message codes from the pure modules into words: the one place their texts live.

Each code maps to the msgid the text had before the modules turned pure, so the catalogues
(and the Vietnamese translations) are unchanged. ``N_`` only marks a msgid for extraction.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, lazy_gettext

from survey.rules.messages import Message


def N_(msgid: str) -> str:  # noqa: N802 (the name pybabel extracts by default)
    return msgid


MSGIDS: dict[str, str] = {
    # data files in general (survey.rules.specs)
    "spec.not_yaml": N_("not valid YAML"),
    "spec.bilingual": N_("needs a text in Vietnamese (vi) and English (en)"),
    "spec.code": N_("a code is 1 to 40 letters, digits, - or _"),
    # questionnaire files
    "questionnaire.not_mapping": N_("the file must hold a mapping at its top"),
    "questionnaire.no_scale": N_("at least one scale is required"),
    "questionnaire.scale_too_short": N_("a scale needs at least two points"),
    "questionnaire.point_not_integer": N_("every point needs an integer value"),
    "questionnaire.scale_repeats": N_("scale values must be distinct"),
    "questionnaire.no_question": N_("at least one question is required"),
    "questionnaire.question_not_mapping": N_("a question must be a mapping"),
    "questionnaire.duplicate_question": N_("duplicate question code %(code)s"),
    "questionnaire.unknown_scale": N_("unknown scale %(scale)s"),
    "questionnaire.unknown_element": N_("unknown element %(element)s"),
    # index method files
    "method.not_mapping": N_("a method file is a mapping"),
    "method.one_of": N_("must be one of %(choices)s"),
    "method.threshold_above_max": N_("is above scale_max"),
    "method.only_mean": N_("only mean is supported"),
    "method.whole_numbers": N_("a list of whole numbers"),
    "method.positive_int": N_("a whole number of at least 1"),
    "method.weight": N_("a weight is a number above 0"),
    "method.no_criteria": N_("a non-empty list of question codes"),
    "method.no_elements": N_("a non-empty list of elements"),
    "method.element_not_mapping": N_("an element is a mapping with code and criteria"),
    "method.criterion_twice": N_("criterion %(code)s appears twice"),
    "method.element_without_criteria": N_("an element needs criteria"),
    # the deadline rulebook
    "rulebook.no_kinds": N_("the file must map kinds to their milestones"),
    "rulebook.version": N_("only version 1 is understood"),
    "rulebook.lengths": N_("give a number of days, or days by case: %(keys)s"),
    "rulebook.length_not_count": N_("each length is a whole number of days, at least 1"),
    "rulebook.remote_complex": N_("with complex and remote, remote-complex is needed"),
    "rulebook.extension_days": N_("an extension lasts at least 1 day"),
    "rulebook.extensions_allowed": N_(
        "give how many extensions each of %(keys)s allows, never fewer for a harder case"),
    "rulebook.milestone_not_mapping": N_("a milestone must be a mapping"),
    "rulebook.one_of": N_("must be one of %(values)s"),
    "rulebook.basis": N_("the legal basis is required"),
    "rulebook.boolean": N_("must be true or false"),
    "rulebook.not_list": N_("must be a list of milestones"),
    "rulebook.empty_kind": N_("a kind needs at least one milestone"),
    "rulebook.duplicate": N_("duplicate milestone %(name)s"),
    "rulebook.accept_needed": N_(
        "milestones counted from acceptance need a required %(name)s milestone counted "
        "from receipt"),
    # answers to a questionnaire (survey.rules.answers)
    "answer.required": N_("Please choose an answer."),
    "answer.no_opinion_refused": N_("“No opinion” is not allowed for this question."),
    "answer.not_on_scale": N_("The answer must be one of %(values)s."),
    # warnings of the index methods (survey.analysis.sample, sipas, decree61)
    "sample.small": N_("n=%(n)s is below the minimum sample of %(minimum)s"),
    "sample.small_in": N_("%(where)s: n=%(n)s is below the minimum sample of %(minimum)s"),
    "index.criterion_left_out": N_("criterion %(code)s has no valid answer and is left out"),
    "index.element_left_out": N_("element %(code)s has no valid answer and is left out"),
    "index.no_valid_answer": N_("no valid answer: the index cannot be computed"),
    "index.correlated_criteria": N_("the interval treats criteria as independent; answers of the "
                                    "same respondents are correlated, so the true interval is "
                                    "wider"),
    "decree61.criterion_left_out": N_("criterion %(code)s has no answer: the total leaves it out"),
    # verdicts of a comparison between two periods (survey.analysis.compare)
    "verdict.higher": N_("Significantly higher"),
    "verdict.lower": N_("Significantly lower"),
    "verdict.no_change": N_("No significant change"),
    "verdict.not_comparable": N_("Not enough responses to compare"),
    # the anomaly rules file (survey.analysis.anomalies)
    "anomaly_rules.not_mapping": N_("a rules file is a mapping"),
    "anomaly_rules.rule_not_mapping": N_("a rule is a mapping"),
    "anomaly_rules.unknown_setting": N_("unknown setting"),
    "anomaly_rules.boolean": N_("true or false"),
    "anomaly_rules.at_least": N_("a whole number of at least %(n)d"),
    "anomaly_rules.channels": N_("a list of channels among %(choices)s"),
    "anomaly_rules.hours": N_("opening hours like 07:00-17:30, or closed"),
    # the index report (survey.analysis.report)
    "report.groups_hidden": N_("%(count)s %(by)s groups below the minimum sample of %(minimum)s "
                               "are not shown"),
}


def text(message: Message | object) -> LazyString | object:
    """The translated text of a message, lazily (translated when shown, in the reader's language).

    Anything that is not a ``Message`` (an already translated text) is returned as it is.
    """
    if not isinstance(message, Message):
        return message
    return lazy_gettext(MSGIDS[message.code], **message.kwargs)


def plain(message: Message | object) -> str:
    """The translated text as a plain string, in the current locale."""
    return str(text(message))


def register(jinja_env: Any) -> None:
    """``{{ warning|message }}`` in templates: a message code (or a text) in words."""
    jinja_env.filters["message"] = plain
