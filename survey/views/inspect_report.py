"""inspect_report (being built)."""

from survey.views.inspect import bp  # noqa: F401
