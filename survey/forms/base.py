"""The base of every form: WTForms' own messages translated through our catalog.

WTForms ships no Vietnamese translation, so its built-in messages ("This field is required.")
are listed below for extraction and translated in ``translations/vi`` like any other string.
"""

from __future__ import annotations

from typing import TypeVar

from flask_babel import get_domain
from flask_wtf import FlaskForm
from wtforms import Field

T = TypeVar("T")


def _mark(message: str) -> str:
    """Mark a message for extraction without translating it here (Babel's N_ idiom)."""
    return message


def _n(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural


_l = _mark  # extracted through the `_l` keyword, translated at render time by BabelTranslations

WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _n("Field must be at least %(min)d character long.",
       "Field must be at least %(min)d characters long."),
    _n("Field cannot be longer than %(max)d character.",
       "Field cannot be longer than %(max)d characters."),
    _n("Field must be exactly %(max)d character long.",
       "Field must be exactly %(max)d characters long."),
)


class BabelTranslations:
    """What WTForms asks of a translations object, answered from our own catalog."""

    def gettext(self, string: str) -> str:
        return get_domain().get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_domain().get_translations().ungettext(singular, plural, n)


NUL_MESSAGE = _l("This field contains a character that is not allowed.")


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return BabelTranslations()

    def validate(self, extra_validators=None) -> bool:
        """Refuse NUL characters in any text: PostgreSQL cannot store or even compare them.

        The character is dropped from what re-renders, so the rest of the text is kept.
        """
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                field.data = field.data.replace("\x00", "")
                field.errors = [*field.errors, get_domain().get_translations().ugettext(
                    NUL_MESSAGE)]
                valid = False
        return valid


def add_error(field: Field, message: str) -> None:
    """Show one more error under a field, such as a service's refusal after validation.

    A new list: WTForms types ``errors`` as a sequence, and a field not validated yet holds the
    class's empty tuple.
    """
    field.errors = [*field.errors, message]


def required(data: T | None) -> T:
    """A field's data once an ``InputRequired`` validator has passed: never None then."""
    if data is None:
        raise ValueError("a required field has no data: was the form validated?")
    return data
