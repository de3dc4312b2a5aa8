"""inspect_desk (being built)."""

from survey.views.inspect import bp  # noqa: F401
