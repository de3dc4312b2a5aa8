"""The base of every form: WTForms' own messages translated through our catalog.

WTForms ships no Vietnamese translation, so its built-in messages ("This field is required.")
are listed below for extraction and translated in ``translations/vi`` like any other string.
"""

from __future__ import annotations

from flask_babel import get_domain
from flask_wtf import FlaskForm


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


def strip_nul(value):
    """Drop NUL characters: PostgreSQL refuses them in text, and no person types one."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return BabelTranslations()

        def bind_field(self, form, unbound_field, options):
            filters = (*unbound_field.kwargs.get("filters", ()), strip_nul)
            return unbound_field.bind(form=form, filters=filters, **options)
