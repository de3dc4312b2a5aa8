"""The inspector's desk (``GET /inspect/``) on a million responses, against a plain SQL aggregate.

For each database (a SQLite file in a temp dir, and PostgreSQL database ``bench_desk``), with the
preparation, bulk load and plain aggregate of ``benchmarks/index.py`` (imported, not copied):

1. ``survey db upgrade``, ``survey demo``, then N SIPAS responses (default 1,000,000) over the
   demo's counters and the last 12 months;
2. an app from ``survey.create_app`` on that database, in-process, and a Flask test client logged
   in once through ``/login`` as the demo inspector ``thanhtra`` (root unit NB);
3. median of ``--repeats`` runs after one warm-up, in the same run on the same data: the plain
   aggregate of index.py (a fresh connection each run), then one GET of each desk view (``VIEWS``)
   timed around the whole request (view, SQL, template). Every answer must be 200 and show a
   non-zero n in its headline, or the run fails. An SQLAlchemy ``before/after_cursor_execute``
   pair counts each view's statements and times each one two ways: its execute, and its span up
   to the next statement. The span is the honest one on SQLite, which runs a GROUP BY's last
   pass while the rows are fetched, after ``execute`` has returned (about a quarter of these
   queries' time); it also holds the Python that reads the rows, small next to it here;
4. rewrite the "Inspector's desk, <database>" section(s) of ``benchmarks/RESULTS.md``.

No target: a measurement for planning. Exit status 1 when anything failed, else 0.

    .venv/bin/python benchmarks/desk.py [--db sqlite|postgresql|both] [--responses 1000000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import index  # noqa: E402 - benchmarks/index.py, beside this script (puts ROOT on sys.path)
from common import (  # noqa: E402 - benchmarks/common.py
    BenchError,
    command_line,
    describe_tree,
    drop_database,
    kinds,
    logger,
    machine,
    versions,
    work_dir,
    write_results,
)
from index import Db  # noqa: E402

ROOT = HERE.parent
PG_DB = "bench_desk"
HEADINGS = {"sqlite": "## Inspector's desk, SQLite (benchmarks/desk.py)",
            "postgresql": "## Inspector's desk, PostgreSQL (benchmarks/desk.py)"}
INSPECTOR = ("thanhtra", "thanhtra-demo-2026")  # survey/services/demo.py, unit NB (the province)
COMMUNE = "NB-HL"  # a commune of the demo; its service centre NB-HL-TT has two counters
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
HEADLINE = re.compile(r'<table class="headline">.*?<tbody>\s*<tr>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="num">([^<]*)</td>')


@dataclass(frozen=True)
class View:
    key: str
    label: str
    query: dict[str, str]

    @property
    def url(self) -> str:
        return "/inspect/" + (f"?{urlencode(self.query)}" if self.query else "")


def views(today: date) -> list[View]:
    """The desk views measured; the form's defaults are method sipas, breakdown by unit."""
    year = {"date_from": (today - timedelta(days=365)).isoformat(), "date_to": today.isoformat()}
    last_month_end = today.replace(day=1) - timedelta(days=1)
    month = {"date_from": last_month_end.replace(day=1).isoformat(),
             "date_to": last_month_end.isoformat()}
    return [
        View("default", "Default: no query string (province, year so far, SIPAS, by unit)", {}),
        View("a", "Province, last 12 months, SIPAS (by unit: the form's default)",
             {**year, "method": "sipas"}),
        View("b", "Province, last 12 months, satisfaction rate (by unit)",
             {**year, "method": "satisfaction-rate"}),
        View("c", f"Commune {COMMUNE}, one month, SIPAS (by unit)",
             {**month, "unit": COMMUNE, "method": "sipas"}),
        View("d", "Province, last 12 months, SIPAS, breakdown by counter",
             {**year, "method": "sipas", "by": "counter"}),
        View("e", "Province, last 12 months, SIPAS, breakdown by month (reuses the trend)",
             {**year, "method": "sipas", "by": "month"}),
    ]


log = logger("desk-bench")


# ---- the app, in-process ------------------------------------------------------------------------

class Statements:
    """The statements of the current request, timed (SQLAlchemy events)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.seen: list[tuple[str, float, float]] = []  # statement, start, end of its execute
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, _cursor, _statement, *_args) -> None:
        conn.info["desk_t0"] = time.perf_counter()

    def _after(self, conn, _cursor, statement, *_args) -> None:
        self.seen.append((" ".join(statement.split()), conn.info["desk_t0"], time.perf_counter()))

    def timed(self) -> list[tuple[str, float, float]]:
        """(statement, execute seconds, span seconds): a span runs to the next statement's start,
        so it holds the fetch of the rows; the last statement's is its execute alone (what
        follows it is the page's rendering)."""
        starts = [start for _sql, start, _end in self.seen[1:]]
        return [(sql, end - start, (nxt if nxt is not None else end) - start)
                for (sql, start, end), nxt in zip(self.seen, [*starts, None], strict=True)]


