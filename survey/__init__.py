"""The citizen satisfaction survey and feedback platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from survey.config import RESOURCE_ROOT, Config


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and CLI. Performs no I/O of its own."""
    settings = Config.from_env() if not isinstance(config, Config) else config
    settings.validate()
    app = Flask(
        __name__,
        template_folder=str(RESOURCE_ROOT / "templates"),
        static_folder=str(RESOURCE_ROOT / "static"),
        instance_path=settings.instance_path,  # None: Flask's <prefix>/var/survey-instance
    )
    app.config.update(settings.flask_settings(Path(app.instance_path)))
    if isinstance(config, dict):
        app.config.update(config)

    if app.config["SURVEY_PROXY_COUNT"]:
        # Behind N trusted proxies, take the client address from X-Forwarded-For; otherwise
        # every citizen would share the proxy's address and its per-client rate limit.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["SURVEY_PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware; mypy sees wsgi_app as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from survey import extensions
    from survey.db_setup import configure_engine_events
    from survey.web import i18n, logs, security

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(RESOURCE_ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    with app.app_context():
        configure_engine_events(extensions.db.engine)  # events only: nothing is connected

    from survey.views import register_blueprints

    register_blueprints(app)

    from survey.cli import register_cli

    register_cli(app)
    return app
