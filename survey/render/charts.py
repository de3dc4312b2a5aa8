"""Charts drawn on the server as inline SVG: a monthly trend, a ranking, answer distributions.

Pure: data in, markup out. The words and the number format come in a ``ChartText`` (the
caller translates it, see ``ChartText.translated``), so this module needs no Flask-Babel and draws
the same outside a request.
Greyscale by design (they print on office printers): categories differ in lightness, the
"no opinion" share is hatched, and values are written on the chart. No ``style`` attribute (the
CSP forbids inline styles): presentation attributes only. The SVG is ``role="img"`` named by its
``<title>`` and described by its ``<desc>``; the page shows a table of the same data beside it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from babel.numbers import format_decimal, format_percent
from markupsafe import Markup, escape

Interval = tuple[float, float] | None
TrendPoint = tuple[str, float | None, Interval, int]  # month label, value, 95% interval, n
RankRow = tuple[str, float | None, Interval, int]  # label, value, 95% interval, n
Formatter = Callable[[float], str]

WIDTH = 640
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
TEXT, SMALL = 13, 11  # font sizes in px, 11 at least
INK, GREY, RULE, BAND = "#1a1a1a", "#595959", "#d0d0d0", "#c9c9c9"
# Answer values 1..5, light to dark (a greyscale ramp), with the text colour readable on each.
SCALE_FILLS = ("#f0f0f0", "#c8c8c8", "#969696", "#5e5e5e", "#262626")
SCALE_INKS = (INK, INK, INK, "#ffffff", "#ffffff")
CHAR = 0.58  # average glyph width in em, to lay out legends and short labels


def N_(msgid: str) -> str:  # noqa: N802 (the name pybabel extracts by default)
    """Mark a msgid for extraction; ``ChartText.translated`` translates it."""
    return msgid


@dataclass(frozen=True)
class ChartText:
    """The words of the charts and the locale of their numbers, in the reader's language.

    The defaults are the English msgids; ``translated`` passes each through the caller's gettext
    (untouched templates: this module fills in the ``%(name)s`` values).
    """

    locale: str = "en"
    no_data: str = N_("No data")
    no_opinion: str = N_("No opinion")
    interval: str = N_("%(level)s interval")
    small_sample: str = N_("fewer than %(minimum)s responses")
    n: str = N_("n = %(n)s")
    trend_desc: str = N_("%(count)s months from %(first)s to %(last)s, the last value %(value)s; "
                         "the shaded band is the 95%% interval. The table beside the chart gives "
                         "every value.")
    ranking_desc: str = N_("%(count)s rows, each a bar with its 95%% interval. The table beside "
                           "the chart gives every value.")
    distribution_desc: str = N_("For each of %(count)s questions, the share of each answer from "
                                "%(first)s to %(last)s. The table beside the chart gives every "
                                "value.")

    def translated(self, gettext: Callable[[str], str], locale: str) -> ChartText:
        """These texts through ``gettext`` (called without values), numbers in ``locale``."""
        words = {f.name: gettext(getattr(self, f.name)) for f in fields(self)
                 if f.name != "locale"}
        return replace(self, locale=locale, **words)


ENGLISH = ChartText()


def number(value: float, locale: str = "en") -> str:
    """The default value formatter: one decimal at most, the locale's decimal mark."""
    return format_decimal(value, format="#,##0.#", locale=locale)


def share(value: float, locale: str = "en") -> str:
    """The default share formatter for 0-100 values: a whole percent the locale's way."""
    return format_percent(value / 100, locale=locale)


def _n(value: float) -> str:
    return f"{round(value, 1):g}"


