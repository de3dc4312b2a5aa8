"""Where a survey submission spends its time, next to the bare insert of benchmarks/submit.py.

Runs both apps in-process (Flask test client, no HTTP server) on a fresh database prepared as
submit.py does, and reports per request:

- the CPU time of the real submission and of the bare insert (CPU time, not wall time, so that a
  busy machine disturbs the comparison less);
- the SQL statements each one sends;
- the share of the real request spent in each part of its path (cProfile, cumulative; the parts
  overlap where one calls the other), turned into milliseconds with the unprofiled wall time.

    .venv/bin/python benchmarks/profile_submit.py [--db sqlite|postgresql] [--requests 300]

It prints Markdown; ``--write`` also replaces its own section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import html
import logging
import os
import pstats
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402  (benchmarks/ is not a package)
import submit  # noqa: E402

HEADING = "## Survey submission profile (benchmarks/profile_submit.py)"

# (label, file suffix, function name): cumulative time of these calls, per request.
PARTS = [
    ("Whole WSGI request (Flask, with the security headers middleware)", "survey/security.py",
     "__call__"),
    ("CSRFProtect before_request (the survey form is exempt: its exemption check)",
     "flask_wtf/csrf.py", "protect"),
    ("Survey form CSRF check (cookie + HMAC; parses the form, its first reader)",
     "survey/survey_csrf.py",
     "protect"),
    ("Form parsing (request.form)", "flask/wrappers.py", "_load_form_data"),
    ("Limiter wrapper and checks (limits off)", "flask_limiter/_extension.py",
     "_check_request_limit"),
    ("View `_survey` (all of it)", "survey/views/public.py", "_survey"),
    ("  short way: _store_at_known_version (no look-up)", "survey/views/public.py",
     "_store_at_known_version"),
    ("    parse_answers", "survey/answers.py", "parse_answers"),
    ("    record_at_counter (INSERT ... SELECT that checks counter, version, procedure; "
     "answers)", "survey/services/responses.py", "record_at_counter"),
    ("  long way: _lookup_or_404 (counter, version, procedure: 1 SELECT)",
     "survey/views/public.py", "_lookup_or_404"),
    ("  long way: record_response (INSERT; answers)", "survey/services/responses.py",
     "record_response"),
    ("  _stored (flag check, commit, redirect, cookie)", "survey/views/public.py", "_stored"),
    ("    commit (session.commit)", "sqlalchemy/orm/scoping.py", "commit"),
    ("    url_for", "flask/helpers.py", "url_for"),
    ("after_request: JSON request log line", "survey/logs.py", "_log_request"),
    ("after_request: Flask-Login remember cookie", "flask_login/login_manager.py",
     "_update_remember_cookie"),
    ("Session cookie: open (none is sent: the survey sets no session)", "flask/sessions.py",
     "open_session"),
    ("Session cookie: save (Vary: Cookie)", "flask/sessions.py", "save_session"),
    ("Babel locale selection", "flask_babel/__init__.py", "get_locale"),
    ("All statement execution (SQLAlchemy Core)", "sqlalchemy/engine/base.py",
     "_execute_clauseelement"),
    ("  of which in the DB driver (cursor.execute, incl. the database's reply)", "",
     "execute' of 'sqlite3.Cursor"),
    ("  of which in the DB driver (cursor.execute, incl. the database's reply)", "",
     "executemany' of 'sqlite3.Cursor"),
    ("  of which in the DB driver (cursor.execute, incl. the database's reply)",
     "psycopg/cursor.py", "execute"),
    ("DB driver commit", "", "commit' of 'sqlite3.Connection"),
    ("DB driver commit", "psycopg/connection.py", "commit"),
    ("Pool checkout", "sqlalchemy/pool/base.py", "_checkout"),
]


def silence_request_log(path: Path) -> None:
    """Send the survey's JSON log lines to a file, as gunicorn's stderr would be redirected."""
    stream = path.open("a", encoding="utf-8")
    for handler in logging.getLogger("survey").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)


def count_statements(engine, sink: list[str]) -> None:
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: sink.append(" ".join(statement.split())))


def timed(post: Callable[[int], None], start: int, n: int) -> tuple[float, float]:
    """CPU and wall milliseconds per request over ``n`` posts."""
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        post(start + i)
    return ((time.process_time() - cpu) * 1000 / n, (time.perf_counter() - wall) * 1000 / n)


def make_poster(client, path: str, csrf: str, prefix: str,
                procedures: list[str]) -> Callable[[int], None]:
    """Post submission ``i`` as the wrk script of submit.py posts its request ``i``."""
    def post(i: int) -> None:
        reply = client.post(path, data={
            "csrf_token": csrf, "idempotency_key": f"{prefix}-{i:016d}", "token": "",
            "q_overall": str(i % 5 + 1), "q_attitude": str((i + 2) % 5 + 1),
            "procedure": procedures[i % len(procedures)],
            "comment": submit.COMMENTS[i % len(submit.COMMENTS)],
        })
        if reply.status_code != 302:
            raise common.BenchError(f"{path} answered {reply.status_code}, not 302")
    return post


def part_times(stats: pstats.Stats, n: int) -> list[tuple[str, float]]:
    """Milliseconds per request (profiled) for each part found in the profile."""
    out: dict[str, float] = {}
    for label, suffix, name in PARTS:
        found = [cumulative for (filename, _line, func), (_cc, _nc, _tt, cumulative, _callers)
                 in stats.stats.items()
                 if (filename.endswith(suffix) and func == name if suffix else name in func)]
        if found:
            out[label] = out.get(label, 0.0) + sum(found) * 1000 / n
    return list(out.items())


def profile(db_kind: str, requests: int, root: Path) -> str:
    saved_env = dict(os.environ)
    disposers: list[Callable[[], None]] = []
    try:
        bare = submit.load_bare_app()
        prepared = submit.prepare(db_kind, root)
        os.environ.clear()
        os.environ.update(prepared.env, BARE_DATABASE_URL=prepared.bare_url)

        from survey import create_app
        from survey.extensions import db

        real_app = create_app()
        silence_request_log(prepared.workdir / "survey.log")
        bare_app = bare.create_app()
        real_sql: list[str] = []
        bare_sql: list[str] = []
        with real_app.app_context():
            count_statements(db.engine, real_sql)
            disposers.append(db.engine.dispose)
        with bare_app.app_context():
            count_statements(bare.db.engine, bare_sql)
            disposers.append(bare.db.engine.dispose)

        path = prepared.survey_path
        real_client = real_app.test_client()
        page = real_client.get(path).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
        procedures = submit.procedure_mix(tuple(
            html.unescape(v) for v in re.findall(r'<option value="([^"]+)"', page)))
        real_post = make_poster(real_client, path, csrf, "preal", procedures)
        bare_post = make_poster(bare_app.test_client(), path, csrf, "pbare", procedures)

        for post in (real_post, bare_post):  # warm up: pools, caches, compiled statements
            post(10_000_000)
            for i in range(50):
                post(i)
        real_sql.clear()
        bare_sql.clear()
        real_post(20_000_000)
        bare_post(20_000_000)
        statements = (list(real_sql), list(bare_sql))

        real_cpu, real_wall = timed(real_post, 1000, requests)
        bare_cpu, bare_wall = timed(bare_post, 1000, requests)

        profiler = cProfile.Profile(time.perf_counter)
        profiler.enable()
        for i in range(requests):
            real_post(100_000 + i)
        profiler.disable()
        stats = pstats.Stats(profiler)
        parts = part_times(stats, requests)
        whole = parts[0][1]
        return render(db_kind, requests, real_cpu, real_wall, bare_cpu, bare_wall, statements,
                      parts, whole, stats)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        for dispose in disposers:
            with contextlib.suppress(Exception):
                dispose()


def render(db_kind, requests, real_cpu, real_wall, bare_cpu, bare_wall, statements, parts, whole,
           stats) -> str:
    real_sql, bare_sql = statements
    lines = [
        f"### {db_kind}: {requests} submissions in-process (Flask test client, no HTTP server)",
        "",
        "| | CPU ms/request | wall ms/request | SQL statements/request |",
        "|---|---:|---:|---:|",
        f"| Real submission | {real_cpu:.2f} | {real_wall:.2f} | {len(real_sql)} |",
        f"| Bare insert | {bare_cpu:.2f} | {bare_wall:.2f} | {len(bare_sql)} |",
        f"| Ratio bare/real (in-process: no HTTP server, no second worker process) "
        f"| {bare_cpu / real_cpu:.0%} | {bare_wall / real_wall:.0%} | |",
        "",
        "Statements of one real submission, in order (BEGIN/COMMIT not shown):",
        "",
        *[f"{i}. `{s[:110]}{'…' if len(s) > 110 else ''}`" for i, s in enumerate(real_sql, 1)],
        "",
        "Where the real request's time goes (cProfile with a wall clock, cumulative, as a share "
        "of the whole request, scaled to the unprofiled wall time per request; indented parts "
        "are included in the part above them, and parts of the view can overlap):",
        "",
        "| Part of the request | share | ≈ wall ms |",
        "|---|---:|---:|",
    ]
    for label, ms in parts:
        share = ms / whole if whole else 0
        shown = label.replace("  ", "&nbsp;&nbsp;")
        lines.append(f"| {shown} | {share:.0%} | {share * real_wall:.2f} |")
    lines += ["", "Top functions by own time (profiled):", "", "```"]
    buffer = _top(stats, 15)
    lines += [buffer, "```", ""]
    return "\n".join(lines)


def _top(stats: pstats.Stats, n: int) -> str:
    import io

    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(n)
    text = out.getvalue()
    body = text[text.find("ncalls"):] if "ncalls" in text else text
    root = str(submit.ROOT) + "/"
    body = body.replace(root + ".venv/lib/python3.11/site-packages/", "").replace(root, "")
    return "\n".join(line.rstrip() for line in body.strip().splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--commit", metavar="REV", help="profile this commit (git archive)")
    parser.add_argument("--pg-database", default=submit.PG_DB, metavar="NAME",
                        help=f"PostgreSQL database to drop and recreate (default {submit.PG_DB})")
    parser.add_argument("--write", action="store_true", help="replace the section in RESULTS.md")
    args = parser.parse_args(argv)
    submit.set_pg_database(args.pg_database)
    try:
        with common.work_dir("profile_submit_") as root:
            if args.commit:
                code = submit.export_commit(args.commit, root / "app")
            else:
                code = common.describe_tree()
            body = "\n".join(profile(kind, max(args.requests, 10), root)
                             for kind in common.kinds(args.db))
    except common.BenchError as error:
        submit.log(f"error: {error}")
        return 1
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join([
        HEADING, "",
        f"Measured {now} on {common.machine()}; code: {code}. Command: "
        f"`.venv/bin/python benchmarks/profile_submit.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}`", "",
        body,
    ])
    print(section)
    if args.write:
        common.write_results(section, HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
