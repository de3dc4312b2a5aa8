"""The forgiving search over short pick lists: marks and case do not matter."""

import unicodedata

import pytest

from survey.rules.text_match import fold, matches


@pytest.mark.parametrize(("text", "folded"), [
    ("Đăng ký KẾT HÔN", "dang ky ket hon"),
    ("Cấp giấy phép xây dựng", "cap giay phep xay dung"),
    ("ĐIỀU CHỈNH", "dieu chinh"),
    ("Hộ tịch", "ho tich"),
    ("1.001193", "1.001193"),
])
def test_fold_drops_marks_and_case(text, folded):
    assert fold(text) == folded


def test_decomposed_input_folds_like_composed():
    typed = unicodedata.normalize("NFD", "Giấy Phép")
    assert fold(typed) == fold("giấy phép") == "giay phep"


@pytest.mark.parametrize("query", [
    "cap giay phep", "CẤP GIẤY", "giay   PHEP xay", "xây dựng", "1.0093", "", "  ", "giây phép",
])
def test_the_phrase_found_in_some_field(query):
    assert matches(query, "1.009300", "Cấp giấy phép xây dựng", "Xây dựng")


@pytest.mark.parametrize("query", ["kết hôn", "cap giay khai sinh", "xay dung cap", "1.0094"])
def test_words_out_of_order_or_missing_exclude(query):
    assert not matches(query, "1.009300", "Cấp giấy phép xây dựng", "Xây dựng")