def _el(tag: str, content: object = None, **attrs: object) -> str:
    """One SVG element; every attribute value and text is escaped. ``class_`` is ``class``."""
    names = ((k.rstrip("_").replace("_", "-"), v) for k, v in attrs.items() if v is not None)
    shown = "".join(f' {k}="{escape(_n(v) if isinstance(v, float) else v)}"' for k, v in names)
    if content is None:
        return f"<{tag}{shown}/>"
    if isinstance(content, list):  # child elements, already built
        body = "".join(content)
    else:  # a lazy string's __html__ would skip escaping: only real Markup is trusted
        body = escape(content if isinstance(content, Markup) else str(content))
    return f"<{tag}{shown}>{body}</{tag}>"


def _text(x: float, y: float, content: object, size: int = SMALL, anchor: str = "start",
          **attrs: object) -> str:
    return _el("text", content, x=float(x), y=float(y), font_size=size, text_anchor=anchor,
               fill=attrs.pop("fill", INK), **attrs)


def _chart_id(chart_id: str | None, title: object, data: object) -> str:
    """The given id, or one derived from the chart (stable, unique unless the charts are equal)."""
    if chart_id:
        return chart_id
    digest = hashlib.sha1(repr((str(title), data)).encode(), usedforsecurity=False)
    return "chart-" + digest.hexdigest()[:10]


def _svg(cid: str, height: float, title: object, desc: object, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {WIDTH} {_n(height)}" aria-labelledby="{escape(cid)}-title" '
            f'aria-describedby="{escape(cid)}-desc" font-family="{escape(FONT)}" '
            f'font-size="{SMALL}" id="{escape(cid)}">')
    parts = [head, _el("title", title, id=f"{cid}-title"), _el("desc", desc, id=f"{cid}-desc"),
             *body]
    return Markup("".join(parts) + "</svg>")  # noqa: S704 (_el escaped every text)


def _interval_label(text: ChartText) -> str:
    """ "95% interval", with the percent written the locale's way."""
    return text.interval % {"level": format_percent(0.95, locale=text.locale)}


def _ticks(top: float, count: int = 6) -> list[float]:
    """Round tick values from 0 to ``top``: at most ``count`` steps of 1, 2, 2.5, 3 or 5 × 10^k."""
    if top <= 0:
        return [0.0]
    base = 10 ** math.floor(math.log10(top / count))
    step = next(m * base for m in (1, 2, 2.5, 3, 5, 10, 20) if top / (m * base) <= count)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def _legend(items: list[tuple[str, str]], y: float, x: float = 0.0) -> tuple[list[str], float]:
    """Swatches (already drawn SVG, 14×14 at the origin) with their labels, wrapping; end y."""
    parts, left = [], x
    for swatch, label in items:
        width = 22 + len(str(label)) * SMALL * CHAR + 16
        if left + width > WIDTH and left > x:
            left, y = x, y + 20
        parts.append(f'<g transform="translate({_n(left)},{_n(y - 11)})">{swatch}</g>')
        parts.append(_text(left + 20, y, label))
        left += width
    return parts, y


def _runs(flags: Sequence[bool]) -> list[list[int]]:
    """Indices grouped into runs of consecutive True flags."""
    runs: list[list[int]] = []
    for i, flag in enumerate(flags):
        if flag and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif flag:
            runs.append([i])
    return runs


def _polygon(corners: list[tuple[float, float]], **attrs: object) -> str:
    return _el("polygon", points=" ".join(f"{_n(a)},{_n(b)}" for a, b in corners), **attrs)


def _legend_items(first: tuple[str, str], small: str, rows: Sequence[TrendPoint | RankRow],
                  minimum: int, text: ChartText) -> list[tuple[str, str]]:
    """The interval entry, and the small-sample one when a shown row is below ``minimum``."""
    items = [first]
    if minimum and any(r[1] is not None and (r[3] or 0) < minimum for r in rows):
        items.append((small, text.small_sample % {"minimum": minimum}))
    return items


def _formatter(fmt: Formatter | None, default: Callable[[float, str], str],
               text: ChartText) -> Formatter:
    return fmt if fmt is not None else (lambda value: default(value, text.locale))


