"""A case's printable receipt as an A4 or A5 PDF: bytes out, no Flask.

The receipt holds text already translated and dates already formatted; this module only lays it
out: the code in large type (its groups never split), the case's facts, the statutory deadlines,
the tracking address and a QR code of it. DejaVu Sans carries every Vietnamese diacritic.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from survey.render import qr
from survey.render.report_pdf import FONT, FONT_DIR, HEADING_FILL

SIZES = ("A4", "A5")
# Type sizes and margins per page size: A5 is a folded A4, so everything shrinks by about 0.8.
_SCALE = {"A4": 1.0, "A5": 0.8}
_MARGIN = {"A4": 18.0, "A5": 11.0}
QR_MM = {"A4": 38.0, "A5": 30.0}
# fpdf2 2.8.5 corrected A5 and warns on every use of the name; give the ISO size in mm instead.
_FORMAT: dict[str, str | tuple[float, float]] = {"A4": "A4", "A5": (148.0, 210.0)}


@dataclass(frozen=True)
class Receipt:
    title: str  # "Giấy biên nhận đơn"
    code_label: str  # "Mã biên nhận"
    code: str  # XXXX-XXXX-XXXX-XXXX-XXXX
    facts: list[tuple[str, str]]  # (label, value): kind, subject, office, date received…
    deadlines_heading: str
    deadlines_header: tuple[str, str, str]  # step, due, legal basis
    deadlines: list[tuple[str, str, str]]
    track_text: str  # "Follow the case at … with the receipt code"
    track_url: str
    notes: list[str] = field(default_factory=list)  # keep the code safe; shown once…
    footer: str = ""  # "Printed on …"


def _pdf(receipt: Receipt, size: str):
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format=_FORMAT[size])
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    margin = _MARGIN[size]
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin=margin)
    pdf.set_title(receipt.title)
    pdf.set_creator("survey")
    return pdf


def _line(pdf, text: str, size: float, style: str = "", align: str = "L",
          after: float = 1.5) -> None:
    pdf.set_font(FONT, style, size)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(pdf.epw, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(after)


def _code(pdf, receipt: Receipt, scale: float) -> None:
    _line(pdf, receipt.code_label, 11 * scale, align="C", after=1)
    size = 22 * scale
    pdf.set_font(FONT, "B", size)
    # The code fits one line on both sizes; if a font ever made it wider, it would wrap at the
    # dashes, never inside a group.
    pdf.set_x(pdf.l_margin)
    pdf.set_line_width(0.5)
    pdf.multi_cell(pdf.epw, size * 0.55, receipt.code, border=1, align="C", padding=3,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.2)
    pdf.ln(3)


def _facts(pdf, receipt: Receipt, scale: float) -> None:
    pdf.set_font(FONT, "", 10 * scale)
    with pdf.table(col_widths=(1, 2.4), width=pdf.epw, first_row_as_headings=False,
                   line_height=5.2 * scale, padding=1, borders_layout="HORIZONTAL_LINES") as grid:
        for label, value in receipt.facts:
            row = grid.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(3)


def _deadlines(pdf, receipt: Receipt, scale: float) -> None:
    from fpdf import FontFace

    if not receipt.deadlines:
        return
    _line(pdf, receipt.deadlines_heading, 11.5 * scale, "B", after=1)
    pdf.set_font(FONT, "", 9 * scale)
    with pdf.table(col_widths=(2.2, 1, 2.2), width=pdf.epw, line_height=4.6 * scale, padding=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL)) as grid:
        grid.row(list(receipt.deadlines_header))
        for cells in receipt.deadlines:
            grid.row(list(cells))
    pdf.ln(3)


def _tracking(pdf, receipt: Receipt, size: str, scale: float) -> None:
    side = QR_MM[size]
    if pdf.get_y() + side + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(qr.png(receipt.track_url, box_size=8)), x=pdf.l_margin, y=top,
              w=side, h=side)
    text_x = pdf.l_margin + side + 5
    pdf.set_xy(text_x, top + 2)
    pdf.set_font(FONT, "", 10 * scale)
    pdf.multi_cell(pdf.w - pdf.r_margin - text_x, 5 * scale, receipt.track_text,
                   new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 11 * scale)
    pdf.multi_cell(pdf.w - pdf.r_margin - text_x, 6 * scale, receipt.track_url,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + side) + 3)


def render(receipt: Receipt, size: str = "A4") -> bytes:
    """Lay the receipt out on one A4 or A5 page and return the PDF."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    scale = _SCALE[size]
    pdf = _pdf(receipt, size)
    pdf.add_page()
    _line(pdf, receipt.title, 16 * scale, "B", align="C", after=4)
    _code(pdf, receipt, scale)
    _facts(pdf, receipt, scale)
    _deadlines(pdf, receipt, scale)
    _tracking(pdf, receipt, size, scale)
    for note in receipt.notes:
        _line(pdf, note, 9 * scale, after=1)
    if receipt.footer:
        _line(pdf, receipt.footer, 8 * scale, align="R", after=0)
    return bytes(pdf.output())
