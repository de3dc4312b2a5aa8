"""Personal data in free-text comments is masked; ordinary numbers are left alone."""

from __future__ import annotations

import pytest

from survey.rules.masking import EMAIL_TAG, ID_TAG, PHONE_TAG, mask_personal_data


@pytest.mark.parametrize("phone", [
    "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "091 234 5678",
    "0387654321", "0868 123 456", "0703.123.456", "0523 456 789",
    "+84 912 345 678", "+84912345678", "84912345678", "+84-912-345-678",
    "024 3825 1234", "0243.825.1234", "(024) 3825 1234", "0283 8221 234", "+84 24 3825 1234",
])
def test_phone_numbers_in_their_usual_forms_are_masked(phone):
    assert mask_personal_data(f"Xin gọi lại cho tôi theo số {phone} nhé.") == (
        f"Xin gọi lại cho tôi theo số {PHONE_TAG} nhé.")


def test_a_realistic_comment_keeps_its_sentence_and_loses_phone_email_and_id():
    comment = ("Cán bộ hẹn 3 lần vẫn chưa trả hồ sơ. Tôi là Nguyễn Văn An, CCCD 001203004567, "
               "SĐT 0912.345.678, email an.nguyen@gmail.com, mong được phản hồi.")

    assert mask_personal_data(comment) == (
        f"Cán bộ hẹn 3 lần vẫn chưa trả hồ sơ. Tôi là Nguyễn Văn An, CCCD {ID_TAG}, "
        f"SĐT {PHONE_TAG}, email {EMAIL_TAG}, mong được phản hồi.")


@pytest.mark.parametrize("number", ["123456789", "001203004567", "079088001234"])
def test_cmnd_and_cccd_numbers_are_masked(number):
    assert mask_personal_data(f"Số giấy tờ: {number}.") == f"Số giấy tờ: {ID_TAG}."


@pytest.mark.parametrize("address", ["an.nguyen@gmail.com", "tran_thi.b+hs@vnpt.vn",
                                     "lienhe@ninhbinh.gov.vn"])
def test_email_addresses_are_masked(address):
    assert mask_personal_data(f"Liên hệ {address} giúp tôi") == f"Liên hệ {EMAIL_TAG} giúp tôi"


@pytest.mark.parametrize("text", [
    "Nộp hồ sơ ngày 20/12/2026, hẹn trả ngày 02/01/2027.",
    "Lệ phí 500.000 đồng, phí thẩm định 1.500.000đ và 150.000 VNĐ.",
    "Thủ tục 1.004227 và 2.001234 giải quyết đúng hạn.",
    "Mã hồ sơ 000.00.12.H42-260301-0001, quầy số 3, lúc 9 giờ 30.",
    "Hẹn ngày 02.03.2026, năm 2026 đã làm 12 thủ tục, chờ 45 phút.",
    "Tổng số tiền 12.500.000.000 đồng.",
])
def test_dates_amounts_procedure_codes_and_dossier_codes_are_not_masked(text):
    assert mask_personal_data(text) == text


def test_a_number_right_after_a_phone_number_survives():
    assert mask_personal_data("Gọi 0912 345 678 9 giờ sáng") == f"Gọi {PHONE_TAG} 9 giờ sáng"


def test_two_phone_numbers_side_by_side_are_both_masked():
    assert mask_personal_data("ĐT: 0912345678 - 0987654321") == f"ĐT: {PHONE_TAG} - {PHONE_TAG}"


def test_too_short_or_too_long_digit_runs_are_not_phone_numbers():
    assert mask_personal_data("Số 091234567 hay 09123456789?") == f"Số {ID_TAG} hay 09123456789?"


@pytest.mark.parametrize("empty", [None, ""])
def test_no_text_stays_as_it_is(empty):
    assert mask_personal_data(empty) == empty
