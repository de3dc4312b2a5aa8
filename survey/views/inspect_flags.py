"""Flagged responses: the list, and the inspector's exclusions (with a reason, audited).

Leaders see the list but cannot exclude or include: the ratings are of their own staff, so
setting any aside is the inspectorate's call alone.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.analysis import anomalies
from survey.extensions import db
from survey.forms.base import add_error
from survey.forms.inspect import FLAG_LABELS, ExclusionForm, InclusionForm
from survey.models import Role
from survey.services import ServiceError, exclusions
from survey.views.inspect import bp, endpoint
from survey.views.inspect_desk import choice_or_400, filter_form, form_query, read_choice

PER_PAGE = 50
INSPECTOR = frozenset({Role.INSPECTOR})
KIND_FILTERS = (*anomalies.KINDS, exclusions.EXCLUDED)


def may_decide() -> bool:
    return current_user.role == Role.INSPECTOR


def _kind() -> str | None:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KIND_FILTERS:
        abort(400)
    return kind


def _render(choice, exclusion: ExclusionForm, status: int = 200):
    kind, page = _kind(), max(request.args.get("page", 1, type=int), 1)
    scope = choice.scope
    counts = exclusions.flag_counts(scope.unit_ids, scope.start, scope.end)
    total = exclusions.count_flagged_responses(scope.unit_ids, scope.start, scope.end,
                                               kind)
    rows = exclusions.flagged_responses(scope.unit_ids, scope.start, scope.end, kind,
                                        limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("inspect/flags.html", form=choice.form, unit=choice.unit,
                           counts=counts, rows=rows, total=total, page=page, per_page=PER_PAGE,
                           kind=kind, kinds=anomalies.KINDS, labels=FLAG_LABELS,
                           exclusion=exclusion, inclusion=InclusionForm(),
                           may_decide=may_decide()), status


@bp.get("/flags", endpoint=endpoint("flags"))
def flags_page():
    return _render(choice_or_400(), ExclusionForm(kind=_kind() or ""))


def _back(choice):
    query = form_query(choice.form)
    kind = _kind()
    return redirect(url_for("inspect.flags") + f"?{query}" + (f"&kind={kind}" if kind else ""))


@bp.post("/flags/exclude", endpoint=endpoint("exclude", INSPECTOR))
def exclude():
    choice = read_choice(filter_form())
    if choice is None:
        abort(400)
    form = ExclusionForm()
    if not form.validate():
        return _render(choice, form, 400)
    scope = choice.scope
    try:
        if form.kind.data:
            done = exclusions.exclude_flagged(form.kind.data, form.reason.data,
                                              current_user, unit_ids=scope.unit_ids,
                                              start=scope.start, end=scope.end)
        else:
            done = exclusions.exclude(_ticked(), form.reason.data, current_user,
                                      unit_ids=scope.unit_ids)
    except ServiceError as error:
        db.session.rollback()
        add_error(form.reason, str(error))
        return _render(choice, form, 400)
    db.session.commit()
    flash(_("%(count)s responses excluded from the figures.", count=done))
    return _back(choice)


@bp.post("/flags/include", endpoint=endpoint("include", INSPECTOR))
def include():
    choice = read_choice(filter_form())
    if choice is None:
        abort(400)
    if not InclusionForm().validate():
        abort(400)
    try:
        done = exclusions.include(_ticked(), current_user,
                                  unit_ids=choice.scope.unit_ids)
    except ServiceError as error:
        db.session.rollback()
        form = ExclusionForm()
        add_error(form.reason, str(error))
        return _render(choice, form, 400)
    db.session.commit()
    flash(_("%(count)s responses put back into the figures.", count=done))
    return _back(choice)


def _ticked() -> list[int]:
    ids = request.form.getlist("response_id")
    if not all(value.isdigit() for value in ids):
        abort(400)
    return [int(value) for value in ids]
