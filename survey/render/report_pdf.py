"""A report document (title, sections of paragraphs and tables) and its A4 PDF: bytes out.

The document holds text already translated and numbers already formatted, so the same document
makes the printable web page and the PDF; this module only lays it out (no Flask). DejaVu Sans
carries every Vietnamese diacritic; each section after the first starts a page, tables repeat
their heading row on a new page, and each page ends with the generation date and its number.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from survey.config import RESOURCE_ROOT

FONT_DIR = RESOURCE_ROOT / "static" / "fonts"
FONT = "DejaVu"
HEADING_FILL = (225, 230, 238)
PAGE_ALIAS = "{nb}"  # fpdf2 replaces it with the page count when the file is written


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # a remark or warning, set smaller
    kind: str = "paragraph"


@dataclass(frozen=True)
class Subheading:
    text: str
    kind: str = "subheading"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    widths: tuple[float, ...] = ()  # relative column widths; the first column wider by default
    strong: frozenset[int] = frozenset()  # indices of rows set in bold (elements, totals)
    left: frozenset[int] = frozenset({0})  # columns of text, aligned left; the rest are numbers
    kind: str = "table"


Block = Paragraph | Subheading | Table


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    lines: list[str]  # under the title: unit, period, status
    sections: list[Section]
    generated: str  # "Generated on …", shown on every page
    page_label: str = "{page} / {nb}"  # "{page}" and "{nb}" are replaced by the numbers


@functools.cache
def _pdf_class():
    """The FPDF subclass, made on first use: importing fpdf2 takes a third of a second."""
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def __init__(self, document: Document) -> None:
            super().__init__(orientation="P", unit="mm", format="A4")
            self.document = document
            self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.set_margins(18, 16, 18)
            self.set_auto_page_break(True, margin=18)
            self.alias_nb_pages(PAGE_ALIAS)
            self.set_title(document.title)
            self.set_creator("survey")

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font(FONT, "", 8)
            self.set_text_color(80)
            self.cell(self.epw / 2, 5, self.document.generated, align="L")
            self.cell(self.epw / 2, 5, self.document.page_label.replace(
                "{page}", str(self.page_no())), align="R")
            self.set_text_color(0)

    return ReportPDF


def _text(pdf, text: str, size: float, style: str = "", align: str = "L", height: float = 5.5,
          after: float = 1.5) -> None:
    pdf.set_font(FONT, style, size)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(pdf.epw, height, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(after)


def _table(pdf, table: Table) -> None:
    from fpdf import FontFace

    if table.caption:
        _text(pdf, table.caption, 9.5, "B", after=0.5)
    columns = len(table.header)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(col_widths=table.widths or (3.0,) + (1.0,) * (columns - 1), width=pdf.epw,
                   line_height=4.6,
                   text_align=tuple("LEFT" if i in table.left else "RIGHT" for i in range(columns)),
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
                   repeat_headings=1, padding=1) as grid:
        grid.row(table.header)
        bold = FontFace(emphasis="BOLD")
        for number, cells in enumerate(table.rows):
            row = grid.row()
            for text in cells:
                row.cell(text, style=bold if number in table.strong else None)
    pdf.ln(3)


def render(document: Document) -> bytes:
    """Lay the document out on A4 pages and return the PDF."""
    pdf = _pdf_class()(document)
    pdf.add_page()
    _text(pdf, document.title, 16, "B", align="C", height=8, after=2)
    for line in document.lines:
        _text(pdf, line, 11, align="C", after=0.5)
    pdf.ln(4)
    for number, section in enumerate(document.sections):
        if number:
            pdf.add_page()
        _text(pdf, section.heading, 13, "B", height=7, after=2)
        for block in section.blocks:
            if isinstance(block, Table):
                _table(pdf, block)
            elif isinstance(block, Subheading):
                pdf.ln(1)
                _text(pdf, block.text, 11, "B", height=6)
            else:
                _text(pdf, block.text, 8.5 if block.note else 10, height=4.5 if block.note else 5.5)
    return bytes(pdf.output())
