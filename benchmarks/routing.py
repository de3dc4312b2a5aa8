"""Routing's upkeep at a province's volume: 100,000 open cases, against a plain scan of them.

For each database (a SQLite file in a temp dir, and PostgreSQL database ``bench_routing``), with
the preparation of ``benchmarks/index.py`` (``survey db upgrade``, ``survey demo``):

1. N open cases (default 100,000) of every kind bulk-inserted over the demo's handlers, each held
   by someone who may hold it, in its holder's unit (what routing leaves behind);
2. in the same run, the median of ``--repeats`` runs of: the baseline, a plain scan of the open
   cases joined to their holders (``SELECT count(*) … JOIN users``); ``off_desk()``, the check
   behind ``survey cases check`` (must find nothing); ``repair()`` after one officer holding
   about N/10 cases is deactivated (every one of them must move; rolled back after each run);
   filing one case through ``open_case`` (routing included); and ``survey cases check`` as a
   command, start-up included;
3. rewrite the "Routing upkeep, <database>" section(s) of ``benchmarks/RESULTS.md``.

No target of its own (issue 14 sets ``survey cases check`` ≤ 10 s at 100,000 cases): the figures
are ratios to the baseline measured in the same run, and absolute times for planning. Exit status
1 when anything failed.

    .venv/bin/python benchmarks/routing.py [--db sqlite|postgresql|both] [--cases 100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import index  # noqa: E402 - benchmarks/index.py, beside this script (puts ROOT on sys.path)
from common import (  # noqa: E402 - benchmarks/common.py
    BenchError,
    describe_tree,
    kinds,
    logger,
    machine,
    versions,
    work_dir,
    write_results,
)
from index import Db  # noqa: E402

PG_DB = "bench_routing"
HEADINGS = {"sqlite": "## Routing upkeep, SQLite (benchmarks/routing.py)",
            "postgresql": "## Routing upkeep, PostgreSQL (benchmarks/routing.py)"}
OPEN = ("received", "accepted", "in_progress", "waiting_on_citizen")
KINDS = ("feedback", "complaint", "denunciation")
BASELINE = ("SELECT count(*) FROM cases c JOIN users u ON u.id = c.assignee_id "
            "WHERE c.state IN ('received', 'accepted', 'in_progress', 'waiting_on_citizen')")


log = logger("routing-bench")


def load_cases(db: Db, count: int, seed: int) -> str:
    """Insert ``count`` open cases held by the demo's handlers; return the busiest officer."""
    from sqlalchemy import text

    engine = index.engine_for(db)
    rng = random.Random(seed)
    with engine.begin() as conn:
        handlers = conn.execute(text(
            "SELECT id, unit_id, username FROM users WHERE role IN ('officer', 'leader') "
            "AND active ORDER BY id")).all()
        busiest = next(h for h in handlers if h.username == "canbo1")
        now = datetime.now(UTC)
        for start in range(0, count, 10_000):
            rows = []
            for i in range(start, min(count, start + 10_000)):
                # one case in ten goes to canbo1, so that repair() has a real load to move
                holder = busiest if i % 10 == 0 else rng.choice(handlers)
                rows.append({"receipt_hash": f"{i:064x}", "kind": rng.choice(KINDS),
                             "state": rng.choice(OPEN), "subject": "Vụ việc thử",
                             "description": "Nội dung", "unit_id": holder.unit_id,
                             "handling_unit_id": holder.unit_id, "assignee_id": holder.id,
                             "received_at": now - timedelta(days=rng.random() * 60)})
            conn.execute(text(
                "INSERT INTO cases (receipt_hash, kind, complaint_round, state, subject, "
                "description, anonymous, unit_id, handling_unit_id, assignee_id, complexity, "
                "remote_area, extensions_granted, received_at, reopened_count) VALUES "
                "(:receipt_hash, :kind, 1, :state, :subject, :description, false, :unit_id, "
                ":handling_unit_id, :assignee_id, 0, false, 0, :received_at, 0)"), rows)
        if db.kind == "postgresql":
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return busiest.username


def median_of(repeats: int, work) -> float:
    work()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(db: Db, args: argparse.Namespace) -> dict:
    from sqlalchemy import select, text

    from survey import create_app
    from survey.config import Config
    from survey.extensions import db as sqla
    from survey.models import Case, CaseKind, User
    from survey.services import assignment
    from survey.services.cases import NewCase, open_case

    busiest = load_cases(db, args.cases, args.seed)
    app = create_app(Config.from_env({**db.env, "SURVEY_ENV": "testing"}))
    figures: dict = {}
    with app.app_context():
        figures["baseline"] = median_of(args.repeats, lambda: sqla.session.execute(
            text(BASELINE)).scalar())

        def check():
            if assignment.off_desk():
                raise BenchError("off_desk() found cases off every desk in a sound organisation")

        figures["off_desk"] = median_of(args.repeats, check)
        officer = sqla.session.scalar(select(User).where(User.username == busiest))
        held = sqla.session.scalar(select(text("count(*)")).select_from(Case).where(
            Case.assignee_id == officer.id))
        figures["held"] = held

        def repair():
            officer.active = False
            sqla.session.flush()
            moved = assignment.repair("bench")
            sqla.session.rollback()
            if moved != held:
                raise BenchError(f"repair() moved {moved} cases, expected {held}")

        figures["repair"] = median_of(args.repeats, repair)

        def file_one():
            open_case(NewCase(kind=CaseKind.FEEDBACK, subject="Thử", description="Thử",
                              unit=officer.unit, anonymous=True))
            sqla.session.rollback()

        figures["file"] = median_of(args.repeats, file_one)
        sqla.session.remove()
        sqla.engine.dispose()
    figures["command"] = median_of(args.repeats, lambda: index.survey(
        ["cases", "check", "--format", "json"], db.env, timeout=600))
    return figures


def render(db: Db, args: argparse.Namespace, figures: dict) -> str:
    base = figures["baseline"]
    rows = [("plain scan of open cases with holders (baseline)", base),
            ("`off_desk()`: every open case checked (finds 0)", figures["off_desk"]),
            (f"`repair()` after one officer holding {figures['held']:,} cases is deactivated",
             figures["repair"]),
            ("filing one case through `open_case` (routing included)", figures["file"]),
            ("`survey cases check --format json` as a command (start-up included)",
             figures["command"])]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [HEADINGS[db.kind], "",
             f"{args.cases:,} open cases over the demo's handlers; median of {args.repeats} runs "
             f"after one warm-up, {describe_tree()}, {when}.",
             f"Machine: {machine()}; {versions()}.",
             f"Command: `.venv/bin/python benchmarks/routing.py --db {db.kind} "
             f"--cases {args.cases}`.", "",
             "| what | seconds | × baseline |", "|---|---|---|"]
    lines += [f"| {what} | {seconds:.3f} | {seconds / base:.1f} |" for what, seconds in rows]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    failed = False
    with work_dir("bench-routing-") as root:
        for kind in kinds(args.db):
            try:
                log(f"{kind}: preparing the demo and {args.cases:,} cases")
                db = index.prepare(kind, root, pg_db=PG_DB)
                section = render(db, args, bench(db, args))
            except BenchError as error:
                log(f"{kind}: FAILED: {error}")
                failed = True
                continue
            print(section)
            if not args.no_write:
                write_results(section, HEADINGS[kind])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
