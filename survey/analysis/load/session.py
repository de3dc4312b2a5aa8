"""The session a loader takes: a SQLAlchemy Session, or the app's scoped ``db.session``.

Services hand ``db.session`` (a ``scoped_session`` that stands for the request's Session) and
tests or scripts may hand a plain Session; the loaders only call ``execute`` and ``scalar``.
"""

from typing import Any

from sqlalchemy.orm import Session, scoped_session

# scoped_session[Any]: Flask-SQLAlchemy's is a scoped_session of its own Session subclass.
AnySession = Session | scoped_session[Any]