def make_app(db: Db):
    """The survey app on ``db``, its statement recorder and a client logged in as the inspector."""
    from survey import create_app
    from survey.config import Config
    from survey.extensions import db as sqla

    env = {**db.env, "SURVEY_ENV": "testing", "SURVEY_LOG_JSON": "1"}
    app = create_app(Config.from_env(env))
    app.config.update(TESTING=True)
    with app.app_context():
        recorder = Statements(sqla.engine)
        engine = sqla.engine
    import logging

    logging.getLogger("survey").setLevel(logging.WARNING)  # no JSON line per request on stderr
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page)
    if token is None:
        raise BenchError("no CSRF token on /login")
    reply = client.post("/login", data={"csrf_token": token.group(1), "username": INSPECTOR[0],
                                        "password": INSPECTOR[1]})
    if reply.status_code != 302:
        raise BenchError(f"login as {INSPECTOR[0]} answered {reply.status_code}, not 302")
    return client, recorder, engine


def headline_n(page: str) -> int:
    """The n of the desk's headline ("All responses"), 0 when there is none."""
    row = HEADLINE.search(page)
    cells = CELL.findall(row.group(1)) if row else []
    digits = re.sub(r"\D", "", cells[-1]) if cells else ""
    return int(digits) if digits else 0


def get_view(client, recorder: Statements, view: View) -> tuple[float, int, list]:
    """One GET of ``view``: (wall seconds, n shown, [(statement, execute s, span s)])."""
    recorder.seen.clear()
    t0 = time.perf_counter()
    reply = client.get(view.url)
    page = reply.get_data(as_text=True)
    seconds = time.perf_counter() - t0
    if reply.status_code != 200:
        raise BenchError(f"{view.url} answered {reply.status_code}, not 200")
    n = headline_n(page)
    if n == 0:
        raise BenchError(f"{view.url} shows no respondent (n = 0): an empty page is not timed")
    return seconds, n, recorder.timed()


# ---- measuring ----------------------------------------------------------------------------------

def bench(db: Db, args: argparse.Namespace, today: date) -> None:
    client, recorder, engine = make_app(db)
    measured = views(today)
    f = db.figures
    try:
        if args.warmup:
            log(f"{db.kind}: warm-up (plain aggregate, each view once)")
            index.plain_aggregate(db)
            for view in measured:
                get_view(client, recorder, view)
        plain: list[float] = []
        times: dict[str, list[float]] = {v.key: [] for v in measured}
        runs: dict[str, list[list]] = {v.key: [] for v in measured}
        shown: dict[str, int] = {}
        for i in range(args.repeats):
            seconds, f["plain_rows"] = index.plain_aggregate(db)
            plain.append(seconds)
            for view in measured:
                seconds, n, statements = get_view(client, recorder, view)
                times[view.key].append(seconds)
                runs[view.key].append(statements)
                shown[view.key] = n
            log(f"{db.kind}: run {i + 1}/{args.repeats}: plain {plain[-1]:.2f} s; "
                + ", ".join(f"{k} {t[-1]:.2f} s" for k, t in times.items()))
    finally:
        engine.dispose()
    f["plain"], f["plain_s"] = plain, statistics.median(plain)
    f["views"] = [view_figures(view, times[view.key], shown[view.key], runs[view.key],
                               f["plain_s"]) for view in measured]
    for v in f["views"]:
        log(f"{db.kind}: {v['key']}: {v['seconds']:.2f} s ({v['ratio']:.1f}x plain), n {v['n']:,}, "
            f"{v['count']} statements, in statements {v['span_s']:.2f} s (execute "
            f"{v['execute_s']:.2f} s), slowest {v['slowest'][2]:.2f} s")


def view_figures(view: View, times: list[float], n: int, runs: list[list],
                 plain_s: float) -> dict:
    """Medians over the runs; the statements listed are those of the last run."""
    seconds = statistics.median(times)
    ranked = sorted(runs[-1], key=lambda s: -s[2])
    return {"key": view.key, "label": view.label, "url": view.url, "times": times,
            "seconds": seconds, "ratio": seconds / plain_s, "n": n, "count": len(runs[-1]),
            "execute_s": statistics.median(sum(s[1] for s in run) for run in runs),
            "span_s": statistics.median(sum(s[2] for s in run) for run in runs),
            "slowest": ranked[0] if ranked else ("", 0.0, 0.0), "top": ranked[:5]}


# ---- RESULTS.md ---------------------------------------------------------------------------------

def _sql(statement: str, limit: int = 120) -> str:
    short = statement[:limit] + (" …" if len(statement) > limit else "")
    return "`" + short.replace("`", "'").replace("|", "\\|") + "`"


