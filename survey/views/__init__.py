"""Blueprints, one per audience, and the error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

STAFF_AREAS = ("/officer", "/inspect", "/admin")


def is_staff_area() -> bool:
    """Tell whether a logged-in user asked for a page of a staff area (their error pages differ)."""
    path = request.path
    return (any(path == area or path.startswith(area + "/") for area in STAFF_AREAS)
            and current_user.is_authenticated)


def _error_page(status: int):
    def handler(error):
        if status in (403, 404) and is_staff_area():
            from survey.views.auth import home_for

            # The staff layout keeps the menu, the language and the logout button at hand.
            return render_template(f"errors/staff_{status}.html",
                                   home=home_for(current_user)), status
        return render_template(f"errors/{status}.html"), status
    return handler


def _csrf_error(error: CSRFError):
    return render_template("errors/csrf.html"), 400


def has_endpoint(name: str) -> bool:
    """Let a page link to a feature only once it exists (the cases area comes later)."""
    from flask import current_app

    return name in current_app.view_functions


def register_blueprints(app: Flask) -> None:
    app.jinja_env.globals["has_endpoint"] = has_endpoint
    from survey.render import labels, messages
    from survey.views import (  # noqa: F401 - routes join their blueprints
        admin,
        admin_rules,
        admin_transactions,
        admin_users,
        auth,
        cases,
        custody,
        health,
        inspect,
        inspect_desk,
        inspect_flags,
        inspect_report,
        officer,
        officer_case,
        officer_intake,
        officer_unassigned,
        public,
    )

    labels.register(app.jinja_env)
    messages.register(app.jinja_env)
    app.register_blueprint(public.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(custody.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(inspect.bp)
    for status in (403, 404, 410, 429, 500):
        app.register_error_handler(status, _error_page(status))
    app.register_error_handler(CSRFError, _csrf_error)
