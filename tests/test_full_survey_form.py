"""The full SIPAS form reads top to bottom: the required question first, each scale in one
column, "no opinion" apart, optional criteria said to be optional, and errors summed up at the top.
The quick form keeps its five faces."""

import re

import pytest

from tests.conftest import first_counter, submit_survey

SCALE = ["1", "2", "3", "4", "5"]


def fieldsets(html: str) -> list[str]:
    return re.findall(r'<fieldset id="fs-q_[^"]+".*?</fieldset>', html, re.S)


def code_of(fieldset: str) -> str:
    return re.match(r'<fieldset id="fs-q_([^"]+)"', fieldset).group(1)


@pytest.fixture
def full(client, demo, db):
    return f"/s/{first_counter(db).survey_code}/full"


def test_the_required_overall_question_comes_first(client, full):
    html = client.get(full).get_data(as_text=True)
    codes = [code_of(f) for f in fieldsets(html)]
    assert codes[0] == "overall" and codes[1:3] == ["A1", "A2"] and len(codes) == 23
    assert html.index('id="fs-q_overall"') < html.index('class="element"')


def test_each_scale_is_one_column_in_order_with_no_opinion_set_apart_below(client, full):
    for fieldset in fieldsets(client.get(full).get_data(as_text=True))[1:]:
        scale = re.search(r'<div class="opts scale">(.*?)</div>', fieldset, re.S).group(1)
        assert re.findall(r'value="([^"]+)"', scale) == SCALE
        assert "Rất không hài lòng" in scale and 'value="na"' not in scale
        apart = re.search(r'<div class="opts apart">(.*?)</div>', fieldset, re.S).group(1)
        assert 'value="na"' in apart and "Không ý kiến" in apart
        assert fieldset.index("opts scale") < fieldset.index("opts apart")


def test_the_stylesheet_puts_each_option_on_its_own_line(client):
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".scale .opt{flex:1 1 100%}" in css and ".faces .opt{flex:1 1 100%" in css


def test_the_22_criteria_say_they_are_optional_and_overall_is_required(client, full):
    found = fieldsets(client.get(full).get_data(as_text=True))
    legends = [re.search(r"<legend>(.*?)</legend>", f, re.S).group(1) for f in found]
    assert "không bắt buộc" not in legends[0] and 'aria-hidden="true">*' in legends[0]
    assert all("(không bắt buộc)" in legend for legend in legends[1:])
    assert len(legends[1:]) == 22


def test_errors_are_summed_up_at_the_top_with_a_link_to_each_field(client, full):
    reply = submit_survey(client, full, {"A1": "7", "B2": "4"})

    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary" id="errors"[^>]*>.*?</div>', html, re.S)
    assert summary and html.index('class="error-summary"') < html.index("<form")
    summary = summary.group(0)
    assert "Có 2 lỗi cần sửa" in summary
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert targets == ["fs-q_overall", "fs-q_A1"]
    for target in targets:
        assert f'id="{target}"' in html
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert re.search(r'<form method="post" action="#errors"', html)
    assert re.search(r'name="q_B2" value="4" checked', html)  # what was answered is kept


def test_the_error_summary_speaks_english_on_an_english_page(client, full):
    client.get(full + "?lang=en")
    reply = submit_survey(client, full, {})
    assert "There is 1 problem to fix" in reply.get_data(as_text=True)


def test_a_too_long_comment_is_in_the_summary_with_a_link_to_the_box(client, full):
    reply = submit_survey(client, full, {"overall": "4"}, comment="x" * 3000)
    summary = re.search(r'<div class="error-summary".*?</div>', reply.get_data(as_text=True),
                        re.S).group(0)
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["comment"]


def test_a_page_without_errors_has_no_summary(client, full):
    assert "error-summary" not in client.get(full).get_data(as_text=True)


def test_the_quick_form_keeps_its_five_faces(client, demo, db):
    html = client.get(f"/s/{first_counter(db).survey_code}").get_data(as_text=True)
    overall = fieldsets(html)[0]
    assert code_of(overall) == "overall"
    assert '<div class="opts faces">' in overall and overall.count('<svg class="face"') == 5
    assert "opts apart" not in html and "không bắt buộc" in html  # attitude says so itself


def test_the_quick_form_sums_up_its_error_too(client, demo, db):
    reply = submit_survey(client, f"/s/{first_counter(db).survey_code}", {"attitude": "3"})
    html = reply.get_data(as_text=True)
    assert "Có 1 lỗi cần sửa" in html and '<a href="#fs-q_overall">' in html
    assert html.count('<svg class="face"') == 10
