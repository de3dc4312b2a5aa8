"""QR codes and A4 posters from a URL: bytes out, no Flask.

Error correction M survives a scuffed or partly glared poster; a 150 mm code with its quiet zone
is read from well beyond 1.5 m (the usual rule is a tenth of the distance, 15 cm for 1.5 m).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

from survey.config import RESOURCE_ROOT

FONT_DIR = RESOURCE_ROOT / "static" / "fonts"
POSTER_QR_MM = 150
QUIET_ZONE = 4


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    return code


def version(url: str) -> int:
    """The QR version (size class) the URL needs; shorter URLs give bigger modules."""
    return _code(url).version


def png(url: str, box_size: int = 10) -> bytes:
    code = _code(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def svg(url: str) -> str:
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="unicode")


def svg_data_uri(url: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg(url).encode()).decode()


@dataclass(frozen=True)
class PosterInfo:
    url: str
    unit: str
    counter: str


class _Poster(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title("QR")
        self.set_creator("survey")

    def centred(self, text: str, size: float, style: str = "", height: float = 9) -> None:
        self.set_font("DejaVu", style, size)
        self.set_x(self.l_margin)
        self.multi_cell(self.epw, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def posters(items: list[PosterInfo]) -> bytes:
    """One black-and-white A4 page per counter: unit, counter, the QR code and the instructions."""
    pdf = _Poster()
    for item in items:
        pdf.add_page()
        pdf.set_y(14)
        pdf.centred(item.unit, 18, "B")
        pdf.centred(item.counter, 16)
        pdf.ln(3)
        pdf.centred("MỜI ÔNG/BÀ ĐÁNH GIÁ SỰ HÀI LÒNG", 22, "B", 11)
        pdf.centred("Rate our service", 15, "", 8)
        image = _code(item.url).make_image(fill_color="black", back_color="white").get_image()
        x = (pdf.w - POSTER_QR_MM) / 2
        pdf.image(image, x=x, y=pdf.get_y() + 3, w=POSTER_QR_MM, h=POSTER_QR_MM)
        pdf.set_y(pdf.get_y() + POSTER_QR_MM + 6)
        pdf.centred("Quét mã bằng camera điện thoại, trả lời trong 30 giây. "
                    "Không cần tài khoản, không hỏi tên hay số điện thoại.", 13, "", 7)
        pdf.centred("Scan with your phone camera and answer in 30 seconds. "
                    "No account, no name or phone number.", 11, "", 6)
        pdf.ln(2)
        pdf.centred(item.url, 12, "B", 7)
    return bytes(pdf.output())
