"""QR images and A4 posters (pure: bytes in, bytes out)."""

import io

import pypdfium2
import zxingcpp
from PIL import Image

from survey.render import qr

URL = "https://dichvucong.example.gov.vn/s/abc234"
MM_PER_INCH = 25.4


def decode(image: Image.Image) -> list:
    return zxingcpp.read_barcodes(image)


def test_png_decodes_to_the_url_with_medium_error_correction():
    [code] = decode(Image.open(io.BytesIO(qr.png(URL))))
    assert code.text == URL and code.ec_level == "M"


def test_short_survey_urls_keep_the_code_small():
    assert qr.version(URL) <= 3  # 29 modules a side at most


def render_poster(pdf: bytes, dpi: int) -> tuple[Image.Image, str]:
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    text = page.get_textpage().get_text_range()
    return page.render(scale=dpi / 72).to_pil(), text


def test_poster_names_the_unit_and_counter_and_reads_in_both_languages():
    pdf = qr.posters([qr.PosterInfo(URL, "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình",
                                    "Quầy 03 – Xây dựng")])
    _, text = render_poster(pdf, 72)
    assert "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình" in text
    assert "Quầy 03 – Xây dựng" in text
    assert "Quét mã bằng camera điện thoại" in text and "Scan with your phone camera" in text


def test_poster_code_is_big_enough_to_scan_from_a_metre_and_a_half():
    # A phone 1.5 m away sees an A4 page at about the detail of a 20 dpi scan; each module must
    # still cover several pixels. The code is 150 mm wide: ~4 mm per module for a version 3 code.
    modules = 17 + 4 * qr.version(URL) + 2 * qr.QUIET_ZONE
    assert qr.POSTER_QR_MM / modules >= 3.5
    image, _ = render_poster(qr.posters([qr.PosterInfo(URL, "Đơn vị", "Quầy")]), 20)
    [code] = decode(image.convert("L"))
    assert code.text == URL


def test_poster_is_black_and_white():
    image, _ = render_poster(qr.posters([qr.PosterInfo(URL, "Đơn vị", "Quầy")]), 30)
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    chromatic = sum(n for n, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 10)
    assert chromatic == 0


def test_one_pdf_page_per_counter():
    pdf = qr.posters([qr.PosterInfo(URL + str(i), "Đơn vị", f"Quầy {i}") for i in range(3)])
    assert len(pypdfium2.PdfDocument(pdf)) == 3
