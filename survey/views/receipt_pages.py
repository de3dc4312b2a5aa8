"""The receipt after filing (citizen or officer) and its PDF, and the form's one-time key.

The receipt code never travels in a URL or a cookie: the receipt is the answer to the filing POST
itself, and the PDF is the answer to a POST that carries the code in its body; both are marked
``no-store`` so no cache, proxy or back button keeps a copy.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import Response, abort, make_response, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.forms.cases import ReceiptPdfForm
from survey.models import Case, CaseChannel
from survey.models.base import utcnow
from survey.render import receipt_pdf
from survey.render.labels import CHANNELS, KINDS
from survey.rules import receipts
from survey.services import ServiceError, milestones
from survey.services import cases as case_service
from survey.web.i18n import local_date
from survey.web.urls import track_url

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_filing_key() -> str:
    return secrets.token_urlsafe(18)


def posted_filing_key(form) -> str:
    """The form's one-time key if it looks like one we issued, else "" (then nothing dedups)."""
    key = form.filing_key.data or ""
    return key if KEY_PATTERN.match(key) else ""


def keep_or_renew_key(form) -> None:
    """A form shown again keeps its unused key; a new or tampered form gets a fresh one."""
    if not posted_filing_key(form):
        form.filing_key.data = new_filing_key()


def no_store(body, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers.update(NO_STORE)
    return response


def facts(case: Case) -> list[tuple[str, str]]:
    """What the receipt says about the case, label and value, already translated."""
    rows = [(_("Kind"), str(KINDS[case.kind])), (_("Subject"), case.subject)]
    if case.unit is not None:
        rows.append((_("Office concerned"), case.unit.name))
    if case.handling_unit is not None and case.handling_unit_id != case.unit_id:
        rows.append((_("Handled by"), case.handling_unit.name))
    rows.append((_("Date received"),
                 local_date(milestones.local_day(case.received_at))))
    rows.append((_("How it arrived"), str(CHANNELS[case.channel])))
    if case.channel is CaseChannel.FORWARDED and case.forwarded_from:
        body = case.forwarded_from
        if case.forwarded_from_ref:
            body = _("%(body)s, document %(number)s", body=body, number=case.forwarded_from_ref)
        rows.append((_("Forwarded by"), body))
    return rows


def deadlines(case: Case, lang: str) -> list[tuple[str, str, str]]:
    return [(m.label.get(lang) or m.label.get("vi", m.name), local_date(m.due), m.basis)
            for m in sorted(case.milestones, key=lambda m: m.due) if m.met_at is None]


def document(case: Case, code: str, lang: str) -> receipt_pdf.Receipt:
    return receipt_pdf.Receipt(
        title=_("Receipt for your case"), code_label=_("Receipt code"), code=code,
        facts=facts(case), deadlines_heading=_("Statutory deadlines"),
        deadlines_header=(_("Step"), _("Due"), _("Legal basis")), deadlines=deadlines(case, lang),
        track_text=_("Follow the case, read the answer and add information at this address, "
                     "with the receipt code:"),
        track_url=track_url(),
        notes=[_("Keep this code safe: anyone who has it can read the case. The office does not "
                 "keep the code and cannot give it again.")],
        footer=_("Printed on %(date)s", date=local_date(milestones.local_day(utcnow()))),
    )


def pdf_response(case: Case, code: str, size: str, lang: str) -> Response:
    size = size if size in receipt_pdf.SIZES else "A4"
    data = receipt_pdf.render(document(case, code, lang), size)
    return Response(data, mimetype="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="bien-nhan-{size}.pdf"'})


def render_receipt(template: str, case: Case, code: str, **context) -> Response:
    """The receipt page, shown once as the answer to the filing POST, never cached."""
    return no_store(render_template(
        template, code=code, case=case, facts=facts(case),
        deadlines=deadlines(case, str(get_locale())), track_url=track_url(),
        pdf_form=ReceiptPdfForm(code=code), **context))


@dataclass(frozen=True)
class Filing:
    """What filing a form came to: the case and its code, an error to show, or "already"."""

    case: Case | None = None
    code: str = ""
    error: str | None = None
    already: bool = False


def file_once(new: case_service.NewCase, key: str) -> Filing:
    """Open the case and commit, unless the same form's one-time key already filed it."""
    try:
        case, code = case_service.open_case(new)
    except ServiceError as exc:
        db.session.rollback()
        return Filing(error=str(exc))
    except IntegrityError:  # the same form sent twice at once: the other request filed it
        db.session.rollback()
        if case_service.already_filed(key):
            return Filing(already=True)
        raise
    db.session.commit()
    return Filing(case, code)


def posted_pdf() -> Response:
    """The receipt PDF for the code posted in the body (never a URL), or 404."""
    form = ReceiptPdfForm()
    code = receipts.normalise(form.code.data or "") if form.validate() else None
    case = case_service.find_by_receipt(code) if code else None
    if code is None or case is None:
        abort(404)
    return pdf_response(case, code, form.size.data or "A4",
                        str(get_locale()))