def trend_chart(points: Sequence[TrendPoint], *, title: str, y_label: str,
                y_max: float = 100.0, fmt: Formatter | None = None, minimum_sample: int = 0,
                desc: str | None = None, chart_id: str | None = None,
                text: ChartText = ENGLISH) -> Markup:
    """A line with markers over months, a shaded 95% interval band, and gaps where no value.

    Points are (month label, value or None, (low, high) or None, n), the y axis runs from 0 to
    ``y_max``; points with ``n`` below ``minimum_sample`` get a hollow marker.
    """
    fmt = _formatter(fmt, number, text)
    cid = _chart_id(chart_id, title, points)
    left, right, top, bottom = 44.0, 12.0, 32.0, 240.0
    plot_w = WIDTH - left - right
    step = plot_w / max(len(points), 1)

    def x(i: int) -> float:
        return left + (i + 0.5) * step

    def y(v: float) -> float:
        return bottom - (min(max(v, 0.0), y_max) / y_max) * (bottom - top)

    body = [_el("rect", x=left, y=top, width=plot_w, height=bottom - top, fill="#ffffff",
                class_="plot"), _text(0, 16, y_label, TEXT)]
    for tick in _ticks(y_max):
        body += [_el("line", x1=left, x2=WIDTH - right, y1=y(tick), y2=y(tick), stroke=RULE),
                 _text(left - 6, y(tick) + 4, fmt(tick), anchor="end")]
    bands = [p[2] if p[1] is not None else None for p in points]
    for run in _runs([band is not None for band in bands]):
        half = min(step / 2, 4) if len(run) == 1 else 0  # a lone month: a short bar
        spans = [(i, band) for i in run if (band := bands[i]) is not None]
        highs = [(x(i) + dx, y(band[1])) for i, band in spans for dx in (-half, half)]
        lows = [(x(i) + dx, y(band[0])) for i, band in reversed(spans) for dx in (half, -half)]
        body.append(_polygon(highs + lows, fill=BAND, class_="band"))
    values = [p[1] for p in points]
    for run in _runs([value is not None for value in values]):
        line = [(i, value) for i in run if (value := values[i]) is not None]
        body.append(_el("polyline", points=" ".join(f"{_n(x(i))},{_n(y(value))}"
                                                    for i, value in line),
                        fill="none", stroke=INK, stroke_width=2, class_="line"))
    widest = max((len(str(p[0])) for p in points), default=0) * SMALL * CHAR + 2
    label_every = max(1, math.ceil(widest / step))
    for i, (month, value, _interval, n) in enumerate(points):
        if value is not None:
            small = (n or 0) < minimum_sample
            body.append(_el("circle", cx=x(i), cy=y(value), r=4, stroke=INK, stroke_width=2,
                            fill="#ffffff" if small else INK,
                            class_="marker small" if small else "marker"))
        if i % label_every == 0:
            body.append(_text(x(i), bottom + 16, month, anchor="middle"))
    body.append(_el("line", x1=left, x2=WIDTH - right, y1=bottom, y2=bottom, stroke=INK))
    if all(p[1] is None for p in points):
        body.append(_text(left + plot_w / 2, (top + bottom) / 2, text.no_data, TEXT, "middle"))
    hollow = _el("circle", cx=7, cy=7, r=4, fill="#ffffff", stroke=INK, stroke_width=2)
    items = _legend_items((_el("rect", width=14, height=14, fill=BAND), _interval_label(text)),
                          hollow, points, minimum_sample, text)
    legend, end = _legend(items, bottom + 40, left)
    return _svg(cid, end + 10, title, desc or _trend_desc(points, fmt, text), body + legend)


def _trend_desc(points: Sequence[TrendPoint], fmt: Formatter, text: ChartText) -> str:
    shown = [p[1] for p in points if p[1] is not None]
    if not shown:
        return text.no_data
    return text.trend_desc % {"count": len(points), "first": points[0][0],
                              "last": points[-1][0], "value": fmt(shown[-1])}


