"""Case attachments: type checked by content, stored outside the web root under random names."""

from __future__ import annotations

import hashlib
import io
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from survey.extensions import db
from survey.models.cases import Attachment, Case
from survey.services import ServiceError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


def storage_dir() -> Path:
    path = Path(current_app.config.get("SURVEY_ATTACHMENT_DIR")
                or Path(current_app.instance_path) / "attachments")
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (JPEG, PNG or PDF), whatever the file name says."""
    content_type = next(
        (kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)
    if content_type is None:
        return None
    if content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            return None
    elif b"%%EOF" not in data[-2048:]:
        return None
    return content_type


def check_upload(name: str, data: bytes) -> str:
    """Return the content type, or raise ServiceError with a message for the citizen."""
    if len(data) > MAX_BYTES:
        raise ServiceError(_("%(name)s is larger than 10 MB.", name=name))
    if not data:
        raise ServiceError(_("%(name)s is empty.", name=name))
    content_type = sniff(data)
    if content_type is None:
        raise ServiceError(_("%(name)s is not a JPEG, PNG or PDF file.", name=name))
    return content_type


def store(case: Case, name: str, data: bytes, *, from_citizen: bool) -> Attachment:
    content_type = check_upload(name, data)
    if len(case.attachments) >= MAX_FILES * 4:
        raise ServiceError(_("This case already has too many files."))
    stored_name = secrets.token_hex(20)
    (storage_dir() / stored_name).write_bytes(data)
    attachment = Attachment(
        case=case, stored_name=stored_name, original_name=Path(name).name[:200] or "file",
        content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        from_citizen=from_citizen,
        # A denouncer's own file may reveal them: hold it back from handlers until checked.
        cleared_for_handlers=not (from_citizen and case.kind.value == "denunciation"),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def read(attachment: Attachment) -> bytes:
    return (storage_dir() / attachment.stored_name).read_bytes()
