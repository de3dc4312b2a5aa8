"""Send a case's stored file to staff: a download under its own name, or a sandboxed preview.

Callers make the object-level checks (which case, which file, who may see it) first.
"""

from __future__ import annotations

import logging

from flask import Response, abort
from flask_babel import gettext as _

from survey.models.cases import Attachment
from survey.rules import downloads
from survey.services import attachments

log = logging.getLogger(__name__)


def send_attachment(attachment: Attachment, *, preview: bool = False) -> Response:
    """The file's bytes with its cleaned original name; ``preview`` opens JPEG, PNG and PDF in
    the browser under a sandbox, anything else still downloads."""
    try:
        data = attachments.read(attachment)
    except FileNotFoundError:
        # The storage lost it (a restore without the attachments folder): say not found, not 500.
        log.warning("attachment file missing", extra={"fields": {"attachment": attachment.id}})
        abort(404)
    name = downloads.download_name(attachment.original_name, attachment.content_type,
                                   _("Attachment"))
    return Response(data, mimetype=attachment.content_type, headers=downloads.file_headers(
        name, attachment.content_type, preview=preview))
