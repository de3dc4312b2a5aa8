"""Settings, read once from the environment.

Every setting has a safe default for development; production refuses to start without the
secrets it needs (see ``Config.validate``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# templates/, static/, migrations/ and translations/: the top-level folders of a checkout (and of
# an editable install), or the copy a built package carries (setup.py lays it into _resources).
_PACKAGED = Path(__file__).resolve().parent / "_resources"
IS_PACKAGED = _PACKAGED.is_dir()
RESOURCE_ROOT = _PACKAGED if IS_PACKAGED else PROJECT_ROOT
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused in production by validate()


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def default_instance_path(env: dict[str, str]) -> str | None:
    """Where the SQLite file and attachments live unless configured otherwise.

    SURVEY_INSTANCE_PATH when set; ``instance/`` in a checkout; for an installed package None,
    i.e. Flask's own choice, ``<virtualenv>/var/survey-instance``, never inside site-packages.
    """
    if env.get("SURVEY_INSTANCE_PATH"):
        return env["SURVEY_INSTANCE_PATH"]
    return None if IS_PACKAGED else str(PROJECT_ROOT / "instance")


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'survey.db'}"


def normalise_database_url(url: str) -> str:
    """Send ``postgresql://`` and ``postgres://`` URLs to psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass
class Config:
    env: str = "development"
    secret_key: str = DEV_SECRET
    database_url: str = ""
    base_url: str = "http://127.0.0.1:5000"
    identity_key: str = ""
    redis_url: str = ""
    smtp: dict[str, str] = field(default_factory=dict)
    repeat_window_minutes: int = 10
    rate_limit_client: str = "20 per minute;200 per day"
    rate_limit_counter: str = "120 per minute"
    rate_limit_login: str = "10 per minute"  # password guessing, per client address
    rate_limits_enabled: bool = True
    log_json: bool = True
    password_profile: str = "RFC_9106_LOW_MEMORY"  # noqa: S105 - an argon2 profile name
    proxy_count: int = 0
    attachment_dir: str = ""
    instance_path: str | None = field(default_factory=lambda: default_instance_path({}))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        return cls(
            env=env.get("SURVEY_ENV", "development"),
            secret_key=env.get("SECRET_KEY", "") or DEV_SECRET,
            database_url=env.get("DATABASE_URL", ""),
            base_url=env.get("SURVEY_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            identity_key=env.get("SURVEY_IDENTITY_KEY", ""),
            redis_url=env.get("REDIS_URL", ""),
            smtp={k: v for k, v in env.items() if k.startswith("SMTP_")},
            repeat_window_minutes=_int(env, "SURVEY_REPEAT_WINDOW_MINUTES", 10),
            rate_limit_client=env.get("SURVEY_RATE_LIMIT_CLIENT", "20 per minute;200 per day"),
            rate_limit_counter=env.get("SURVEY_RATE_LIMIT_COUNTER", "120 per minute"),
            rate_limit_login=env.get("SURVEY_RATE_LIMIT_LOGIN", "10 per minute"),
            rate_limits_enabled=_bool(env, "SURVEY_RATE_LIMITS", True),
            log_json=_bool(env, "SURVEY_LOG_JSON", True),
            password_profile=env.get("SURVEY_PASSWORD_PROFILE", "RFC_9106_LOW_MEMORY"),  # noqa: S105
            proxy_count=_int(env, "SURVEY_PROXY_COUNT", 0),
            attachment_dir=env.get("SURVEY_ATTACHMENT_DIR", ""),
            instance_path=default_instance_path(env),
        )

    def validate(self) -> None:
        """Refuse settings that would be unsafe outside development."""
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise ConfigError("SECRET_KEY must be set when SURVEY_ENV=production")
        if self.password_profile not in {"RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST"}:
            raise ConfigError("SURVEY_PASSWORD_PROFILE must be RFC_9106_LOW_MEMORY, "
                              "RFC_9106_HIGH_MEMORY or CHEAPEST")
        if self.env == "production" and not self.identity_key:
            raise ConfigError("SURVEY_IDENTITY_KEY must be set when SURVEY_ENV=production "
                              "(make one with: python -c 'from cryptography.fernet import Fernet; "
                              "print(Fernet.generate_key().decode())')")
        if self.env == "production" and self.password_profile == "CHEAPEST":  # noqa: S105
            raise ConfigError("SURVEY_PASSWORD_PROFILE=CHEAPEST is for tests only")

    def flask_settings(self, instance_path: Path) -> dict[str, object]:
        """Translate into the keys Flask and its extensions read."""
        url = normalise_database_url(self.database_url or default_database_url(instance_path))
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": url,
            # No pre-ping (a round trip per request): connections are recycled every 30 minutes,
            # and after a database restart SQLAlchemy drops the whole pool on the first error.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
            "SURVEY_BASE_URL": self.base_url,
            "SURVEY_IDENTITY_KEY": self.identity_key,
            "SURVEY_REPEAT_WINDOW_MINUTES": self.repeat_window_minutes,
            "SURVEY_RATE_LIMIT_CLIENT": self.rate_limit_client,
            "SURVEY_RATE_LIMIT_COUNTER": self.rate_limit_counter,
            "SURVEY_RATE_LIMIT_LOGIN": self.rate_limit_login,
            "RATELIMIT_ENABLED": self.rate_limits_enabled,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": False,
            "SURVEY_LOG_JSON": self.log_json,
            "SURVEY_PASSWORD_PROFILE": self.password_profile,
            "SURVEY_PROXY_COUNT": self.proxy_count,
            "SURVEY_SMTP": self.smtp,
            "SURVEY_ATTACHMENT_DIR": self.attachment_dir,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.env == "production",
            "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
            "BABEL_DEFAULT_LOCALE": "vi",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
            "BABEL_TRANSLATION_DIRECTORIES": str(RESOURCE_ROOT / "translations"),
            "WTF_CSRF_TIME_LIMIT": None,
            "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        }