def render(db: Db, args, command: str, code: str, tools: str, load: tuple) -> str:
    f = db.figures
    la = lambda t: "/".join(f"{x:.1f}" for x in t)  # noqa: E731
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    where = "a fresh file in a temp dir; WAL, as the app sets" if db.kind == "sqlite" else \
        f"database `{db.pg_db}` on 127.0.0.1, dropped and recreated"
    lines = [
        HEADINGS[db.kind], "",
        f"Code measured: {code}.", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M UTC} on {machine()}; {tools}. Load average "
        f"(1/5/15 min) {la(load[0])} before the run and {la(load[1])} after it.", "",
        f"Command: `{command}`", "",
        f"Data ({where}): as benchmarks/index.py, `survey demo` plus {db.responses:,} SIPAS "
        f"responses over the demo's counters and the last 12 months, {db.answers:,} answers "
        f"({db.nulls:,} NA); loaded in {db.load_seconds:.0f} s.", "",
        f"- **Plain aggregate**: `{index.PLAIN_SQL}` (index.py's), a fresh connection each run: "
        f"**{f['plain_s']:.2f} s** (runs {runs(f['plain'])}; {f['plain_rows']} rows).",
        "- **Views**: `GET /inspect/?...` with the Flask test client, in-process, logged in as "
        "the demo inspector `thanhtra` (root unit NB); wall time of the whole request (view, "
        "SQL, template), median of "
        f"{args.repeats} run(s)" + (" after one warm-up" if args.warmup else " (no warm-up)")
        + ". Each answer checked: 200 and a non-zero n in the headline.",
        "- **Statements**: how many the request sent (`before_cursor_execute`). Each is timed "
        "two ways: its execute, and its span, from its start to the next statement's (the last "
        "one: its execute). The span holds the fetch of its rows: on SQLite a GROUP BY's last "
        "pass runs while the rows are fetched, after `execute` has returned; on PostgreSQL "
        "(psycopg's client-side cursor) the rows have all arrived by then. It also holds the "
        "Python that reads them, small next to it. **In statements**: the sum of the spans, "
        "median of the runs (execute alone in brackets); the rest of the view's time is the "
        "form, the template and the Python around the first and after the last statement. "
        "**Slowest**: the longest span, with its execute in brackets, from the last run.", "",
        "| View | n | Time | View/plain | Statements | In statements | Slowest statement |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for v in f["views"]:
        sql, execute, span = v["slowest"]
        lines.append(f"| {v['key']}. {v['label']} | {v['n']:,} | **{v['seconds']:.2f} s** "
                     f"| **{v['ratio']:.1f}×** | {v['count']} | {v['span_s']:.2f} s "
                     f"({v['execute_s']:.2f} s) | {span:.2f} s ({execute:.2f} s): {_sql(sql)} |")
    lines += ["", "Query strings and runs (seconds):", ""]
    lines += [f"- {v['key']}: `{v['url']}`: {runs(v['times'])}" for v in f["views"]]
    first = next(v for v in f["views"] if v["key"] == "a")
    lines += ["", f"Where view a's time goes: its {first['count']} statements span "
              f"{first['span_s']:.2f} s of {first['seconds']:.2f} s; the five longest (span, "
              "execute in brackets):", ""]
    lines += [f"- {span:.2f} s ({execute:.2f} s): {_sql(sql, 400)}"
              for sql, execute, span in first["top"]]
    return "\n".join(lines) + "\n"


# ---- main ---------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--responses", type=int, default=1_000_000,
                        help="SIPAS responses to load (23 answers each)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs each (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the untimed warm-up run")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the temp dir (SQLite) and the PostgreSQL database {PG_DB}")
    args = parser.parse_args(argv)
    if args.responses < 1 or args.repeats < 1:
        parser.error("--responses and --repeats must be at least 1")
    return args


def run_one(kind: str, root: Path, args: argparse.Namespace) -> Db:
    from survey.clock import local_today

    log(f"{kind}: survey db upgrade, survey demo")
    db = index.prepare(kind, root, pg_db=PG_DB)
    log(f"{kind}: loading {args.responses:,} responses")
    index.load(db, args.responses, args.seed)
    try:
        bench(db, args, local_today())
    finally:
        if kind == "postgresql" and not args.keep:
            drop_database(PG_DB)
        elif kind == "sqlite" and not args.keep:
            shutil.rmtree(db.workdir, ignore_errors=True)
    return db


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = command_line("desk.py", argv)
    load_before = os.getloadavg()
    tools = versions()
    code = describe_tree()
    import survey.views.inspect_desk  # noqa: F401 - the desk's code is the one described here
    dbs: list[Db] = []
    try:
        with work_dir("bench_desk_", args.keep, log,
                      f" (SQLite file); PostgreSQL database {PG_DB} kept") as root:
            for kind in kinds(args.db):
                dbs.append(run_one(kind, root, args))
    except BenchError as error:
        log(f"error: {error}")
        return 1
    if describe_tree() != code:
        code += (f" (the tree changed during the run, to {describe_tree().removeprefix('the ')}"
                 "; the app was imported before that)")
        log(f"warning: the code changed during the run; measured: {code}")
    load = (load_before, os.getloadavg())
    for db in dbs:
        section = render(db, args, command, code, tools, load)
        print(section, flush=True)
        if not args.no_write:
            write_results(section, HEADINGS[db.kind])
    if not args.no_write:
        log(f"wrote {(HERE / 'RESULTS.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
