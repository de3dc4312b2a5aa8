"""Liveness for load balancers: 200 when the database answers, 503 otherwise."""

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import csrf, db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logging.getLogger("survey.health").warning("database did not answer")
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
