"""Mask personal data in free text: phone numbers, e-mail addresses and ID numbers (pure).

Each match is replaced as a whole by a bracketed Vietnamese tag ("[số điện thoại]", "[email]",
"[số CMND/CCCD]"): the sentence stays readable and says what was there, while no digit survives.
Partial masks such as "09•• ••• •78" were rejected: the kept digits plus the unit and the day of a
response can be enough to recognise a respondent in a small commune.

What is masked:
- mobile numbers 0[35789]x xxxx xxx (10 digits) and landlines 02xx xxxx xxx (11 digits), also
  written +84…/84… and grouped with spaces, dots, dashes or an area code in parentheses;
- e-mail addresses;
- ID numbers written as one run of digits: 9 (CMND) or 12 (CCCD, which starts with 0).
Dates (20/12/2026), amounts (500.000 đồng) and procedure codes (1.004227) are left alone: their
digits never form one of the shapes above.
"""

from __future__ import annotations

import re

PHONE_TAG = "[số điện thoại]"
EMAIL_TAG = "[email]"
ID_TAG = "[số CMND/CCCD]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digit groups joined by one separator each; "/" and "," are not separators, so dates and
# decimal numbers break into separate runs. Not glued to a digit, "/" or a decimal point before it.
GROUP = r"\+?\(?\d+\)?"
RUN = re.compile(rf"(?<![\d/,.]){GROUP}(?:[ .\-]{GROUP})*(?![\d/])")
GROUP_RE = re.compile(GROUP)
MOBILE = re.compile(r"(?:0|84)[35789]\d{8}")
LANDLINE = re.compile(r"(?:0|84)2\d{9}")
CMND = re.compile(r"\d{9}")
CCCD = re.compile(r"0\d{11}")


def mask_personal_data(text: str | None) -> str | None:
    """Return ``text`` with phone numbers, e-mail addresses and ID numbers replaced by tags."""
    if not text:
        return text
    text = EMAIL.sub(EMAIL_TAG, text)
    return RUN.sub(lambda match: _mask_run(match.group(0)), text)


def _tag_for(groups: list[str]) -> str | None:
    """Return the tag for these consecutive digit groups, or None if they are no such number."""
    digits = re.sub(r"\D", "", "".join(groups))
    if MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits):
        return PHONE_TAG
    # IDs only as one unbroken run: "500.000.000" is an amount, not a CMND.
    if len(groups) == 1 and groups[0].isdigit() and (CMND.fullmatch(digits)
                                                       or CCCD.fullmatch(digits)):
        return ID_TAG
    return None


def _mask_run(run: str) -> str:
    """Mask the longest number starting at each group, so "0912 345 678 9 giờ" keeps its "9"."""
    spans = [match.span() for match in GROUP_RE.finditer(run)]
    groups = [run[start:end] for start, end in spans]
    pieces: list[str] = []
    position, i = 0, 0
    while i < len(spans):
        for j in range(len(spans), i, -1):
            tag = _tag_for(groups[i:j])
            if tag:
                pieces.append(run[position:spans[i][0]] + tag)
                position, i = spans[j - 1][1], j
                break
        else:
            i += 1
    pieces.append(run[position:])
    return "".join(pieces)