def ranking_chart(rows: Sequence[RankRow], *, title: str, x_max: float = 100.0,
                  fmt: Formatter | None = None, reference: float | None = None,
                  reference_label: str | None = None, minimum_sample: int = 0,
                  desc: str | None = None, chart_id: str | None = None,
                  text: ChartText = ENGLISH) -> Markup:
    """Horizontal bars in the given order, with 95% interval whiskers and an optional reference.

    Rows are (label, value or None, (low, high) or None, n); each label sits above its bar and
    the value is written at the right. Rows with ``n`` below ``minimum_sample`` are outlined.
    """
    fmt = _formatter(fmt, number, text)
    cid = _chart_id(chart_id, title, (rows, reference))
    left, value_w, top, row_h = 8.0, 56.0, 24.0, 40.0
    plot_w = WIDTH - left - value_w
    bottom = top + row_h * len(rows)

    def x(v: float) -> float:
        return left + min(max(v, 0.0), x_max) / x_max * plot_w

    body = [_el("rect", x=left, y=top, width=plot_w, height=bottom - top, fill="#ffffff",
                class_="plot")]
    for tick in _ticks(x_max, 5):
        body += [_el("line", x1=x(tick), x2=x(tick), y1=top, y2=bottom, stroke=RULE),
                 _text(x(tick), bottom + 16, fmt(tick), anchor="middle")]
    for i, (label, value, interval, n) in enumerate(rows):
        y0 = top + i * row_h
        body.append(_text(left, y0 + 13, label, class_="label"))
        if value is None:
            body.append(_text(left, y0 + 31, text.no_data, fill=GREY))
            continue
        small = (n or 0) < minimum_sample
        body.append(_el("rect", x=left, y=y0 + 19, width=x(value) - left, height=14,
                        fill="#ffffff" if small else "#a6a6a6", stroke=INK if small else None,
                        class_="bar small" if small else "bar"))
        if interval is not None:
            lo, hi, mid = x(interval[0]), x(interval[1]), y0 + 26
            body += [_el("line", x1=a, x2=b, y1=c, y2=d, stroke=INK, stroke_width=1.5,
                         class_="whisker" if c == d else None)
                     for a, b, c, d in ((lo, hi, mid, mid), (lo, lo, mid - 6, mid + 6),
                                        (hi, hi, mid - 6, mid + 6))]
        body.append(_text(WIDTH - 4, y0 + 31, fmt(value), TEXT, "end", class_="value"))
    if reference is not None:
        body.append(_el("line", x1=x(reference), x2=x(reference), y1=top - 6, y2=bottom,
                        stroke=INK, stroke_width=1.5, stroke_dasharray="5 3", class_="reference"))
        if reference_label:
            body.append(_text(x(reference), top - 10, f"{reference_label}: {fmt(reference)}",
                              anchor="end" if x(reference) > WIDTH / 2 else "start"))
    whisker = _el("line", x1=0, x2=14, y1=7, y2=7, stroke=INK, stroke_width=1.5)
    outlined = _el("rect", width=14, height=14, fill="#ffffff", stroke=INK)
    items = _legend_items((whisker, _interval_label(text)), outlined, rows, minimum_sample, text)
    legend, end = _legend(items, bottom + 40, left)
    if desc is None:
        desc = text.ranking_desc % {"count": len(rows)} if rows else text.no_data
    return _svg(cid, end + 10, title, desc, body + legend)


def _hatch(pattern_id: str) -> str:
    return (f'<pattern id="{escape(pattern_id)}" patternUnits="userSpaceOnUse" width="6" '
            f'height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="1.5"/></pattern>')


Counts = Mapping[Any, int | None]  # answer value (or its text, read from JSON) -> count


