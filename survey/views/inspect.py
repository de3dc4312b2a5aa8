"""The inspector's desk: figures for any slice of the organisation the user may see.

Inspectors and leaders, each limited to the subtree of their own unit: every page resolves the
unit it is asked about through ``scope_unit``, which refuses a unit outside that subtree. Deny
by default: the blueprint admits only these two roles, and only the endpoints listed here.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.models import Role, Unit
from survey.services.org import subtree_ids
from survey.web.security import require_roles

bp = Blueprint("inspect", __name__, url_prefix="/inspect")
bp.before_request(require_roles(Role.INSPECTOR, Role.LEADER))

# Filled by the modules that add routes to this blueprint: endpoint -> roles admitted.
ENDPOINTS: dict[str, frozenset[Role]] = {}
BOTH = frozenset({Role.INSPECTOR, Role.LEADER})


def endpoint(name: str, roles: frozenset[Role] = BOTH) -> str:
    """Register ``inspect.<name>`` as reachable by ``roles``; returns the route's endpoint."""
    ENDPOINTS[f"inspect.{name}"] = roles
    return name


@bp.before_request
def _only_listed_endpoints():
    if current_user.role not in ENDPOINTS.get(request.endpoint, frozenset()):
        abort(403)


def visible_unit_ids() -> list[int]:
    """The units the current user may see: their own unit and everything below it."""
    return subtree_ids(current_user.unit_id)


def scope_unit(code: str | None) -> Unit:
    """The unit named by ``code`` (the user's own unit when empty), 404 if outside their subtree.

    404 rather than 403: a unit outside one's subtree should not be confirmed to exist.
    """
    if not code:
        return db.get_or_404(Unit, current_user.unit_id)
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or unit.id not in visible_unit_ids():
        abort(404)
    return unit


def visible_units() -> list[Unit]:
    """The units of the user's subtree, ordered by code, for filter choices."""
    ids = visible_unit_ids()
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code)))
