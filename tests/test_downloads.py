"""Staff download case files under their own names and preview images and PDFs, sandboxed."""

import io
from urllib.parse import unquote

import pytest
from PIL import Image
from sqlalchemy import select

from survey.models import AuditEvent, CaseKind
from survey.rules import downloads
from survey.services.attachments import store
from tests.cases_helpers import new_case, user
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


def filename_star(header: str) -> str:
    """The UTF-8 name of an RFC 6266 ``filename*`` parameter."""
    value = header.split("filename*=", 1)[1].split(";", 1)[0]
    assert value.startswith("UTF-8''")
    return unquote(value[len("UTF-8''"):], encoding="utf-8", errors="strict")


# ---- the pure rules ------------------------------------------------------------------------------

@pytest.mark.parametrize(("original", "content_type", "expected"), [
    ("Đơn khiếu nại.pdf", "application/pdf", "Đơn khiếu nại.pdf"),
    ("C:\\Users\\An\\Ảnh chụp.JPG", "image/jpeg", "Ảnh chụp.JPG"),
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("hóa đơn\u202egpj.exe", "image/png", "hóa đơngpj.exe.png"),
    ("a\x00b\r\nc.pdf", "application/pdf", "abc.pdf"),
    ('bao "cao"?.pdf', "application/pdf", "bao _cao__.pdf"),
    ("scan", "application/pdf", "scan.pdf"),
    ("...", "image/jpeg", "Tệp.jpg"),
    ("ảnh.jpeg", "image/jpeg", "ảnh.jpeg"),
])
def test_download_name_keeps_the_name_and_matches_the_extension_to_the_content(
        original, content_type, expected):
    assert downloads.download_name(original, content_type, "Tệp") == expected


def test_a_very_long_name_is_cut_but_keeps_its_extension():
    name = downloads.download_name("Đ" * 400 + ".pdf", "application/pdf", "Tệp")
    assert len(name) == downloads.MAX_NAME and name.endswith("Đ.pdf")


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = downloads.content_disposition("Đơn khiếu nại (bản 2).pdf")
    assert header.startswith('attachment; filename="Don khieu nai (ban 2).pdf"; filename*=')
    assert filename_star(header) == "Đơn khiếu nại (bản 2).pdf"
    header.encode("latin-1")  # a header value must be sendable as is


def test_an_ascii_name_needs_no_second_parameter():
    assert downloads.content_disposition("scan.pdf", inline=True) == 'inline; filename="scan.pdf"'


def test_only_checked_types_are_previewed_inline():
    pdf = downloads.file_headers("a.pdf", "application/pdf", preview=True)
    other = downloads.file_headers("a.html", "text/html", preview=True)
    assert pdf["Content-Disposition"].startswith("inline;")
    assert pdf["Content-Security-Policy"].startswith("sandbox;")
    assert other["Content-Disposition"].startswith("attachment;")
    assert "Content-Security-Policy" not in other


# ---- the officer's case page -------------------------------------------------------------------

def test_officer_downloads_a_file_under_its_vietnamese_name(client, demo, db):
    case, _ = new_case()
    attachment = store(case, "Đơn khiếu nại.pdf", PDF, from_citizen=True)
    db.session.commit()
    login(client, case.assignee.username)
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    assert "Đơn khiếu nại.pdf" in page and "Tài liệu PDF" in page and "application/pdf" not in page
    reply = client.get(f"/officer/cases/{case.id}/files/{attachment.id}")
    assert reply.status_code == 200 and reply.data == PDF
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Don khieu nai.pdf"')
    assert filename_star(disposition) == "Đơn khiếu nại.pdf"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_officer_previews_a_pdf_inline_in_a_sandbox(client, demo, db):
    case, _ = new_case()
    attachment = store(case, "Biên bản.pdf", PDF, from_citizen=True)
    db.session.commit()
    login(client, case.assignee.username)
    page = client.get(f"/officer/cases/{case.id}").get_data(as_text=True)
    preview = f"/officer/cases/{case.id}/files/{attachment.id}?preview=1"
    assert f'href="{preview}"' in page
    reply = client.get(preview)
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.headers["Content-Disposition"].startswith('inline; filename="Bien ban.pdf"')
    [policy] = reply.headers.getlist("Content-Security-Policy")  # not also the site's own
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert "script-src" not in policy and "allow-" not in policy  # no script, no same origin
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_preview_keeps_the_object_checks(client, demo, db):
    case, _ = new_case(CaseKind.DENUNCIATION, accused=user("canbo1"),
                       files=[("ảnh.png", png())])
    [held] = case.attachments
    other, _ = new_case()
    db.session.commit()
    login(client, case.assignee.username)
    assert client.get(f"/officer/cases/{case.id}/files/{held.id}?preview=1").status_code == 404
    login(client, other.assignee.username)
    if other.assignee_id != case.assignee_id:
        assert client.get(f"/officer/cases/{case.id}/files/{held.id}").status_code == 404
    assert client.get(f"/officer/cases/{other.id}/files/{held.id}?preview=1").status_code == 404


def test_a_file_lost_from_storage_is_not_found_not_an_error(client, demo, db, app):
    from survey.services.attachments import storage_dir

    case, _ = new_case()
    attachment = store(case, "mất.pdf", PDF, from_citizen=True)
    db.session.commit()
    (storage_dir() / attachment.stored_name).unlink()
    login(client, case.assignee.username)
    assert client.get(f"/officer/cases/{case.id}/files/{attachment.id}").status_code == 404


# ---- the custodian's held files ----------------------------------------------------------------

def test_custodian_previews_a_held_image_and_each_look_is_audited(client, demo, db):
    case, _ = new_case(CaseKind.DENUNCIATION, accused=user("canbo1"),
                       files=[("Ảnh hiện trường.png", png())])
    [held] = case.attachments
    login(client, "baomat")
    page = client.get(f"/officer/custody/cases/{case.id}").get_data(as_text=True)
    assert "Ảnh PNG" in page and "image/png" not in page
    base = f"/officer/custody/cases/{case.id}/files/{held.id}"
    shown = client.get(f"{base}?preview=1")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert filename_star(shown.headers["Content-Disposition"]) == "Ảnh hiện trường.png"
    assert shown.headers["Content-Security-Policy"].startswith("sandbox;")
    saved = client.get(base)
    assert saved.headers["Content-Disposition"].startswith('attachment; filename="Anh hien truong.png"')
    looks = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "held_file_viewed"))
    assert len(looks.all()) == 2
