"""Receipt codes (no look-alike symbols, old codes still read) and the receipt PDF (pure)."""

import math
import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st

from survey.render import receipt_pdf
from survey.rules import receipts

OLD_CODE = "0S5O-1ILU-ABCD-EF01-2345"  # an old Crockford code, typed with look-alikes
OLD_CANONICAL = "0S50-111V-ABCD-EF01-2345"


def test_new_codes_have_no_look_alike_symbols_and_about_96_bits():
    assert len(receipts.ALPHABET) == 28 and not set(receipts.ALPHABET) & set("015SOILU")
    assert set(receipts.ALPHABET) < set(receipts.CROCKFORD)
    assert receipts.LENGTH * math.log2(len(receipts.ALPHABET)) > 96
    for _ in range(200):
        code = receipts.new_code()
        assert re.fullmatch(r"[2346789A-HJKMNP-RTV-Z]{4}(-[2346789A-HJKMNP-RTV-Z]{4}){4}", code)


@given(st.data())
def test_a_new_code_survives_case_spaces_and_dashes(data):
    code = receipts.new_code()
    sloppy = data.draw(st.sampled_from([code.lower(), code.replace("-", " "),
                                        code.replace("-", ""), f"  {code.lower()} ",
                                        code.replace("-", " - ")]))
    assert receipts.normalise(sloppy) == code


def test_codes_issued_before_still_read_with_the_old_confusions_forgiven():
    assert receipts.normalise(OLD_CODE) == OLD_CANONICAL
    assert receipts.normalise(OLD_CANONICAL.lower().replace("-", "")) == OLD_CANONICAL
    assert receipts.digest(receipts.normalise(OLD_CODE)) == receipts.digest(OLD_CANONICAL)


@pytest.mark.parametrize("typed", ["", "ABCD", "ÁBCD-EFGH-JKMN-PQRT-VWXY", "ABCD-EFGH-JKMN-PQRT-VWX!",
                                   "ABCD-EFGH-JKMN-PQRT-VWXYZ", "\x00" * 20])
def test_what_cannot_be_a_code_is_refused(typed):
    assert receipts.normalise(typed) is None


def test_groups_split_a_code_as_printed():
    assert receipts.groups("ABCD-EFGH-JKMN-PQRT-VWXY") == ["ABCD", "EFGH", "JKMN", "PQRT", "VWXY"]


def sample(code: str) -> receipt_pdf.Receipt:
    return receipt_pdf.Receipt(
        title="Giấy biên nhận đơn", code_label="Mã tiếp nhận", code=code,
        facts=[("Loại", "Khiếu nại"), ("Tiêu đề", "Hồ sơ bị trả lại không rõ lý do " * 4),
               ("Ngày tiếp nhận", "05/12/2026")],
        deadlines_heading="Thời hạn", deadlines_header=("Bước", "Hạn", "Căn cứ pháp lý"),
        deadlines=[("Thụ lý hoặc từ chối thụ lý", "19/12/2026", "Điều 27 Luật Khiếu nại 2011")],
        track_text="Theo dõi vụ việc tại:", track_url="https://hailong.ninhbinh.gov.vn/track",
        notes=["Giữ mã này cẩn thận."], footer="In ngày 05/12/2026")


@pytest.mark.parametrize(("size", "width_mm"), [("A4", 210), ("A5", 148)])
def test_the_receipt_pdf_holds_the_code_the_deadlines_and_a_qr_of_the_tracking_address(
        size, width_mm):
    code = receipts.new_code()
    pdf = pdfium.PdfDocument(receipt_pdf.render(sample(code), size))
    assert len(pdf) == 1 and round(pdf[0].get_width() / 72 * 25.4) == width_mm
    text = pdf[0].get_textpage().get_text_range()
    assert code in text and "19/12/2026" in text and "Điều 27 Luật Khiếu nại 2011" in text
    assert "https://hailong.ninhbinh.gov.vn/track" in text
    [qr] = zxingcpp.read_barcodes(pdf[0].render(scale=3).to_pil())
    assert qr.text == "https://hailong.ninhbinh.gov.vn/track"


def test_an_unknown_paper_size_is_refused():
    with pytest.raises(ValueError):
        receipt_pdf.render(sample(receipts.new_code()), "Letter")