def _count(counts: Counts, value: object) -> int:
    """A count keyed by the value or, in a report read back from JSON, by its text."""
    return counts.get(value, counts.get("" if value is None else str(value), 0)) or 0


def distribution_chart(rows: Sequence[tuple[str, Counts]],
                       scale_labels: Sequence[str] | dict[int, str], *, title: str,
                       no_opinion: bool = True, no_opinion_label: str | None = None,
                       fmt: Formatter | None = None, desc: str | None = None,
                       chart_id: str | None = None, text: ChartText = ENGLISH) -> Markup:
    """Per question, a 100% stacked bar of the share of each answer value and of "no opinion".

    ``rows`` are (label, counts), counts as in a tally: value -> count, ``None`` -> no opinion;
    ``scale_labels`` name the values 1..k in order, or map values to names (Decree 61: 0, 1, 2).
    Shares are of all answers, no opinion included; each segment is written with its share when
    it is wide enough.
    """
    fmt = _formatter(fmt, share, text)
    cid = _chart_id(chart_id, title, rows)
    named = dict(scale_labels) if isinstance(scale_labels, dict) else \
        dict(enumerate(scale_labels, start=1))
    if not 0 < len(named) <= len(SCALE_FILLS):
        raise ValueError(f"between 1 and {len(SCALE_FILLS)} scale values")
    values: list[int | None] = [*named]
    labels = [*named.values()]
    fills, inks = [*SCALE_FILLS[-len(values):]], [*SCALE_INKS[-len(values):]]
    if no_opinion:
        values.append(None)
        labels.append(no_opinion_label or text.no_opinion)
        fills.append(f"url(#{cid}-hatch)")
        inks.append(INK)
    swatches = [_el("rect", width=14, height=14, fill=f, stroke=INK, stroke_width=0.5)
                for f in fills]
    legend, legend_end = _legend(list(zip(swatches, labels, strict=True)), 16)
    left, right, top, row_h = 8.0, 8.0, legend_end + 12, 44.0
    plot_w = WIDTH - left - right
    height = top + row_h * len(rows) + 8
    body = [f"<defs>{_hatch(cid + '-hatch')}</defs>" if no_opinion else "", *legend,
            _el("rect", x=left, y=top, width=plot_w, height=height - top, fill="#ffffff",
                class_="plot")]
    for i, (label, counts) in enumerate(rows):
        y0 = top + i * row_h
        total = sum(_count(counts, v) for v in values)
        body += [_text(left, y0 + 13, label, class_="label"),
                 _text(WIDTH - right, y0 + 13, text.n % {"n": total}, anchor="end", fill=GREY)]
        if not total:
            body.append(_text(left, y0 + 33, text.no_data, fill=GREY))
            continue
        done = 0
        for value, fill, ink in zip(values, fills, inks, strict=True):
            count = _count(counts, value)
            x0, w = left + done / total * plot_w, count / total * plot_w
            done += count
            if not count:
                continue
            body.append(_el("rect", x=x0, y=y0 + 18, width=w, height=22, fill=fill,
                            stroke="#ffffff", stroke_width=1, class_="segment"))
            written = fmt(100 * count / total)
            if w >= len(written) * SMALL * CHAR + 6:
                halo = value is None  # a white outline keeps the text clear of the hatching
                body.append(_text(x0 + w / 2, y0 + 33, written, anchor="middle", fill=ink,
                                  stroke="#ffffff" if halo else None,
                                  stroke_width=3 if halo else None,
                                  paint_order="stroke" if halo else None))
        body.append(_el("rect", x=left, y=y0 + 18, width=plot_w, height=22, fill="none",
                        stroke=GREY, stroke_width=0.5))
    if desc is None:
        desc = text.distribution_desc % {
            "count": len(rows), "first": labels[0], "last": labels[len(named) - 1],
        } if rows else text.no_data
    return _svg(cid, height, title, desc, body)
