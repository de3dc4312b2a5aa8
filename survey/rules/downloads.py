"""Headers that hand a stored file to a browser: its name, and whether it may open in a tab.

Pure (no Flask): a file name in, header values out. A name comes from a citizen's upload, so it is
hostile input: path parts, control and bidirectional-override characters and quotes are removed,
and the extension always matches what the bytes really are (a PDF named ``photo.exe`` downloads as
``photo.exe.pdf``), so the saved file opens in the right program.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# The extensions of the types the upload check lets in (services/attachments.py), the usual first.
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
}
# What a browser may show in a tab: only the checked types, never anything that runs script.
PREVIEWABLE = frozenset(EXTENSIONS)
MAX_NAME = 150  # characters; file systems stop at 255 bytes and a Vietnamese letter takes up to 3
# A preview is a document of its own with no script, no same origin, nothing fetched but itself.
# style-src 'unsafe-inline' lets Chromium's image viewer centre the image (its own inline style).
PREVIEW_POLICY = ("sandbox; default-src 'none'; img-src 'self'; object-src 'self'; "
                  "style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
                  "form-action 'none'")
_PATH_SEPARATORS = re.compile(r"[/\\]")
_RESERVED = re.compile(r'[<>:"|?*]')  # not allowed in Windows file names
_SPACES = re.compile(r"\s+")
# RFC 8187 attr-char besides letters and digits: everything else is percent-encoded.
_ATTR_CHARS = "!#$&+-.^_`|~"
_FALLBACK_CHARS = re.compile(r"[^A-Za-z0-9 ._()\[\]+,!#$&'-]")


def clean_name(name: str) -> str:
    """Return the last path part of ``name`` without control characters, quotes or leading dots."""
    name = unicodedata.normalize("NFC", name)
    name = _PATH_SEPARATORS.split(name)[-1]
    # Category C: controls, format characters (U+202E can make "gpj.exe" look like "exe.jpg"),
    # private-use, unassigned and lone surrogates.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _RESERVED.sub("_", name)
    return _SPACES.sub(" ", name).strip(" .")


def download_name(original: str, content_type: str, fallback: str) -> str:
    """The name to save the file as: the original, cleaned, with the extension of its type."""
    name = clean_name(original) or fallback
    extensions = EXTENSIONS.get(content_type, ())
    stem, dot, extension = name.rpartition(".")
    if extensions and not (dot and stem and f".{extension.lower()}" in extensions):
        stem, extension = name, extensions[0][1:]
    elif not dot or not stem:
        return name[:MAX_NAME]
    return f"{stem[:MAX_NAME - len(extension) - 1].rstrip(' .')}.{extension}"


def ascii_name(name: str) -> str:
    """An ASCII stand-in for old clients: "Đơn khiếu nại.pdf" becomes "Don khieu nai.pdf"."""
    name = name.replace("đ", "d").replace("Đ", "D")  # no decomposition takes the bar off
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(ch))
    return _FALLBACK_CHARS.sub("_", plain)


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with an ASCII ``filename`` and, if needed, an RFC 6266
    ``filename*`` in UTF-8 that keeps the real name."""
    fallback = ascii_name(name)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value


def is_previewable(content_type: str) -> bool:
    return content_type in PREVIEWABLE


def file_headers(name: str, content_type: str, *, preview: bool = False) -> dict[str, str]:
    """The headers of a stored file: a download, or a sandboxed preview of a checked type."""
    inline = preview and is_previewable(content_type)
    headers = {"Content-Disposition": content_disposition(name, inline=inline),
               "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if inline:
        headers["Content-Security-Policy"] = PREVIEW_POLICY
    return headers
