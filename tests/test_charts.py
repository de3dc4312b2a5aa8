"""Server-drawn SVG charts: well-formed, accessible, escaped, greyscale, and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from survey.render.charts import ChartText, distribution_chart, ranking_chart, trend_chart

NS = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert('x')</script> & co"
SCALE = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))  # noqa: S314 (our own output, parsed to check it)


def find(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(NS + tag)
    return [e for e in found if cls is None or cls in e.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return [e.text for e in find(root, "text")]


def plot(root: ET.Element) -> tuple[float, float, float, float]:
    (area,) = find(root, "rect", "plot")
    return tuple(float(area.get(k)) for k in ("x", "y", "width", "height"))


def trend(**options):
    points = [("2027-01", 80.0, (75.0, 85.0), 120), ("2027-02", 82.5, (78.0, 86.0), 110),
              ("2027-03", None, None, 0), ("2027-04", 70.0, (60.0, 79.0), 25),
              ("2027-05", 75.0, (70.0, 80.0), 90), ("2027-06", 77.0, (72.0, 81.0), 95)]
    return trend_chart(points, title="Index by month", y_label="Index (%)", **options)


def ranking(**options):
    rows = [("Unit A", 100.0, (95.0, 100.0), 300), ("Unit B", 50.0, (40.0, 60.0), 80),
            ("Unit C", 25.0, None, 12), ("Unit D", None, None, 0)]
    return ranking_chart(rows, title="Units", **options)


def distribution(**options):
    rows = [("A1", {1: 5, 2: 5, 3: 10, 4: 50, 5: 20, None: 10}), ("A2", {})]
    return distribution_chart(rows, SCALE, title="Answers", **options)


ALL = (trend, ranking, distribution)


@pytest.mark.parametrize("draw", ALL)
def test_each_chart_is_a_standalone_svg_image_named_by_its_title_and_desc(draw):
    root = parse(draw())
    assert root.tag == NS + "svg" and root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+(\.\d)?", root.get("viewBox"))
    assert root.get("width") is None  # the page's stylesheet sizes it: responsive
    (title,) = find(root, "title")
    (desc,) = find(root, "desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert title.text and desc.text
    assert "system-ui" in root.get("font-family")


@pytest.mark.parametrize("draw", ALL)
def test_no_style_attribute_no_script_and_text_of_11px_or_more(draw):
    svg = str(draw())
    assert not re.search(r"\sstyle=|<style|<script|javascript:", svg)
    root = parse(draw())
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
    assert sizes and min(sizes) >= 11


@pytest.mark.parametrize("draw", ALL)
def test_every_colour_is_a_grey(draw):
    colours = re.findall(r'(?:fill|stroke)="#([0-9a-f]{6})"', str(draw()))
    assert colours
    for colour in colours:
        assert colour[0:2] == colour[2:4] == colour[4:6], colour


def test_labels_and_titles_are_escaped():
    charts = [
        trend_chart([(EVIL, 50.0, None, 40)], title=EVIL, y_label=EVIL),
        ranking_chart([(EVIL, 50.0, (40.0, 60.0), 40)], title=EVIL, reference=50.0,
                      reference_label=EVIL),
        distribution_chart([(EVIL, {1: 1})], [EVIL] * 5, title=EVIL, no_opinion_label=EVIL,
                           chart_id='x" onload="alert(1)'),
    ]
    for svg in charts:
        assert "<script" not in str(svg)
        root = parse(svg)  # still well-formed
        assert find(root, "title")[0].text == EVIL
        assert any(t and EVIL in t for t in texts(root))
        assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)


def test_a_lazy_string_is_escaped_too():
    from flask_babel import lazy_gettext

    svg = ranking_chart([(lazy_gettext("<b>bold</b>"), 10.0, None, 40)], title="t")
    assert "<b>" not in str(svg) and "&lt;b&gt;" in str(svg)


def test_ranking_bars_are_drawn_to_scale_in_the_given_order():
    root = parse(ranking())
    left, _top, width, _height = plot(root)
    bars = find(root, "rect", "bar")
    assert [float(b.get("width")) / width for b in bars] == pytest.approx([1.0, 0.5, 0.25])
    assert all(float(b.get("x")) == left for b in bars)
    assert [float(b.get("y")) for b in bars] == sorted(float(b.get("y")) for b in bars)
    whiskers = find(root, "line", "whisker")
    assert len(whiskers) == 2  # Unit C has no interval
    assert float(whiskers[1].get("x1")) == pytest.approx(left + 0.4 * width, abs=0.1)
    assert float(whiskers[1].get("x2")) == pytest.approx(left + 0.6 * width, abs=0.1)
    assert [t for t in texts(root) if t in ("Unit A", "Unit B", "Unit C", "Unit D")] == \
        ["Unit A", "Unit B", "Unit C", "Unit D"]
    assert "No data" in texts(root)


def test_ranking_reference_line_and_small_samples():
    root = parse(ranking(reference=75.0, reference_label="Overall", minimum_sample=30))
    left, _top, width, _height = plot(root)
    (line,) = find(root, "line", "reference")
    assert float(line.get("x1")) == pytest.approx(left + 0.75 * width, abs=0.1)
    assert "Overall: 75" in texts(root)
    small = find(root, "rect", "small")
    assert len(small) == 1 and small[0].get("fill") == "#ffffff"  # Unit C, n = 12
    assert "fewer than 30 responses" in texts(root)
    assert "fewer than 30 responses" not in texts(parse(ranking()))


@given(st.floats(0, 100))
def test_a_bar_is_its_share_of_the_plot_width(value):
    root = parse(ranking_chart([("u", value, None, 40)], title="t"))
    _left, _top, width, _height = plot(root)
    (bar,) = find(root, "rect", "bar")
    assert float(bar.get("width")) == pytest.approx(value / 100 * width, abs=0.1)


def test_trend_has_a_gap_where_a_month_has_no_value():
    root = parse(trend())
    lines = find(root, "polyline", "line")
    assert [len(line.get("points").split()) for line in lines] == [2, 3]
    bands = find(root, "polygon", "band")
    assert len(bands) == 2
    markers = find(root, "circle", "marker")
    assert len(markers) == 5
    xs = [float(m.get("cx")) for m in markers]
    left, _top, width, _height = plot(root)
    step = width / 6
    assert xs == pytest.approx([left + (i + 0.5) * step for i in (0, 1, 3, 4, 5)], abs=0.1)
    assert [t for t in texts(root) if t.startswith("2027-")] == [f"2027-0{m}" for m in range(1, 7)]


def test_trend_values_and_band_follow_the_y_axis():
    root = parse(trend_chart([("2027-01", 9.0, (6.0, 12.0), 40)], title="Decree 61",
                             y_label="Points", y_max=18))
    _left, top, _width, height = plot(root)
    (marker,) = find(root, "circle", "marker")
    assert float(marker.get("cy")) == pytest.approx(top + height / 2, abs=0.1)
    ys = [float(p.split(",")[1]) for p in find(root, "polygon", "band")[0].get("points").split()]
    assert min(ys) == pytest.approx(top + height / 3, abs=0.1)  # 12 of 18
    assert max(ys) == pytest.approx(top + 2 * height / 3, abs=0.1)  # 6 of 18
    assert {"0", "3", "6", "9", "12", "15", "18"} <= set(texts(root))


def test_trend_marks_small_samples_and_says_no_data_when_empty():
    root = parse(trend(minimum_sample=30))
    (small,) = find(root, "circle", "small")  # April, n = 25
    assert small.get("fill") == "#ffffff"
    empty = parse(trend_chart([("2027-01", None, None, 0)], title="t", y_label="y"))
    assert "No data" in texts(empty) and not find(empty, "polyline")


def test_distribution_segments_are_shares_of_the_bar():
    root = parse(distribution())
    left, _top, width, _height = plot(root)
    segments = find(root, "rect", "segment")
    assert len(segments) == 6
    widths = [float(s.get("width")) / width for s in segments]
    assert widths == pytest.approx([0.05, 0.05, 0.10, 0.50, 0.20, 0.10], abs=1e-3)
    starts = [float(s.get("x")) for s in segments]
    assert starts[0] == left and starts[4] == pytest.approx(left + 0.7 * width, abs=0.1)
    assert float(segments[-1].get("x")) + float(segments[-1].get("width")) == \
        pytest.approx(left + width, abs=0.1)
    assert {"50%", "20%", "10%"} <= set(texts(root))
    assert "n = 100" in texts(root) and "No data" in texts(root)


def test_distribution_no_opinion_is_hatched_and_every_category_is_in_the_legend():
    root = parse(distribution(chart_id="answers"))
    (pattern,) = find(root, "pattern")
    assert pattern.get("id") == "answers-hatch"
    assert find(root, "rect", "segment")[-1].get("fill") == "url(#answers-hatch)"
    assert set(SCALE) | {"No opinion"} <= set(texts(root))
    fills = [s.get("fill") for s in find(root, "rect", "segment")]
    assert len(set(fills)) == 6  # six distinct greys or patterns


def test_distribution_takes_named_values_and_counts_read_from_json():
    svg = distribution_chart([("c1", {"0": 1, "1": 1, "2": 2})], {0: "0 points", 1: "1 point",
                                                                  2: "2 points"},
                             title="Decree 61", no_opinion=False)
    root = parse(svg)
    assert [float(s.get("width")) for s in find(root, "rect", "segment")] == \
        pytest.approx([plot(root)[2] * f for f in (0.25, 0.25, 0.5)])
    assert not find(root, "pattern") and "No opinion" not in texts(root)


def test_charts_get_distinct_ids_unless_given_one():
    first, second = parse(distribution()), parse(distribution_chart([("B", {5: 1})], SCALE,
                                                                    title="Answers"))
    assert first.get("id") != second.get("id")
    assert parse(trend(chart_id="trend-1")).get("id") == "trend-1"
    assert parse(trend()).get("id") == parse(trend()).get("id")  # stable between renders


def test_numbers_follow_the_locale():
    rows, vi = [("u", 88.25, (80.5, 92.0), 40)], ChartText(locale="vi")
    vietnamese = texts(parse(ranking_chart(rows, title="t", reference=85.5,
                                           reference_label="Toàn tỉnh", text=vi)))
    shares = texts(parse(distribution_chart([("q", {4: 1, 5: 2})], SCALE, title="t", text=vi)))
    assert "88,2" in vietnamese and "Toàn tỉnh: 85,5" in vietnamese
    assert "67%" in shares
    english = texts(parse(ranking_chart(rows, title="t")))
    assert "88.2" in english
    custom = texts(parse(ranking_chart(rows, title="t", fmt=lambda v: f"[{v:.2f}]")))
    assert "[88.25]" in custom and "[100.00]" in custom


def test_words_come_translated_from_the_caller(tmp_path):
    from flask_babel import get_locale, gettext

    from survey import create_app
    from tests.conftest import make_config

    app = create_app(make_config(f"sqlite:///{tmp_path / 'charts.db'}"))
    rows = [("u", 88.25, (80.5, 92.0), 12), ("v", None, None, 0)]
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        text = ChartText().translated(gettext, str(get_locale()))
        assert text.locale == "vi"
        shown = texts(parse(ranking_chart(rows, title="t", minimum_sample=30, text=text)))
        legend = texts(parse(trend(minimum_sample=30, text=text)))
    english = texts(parse(ranking_chart(rows, title="t", minimum_sample=30)))
    assert "No data" in english and "fewer than 30 responses" in english
    assert "No data" not in shown and gettext_vi(app, "No data") in shown
    assert gettext_vi(app, "fewer than %(minimum)s responses", minimum=30) in shown
    assert gettext_vi(app, "%(level)s interval", level="95%") in legend


def gettext_vi(app, msgid: str, **values) -> str:
    from flask_babel import gettext

    with app.test_request_context(headers={"Accept-Language": "vi"}):
        return gettext(msgid, **values)
