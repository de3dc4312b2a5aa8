"""The SIPAS index and the CSV export on a million responses, against a plain SQL aggregate.

For each database (a SQLite file in a temp dir, and PostgreSQL database ``bench_index``):

1. prepare it with ``survey db upgrade`` and ``survey demo`` (the demo organisation, no responses);
2. bulk-load N SIPAS responses (default 1,000,000) of the current ``sipas`` version over the demo's
   counters and units and the last 12 months, 23 answers each (A1..E4 and ``overall``, about 5% of
   A1..E4 "no opinion", i.e. NULL). Loading is benchmark-only: responses go in from Python
   (``executemany`` in one SQLite transaction / ``COPY`` on PostgreSQL), the answers are generated
   by one ``INSERT ... SELECT`` in the database (a cross join of the new responses with the 23
   codes, pseudo-random values), with foreign-key checks off (SQLite's default per connection,
   ``session_replication_role = replica`` on PostgreSQL) since the data is consistent by
   construction;
3. measure, median of ``--repeats`` runs after one warm-up, in the same run on the same data:
   (a) the plain aggregate ``SELECT r.unit_id, a.question_code, count(*) FROM answers a JOIN
   responses r ON r.id = a.response_id GROUP BY 1, 2`` through the app's driver (SQLAlchemy +
   pysqlite / psycopg 3), a fresh connection each run;
   (b) ``survey index --method sipas --by unit --format json`` as a subprocess, and the app's
   start-up alone (``survey questionnaires list --format json``), so gross and net are both shown;
   (c) ``survey responses export --format csv --out FILE`` as a subprocess, once, with its peak
   RSS (read by a small launcher process, see ``LAUNCHER``), duration, file size, row count;
4. rewrite the "SIPAS index and CSV export, <database>" section(s) of ``benchmarks/RESULTS.md``
   (one per database measured; a run on one database leaves the other's section alone).

Targets: the index within 3x the plain aggregate; the export's peak RSS under 300 MB. Exit status:
0 when every step ran and both targets are met, 3 when a target is missed (``--no-fail-target``
makes that 0), 1 when anything failed.

    .venv/bin/python benchmarks/index.py [--db sqlite|postgresql|both] [--responses 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from common import (  # noqa: E402 - benchmarks/common.py, beside this script
    PG_ADMIN,
    RESULTS,
    BenchError,
    command_line,
    describe_tree,
    drop_database,
    kinds,
    logger,
    machine,
    run,
    versions,
    work_dir,
    write_results,
)

# One section per database, so that a run on one database leaves the other's figures alone.
HEADINGS = {"sqlite": "## SIPAS index and CSV export, SQLite (benchmarks/index.py)",
            "postgresql": "## SIPAS index and CSV export, PostgreSQL (benchmarks/index.py)"}
INDEX_TARGET = 3.0      # index time / plain aggregate time, at most
EXPORT_TARGET_MB = 300  # export peak RSS, under
PG_DB = "bench_index"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
BIN = Path(sys.executable).parent
CODES = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5", "C1", "C2", "C3", "C4", "C5", "C6",
         "D1", "D2", "D3", "E1", "E2", "E3", "E4", "overall"]
PLAIN_SQL = ("SELECT r.unit_id, a.question_code, count(*) FROM answers a "
             "JOIN responses r ON r.id = a.response_id GROUP BY 1, 2")
INDEX_CMD = ["index", "--method", "sipas", "--by", "unit", "--format", "json"]
STARTUP_CMD = ["questionnaires", "list", "--format", "json"]
CHUNK = 50_000


log = logger("index-bench")


def app_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SURVEY_") and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": "bench-index-" + "x" * 40,
                "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)})
    return env


def survey(args: list[str], env: dict[str, str], timeout: float = 1800) -> tuple[float, str]:
    """Run ``survey ARGS``; return its wall time and stdout."""
    t0 = time.perf_counter()
    out = run([str(BIN / "survey"), *args], env=env, timeout=timeout)
    return time.perf_counter() - t0, out


# The child is started by a small launcher process, not by this one: on Linux a child's
# ru_maxrss counts the memory it had between fork and exec, i.e. a copy of its parent's RSS, and
# this process holds hundreds of MB after the SQLite load. The launcher is a few MB.
LAUNCHER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - t0
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "seconds": seconds,
               "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, out)
"""


def measured_child(cmd: list[str], env: dict[str, str], log_path: Path) -> tuple[float, int, int]:
    """Run one child; return (wall seconds, exit code, peak RSS in KiB of that child alone).

    Its stdout goes to ``log_path``, its stderr to ``log_path`` + ``.err``.
    """
    stats = log_path.with_suffix(".rusage.json")
    with log_path.open("wb") as out, log_path.with_suffix(".err").open("wb") as err:
        subprocess.run([sys.executable, "-c", LAUNCHER, str(stats), *cmd], env=env,  # noqa: S603
                       cwd=ROOT, stdout=out, stderr=err, check=False)
    data = json.loads(stats.read_text())
    return data["seconds"], data["code"], data["maxrss_kib"]


# ---- preparing and loading ----------------------------------------------------------------------

@dataclass
class Db:
    kind: str
    url: str
    env: dict[str, str]
    workdir: Path
    pg_db: str = PG_DB  # the PostgreSQL database (benchmarks/desk.py uses its own)
    load_seconds: float = 0.0
    responses: int = 0
    answers: int = 0
    nulls: int = 0
    figures: dict = field(default_factory=dict)


def prepare(kind: str, root: Path, pg_db: str = PG_DB) -> Db:
    workdir = root / kind
    workdir.mkdir()
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'survey.db'}"
    else:
        if shutil.which("createdb") is None:
            raise BenchError("createdb is not on PATH: PostgreSQL client tools are needed")
        drop_database(pg_db)
        run(["createdb", *PG_ADMIN, pg_db], timeout=60)
        url = f"postgresql://postgres@127.0.0.1:5432/{pg_db}"
    env = app_env(url)
    survey(["db", "upgrade"], env, timeout=300)
    survey(["demo", "--format", "json"], env, timeout=300)
    return Db(kind, url, env, workdir, pg_db)


def engine_for(db: Db):
    from sqlalchemy import create_engine

    from survey.config import normalise_database_url

    return create_engine(normalise_database_url(db.url))


def demo_facts(conn) -> tuple[int, list[tuple[int, int, int | None]], int]:
    """(current sipas version id, [(counter id, unit id, officer on duty)], next response id)."""
    version = conn.execute(
        "SELECT v.id FROM questionnaire_versions v JOIN questionnaires q "
        "ON q.id = v.questionnaire_id WHERE q.code = 'sipas' ORDER BY v.version DESC LIMIT 1"
    ).fetchone()
    if version is None:
        raise BenchError("no sipas questionnaire version after survey demo")
    counters = [tuple(r) for r in conn.execute(
        "SELECT id, unit_id, officer_on_duty_id FROM counters ORDER BY id").fetchall()]
    if not counters:
        raise BenchError("survey demo created no counter")
    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM responses").fetchone()[0]
    return version[0], counters, next_id


def response_rows(n: int, first_id: int, version_id: int, counters, seed: int, text_time: bool):
    """Yield chunks of response tuples: spread over counters and the last 365 days, 01-09 UTC."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    chunk = []
    for i in range(n):
        counter_id, unit_id, officer_id = counters[rng.randrange(len(counters))]
        moment = (now - timedelta(seconds=rng.randrange(365 * 86400))).replace(
            hour=rng.randint(1, 9))
        if moment > now:
            moment -= timedelta(days=1)
        when = moment.strftime("%Y-%m-%d %H:%M:%S.000000") if text_time else moment
        rid = first_id + i
        chunk.append((rid, version_id, unit_id, counter_id, officer_id, None, "qr", when,
                      f"bench:{seed}:{rid}"))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


RESPONSE_COLUMNS = ("id, questionnaire_version_id, unit_id, counter_id, officer_id, procedure_id, "
                    "channel, submitted_at, idempotency_key")


def answers_sql(kind: str, first_id: int) -> str:
    """INSERT ... SELECT of 23 answers per new response: a mood per response, +-1 noise, 5% NA."""
    codes = " UNION ALL ".join(f"SELECT '{c}' AS code, {i} AS k" for i, c in enumerate(CODES))
    rnd100 = "(abs(random()) % 100)" if kind == "sqlite" else "floor(random() * 100)::int"
    clamp = ("max(1, min(5, {x}))" if kind == "sqlite" else "greatest(1, least(5, {x}))")
    # Mood from a hash of the id: 45% 5, 35% 4, 12% 3, 5% 2, 3% 1, as the demo's weights.
    h = "((r.id * 2654435761) % 100)"
    mood = (f"CASE WHEN {h} < 45 THEN 5 WHEN {h} < 80 THEN 4 WHEN {h} < 92 THEN 3 "
            f"WHEN {h} < 97 THEN 2 ELSE 1 END")
    noise = f"(CASE {rnd100} % 5 WHEN 0 THEN -1 WHEN 4 THEN 1 ELSE 0 END)"
    value = (f"CASE WHEN q.code <> 'overall' AND {rnd100} < 5 THEN NULL "
             f"ELSE {clamp.format(x=f'{mood} + {noise}')} END")
    return (f"INSERT INTO answers (response_id, question_code, value) "
            f"SELECT r.id, q.code, {value} FROM responses r CROSS JOIN ({codes}) q "
            f"WHERE r.id >= {first_id}")


def load_sqlite(db: Db, n: int, seed: int) -> None:
    path = db.url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # the app sets WAL again on its next connect
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache for the load
        conn.execute("PRAGMA temp_store=MEMORY")
        version_id, counters, first_id = demo_facts(conn)
        conn.execute("BEGIN")
        done = 0
        for chunk in response_rows(n, first_id, version_id, counters, seed, text_time=True):
            conn.executemany(f"INSERT INTO responses ({RESPONSE_COLUMNS}) "
                             f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk)
            done += len(chunk)
            if done % 200_000 == 0 or done == n:
                log(f"sqlite: {done:,} responses inserted")
        log(f"sqlite: generating {n * len(CODES):,} answers (INSERT ... SELECT)")
        conn.execute(answers_sql("sqlite", first_id))
        conn.execute("COMMIT")
        log("sqlite: ANALYZE")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def load_postgresql(db: Db, n: int, seed: int) -> None:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={db.pg_db}") as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers for the load
        version_id, counters, first_id = demo_facts(conn)
        done = 0
        copy_sql = f"COPY responses ({RESPONSE_COLUMNS}) FROM STDIN"
        with conn.cursor() as cur, cur.copy(copy_sql) as cp:
            for chunk in response_rows(n, first_id, version_id, counters, seed, text_time=False):
                for row in chunk:
                    cp.write_row(row)
                done += len(chunk)
                if done % 200_000 == 0 or done == n:
                    log(f"postgresql: {done:,} responses copied")
        log(f"postgresql: generating {n * len(CODES):,} answers (INSERT ... SELECT)")
        pkey = conn.execute("SELECT conname FROM pg_constraint "
                            "WHERE conrelid = 'answers'::regclass AND contype = 'p'").fetchone()[0]
        conn.execute(f'ALTER TABLE answers DROP CONSTRAINT "{pkey}"')
        conn.execute(answers_sql("postgresql", first_id))
        log("postgresql: rebuilding the answers primary key")
        conn.execute(f'ALTER TABLE answers ADD CONSTRAINT "{pkey}" '
                     "PRIMARY KEY (response_id, question_code)")
        conn.execute("SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                     "(SELECT max(id) FROM responses))")
        conn.commit()
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={db.pg_db}",
                         autocommit=True) as conn:
        log("postgresql: VACUUM ANALYZE")
        conn.execute("VACUUM ANALYZE responses")
        conn.execute("VACUUM ANALYZE answers")


def load(db: Db, n: int, seed: int) -> None:
    t0 = time.perf_counter()
    (load_sqlite if db.kind == "sqlite" else load_postgresql)(db, n, seed)
    db.load_seconds = time.perf_counter() - t0
    from sqlalchemy import text

    engine = engine_for(db)
    try:
        with engine.connect() as conn:
            db.responses = conn.execute(text("SELECT count(*) FROM responses")).scalar_one()
            db.answers = conn.execute(text("SELECT count(*) FROM answers")).scalar_one()
            db.nulls = conn.execute(text(
                "SELECT count(*) FROM answers WHERE value IS NULL")).scalar_one()
    finally:
        engine.dispose()
    if db.answers != len(CODES) * db.responses:
        raise BenchError(f"{db.kind}: {db.responses} responses but {db.answers} answers "
                         f"(expected {len(CODES)} each)")
    log(f"{db.kind}: loaded {db.responses:,} responses, {db.answers:,} answers "
        f"({db.nulls:,} NA) in {db.load_seconds:.0f} s")


# ---- measuring ----------------------------------------------------------------------------------

def plain_aggregate(db: Db) -> tuple[float, int]:
    from sqlalchemy import text

    engine = engine_for(db)
    try:
        t0 = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.execute(text(PLAIN_SQL)).all()
        return time.perf_counter() - t0, len(rows)
    finally:
        engine.dispose()


def bench(db: Db, args: argparse.Namespace) -> None:
    f = db.figures
    f["index_warmup"] = None
    if args.warmup:
        log(f"{db.kind}: warm-up (plain aggregate, start-up, index once each)")
        _, f["plain_rows"] = plain_aggregate(db)
        survey(STARTUP_CMD, db.env)
        f["index_warmup"], out = survey(INDEX_CMD, db.env)
        json.loads(out)
    plain, index, startup = [], [], []
    for i in range(args.repeats):
        seconds, f["plain_rows"] = plain_aggregate(db)
        plain.append(seconds)
        startup.append(survey(STARTUP_CMD, db.env)[0])
        seconds, out = survey(INDEX_CMD, db.env)
        index.append(seconds)
        json.loads(out)  # a valid report
        log(f"{db.kind}: run {i + 1}/{args.repeats}: plain {plain[-1]:.2f} s, "
            f"index {index[-1]:.2f} s, start-up {startup[-1]:.2f} s")
    f.update(plain=plain, index=index, startup=startup)
    f["plain_s"] = statistics.median(plain)
    f["index_s"] = statistics.median(index)
    f["startup_s"] = statistics.median(startup)
    f["ratio_gross"] = f["index_s"] / f["plain_s"]
    f["ratio_net"] = max(f["index_s"] - f["startup_s"], 0) / f["plain_s"]

    out_file = db.workdir / "export.csv"
    log(f"{db.kind}: CSV export of everything")
    seconds, code, rss_kib = measured_child(
        [str(BIN / "survey"), "responses", "export", "--format", "csv", "--out", str(out_file),
         "--json"], db.env, db.workdir / "export.log")
    if code != 0:
        raise BenchError(f"export exited {code}:\n"
                         + (db.workdir / "export.err").read_text(errors="replace")[-3000:])
    summary = json.loads((db.workdir / "export.log").read_text())
    if summary.get("rows") != db.responses:
        raise BenchError(f"export wrote {summary.get('rows')} rows, "
                         f"{db.responses} responses stored")
    f.update(export_s=seconds, export_rss_mb=rss_kib / 1024, export_rows=summary["rows"],
             export_bytes=out_file.stat().st_size)
    with contextlib.suppress(OSError):
        out_file.unlink()
    log(f"{db.kind}: plain {f['plain_s']:.2f} s, index {f['index_s']:.2f} s "
        f"(start-up {f['startup_s']:.2f} s): {f['ratio_gross']:.1f}x gross, "
        f"{f['ratio_net']:.1f}x net; export {seconds:.1f} s, peak RSS {rss_kib / 1024:.0f} MB, "
        f"{f['export_bytes'] / 1e6:.0f} MB file")
    if f["ratio_net"] > INDEX_TARGET and args.profile:
        profile_index(db)


def profile_index(db: Db) -> None:
    """Time each statement ``survey index`` sends (SQLAlchemy events), in-process."""
    code = r"""
import json, sys, time
from sqlalchemy import event
from survey import create_app
from survey.extensions import db
app = create_app()
out = []
with app.app_context():
    engine = db.engine
    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, params, context, many):
        conn.info["t0"] = time.perf_counter()
    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, params, context, many):
        out.append({"sql": " ".join(statement.split()),
                    "execute_s": time.perf_counter() - conn.info["t0"], "rows": cursor.rowcount})
    from survey.analysis import load as L
    from survey.analysis.run import Scope
    from survey.services.indices import load_method, run_index
    t0 = time.perf_counter()
    run_index(load_method("sipas"), Scope(None, None, None, None), "unit")
    total = time.perf_counter() - t0
print(json.dumps({"total_s": total, "statements": out}))
"""
    log(f"{db.kind}: profiling survey index (statement times)")
    try:
        data = json.loads(run([sys.executable, "-c", code], env=db.env, timeout=1800)
                          .strip().splitlines()[-1])
    except (BenchError, ValueError) as error:
        log(f"{db.kind}: profile failed: {error}")
        return
    # Fetch time is not in execute_s on SQLite (rows come lazily): add each query's share of the
    # remaining time would guess; instead show execute times and the in-process total.
    db.figures["profile"] = data
    for s in data["statements"]:
        log(f"  {s['execute_s']:.2f} s  {s['sql'][:160]}")
    log(f"  in-process run_index total {data['total_s']:.2f} s")


# ---- RESULTS.md ---------------------------------------------------------------------------------

TITLES = {"sqlite": "SQLite (a fresh file in a temp dir; WAL, as the app sets)",
          "postgresql": f"PostgreSQL (database `{PG_DB}` on 127.0.0.1, dropped and recreated)"}


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def render(dbs: list[Db], args, command: str, code: str, tools: str,
           load: tuple[tuple[float, ...], tuple[float, ...]]) -> str:
    """The section of ``dbs[0]`` (called once per database)."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    la = lambda t: "/".join(f"{x:.1f}" for x in t)  # noqa: E731
    lines = [
        HEADINGS[dbs[0].kind], "",
        f"Code measured: {code}.", "",
        f"Measured {now} on {machine()}; {tools}. Load average (1/5/15 min) {la(load[0])} before "
        f"the run and {la(load[1])} after it.", "",
        f"Command: `{command}`", "",
        f"Data: {args.responses:,} SIPAS responses (current `sipas` version) on top of "
        f"`survey demo`, spread over its {{counters}} counters and their units and the last 12 "
        f"months, 23 answers each (A1..E4 and `overall`; about 5% of A1..E4 \"no opinion\", "
        f"NULL). Responses are bulk-loaded from Python (SQLite `executemany` in one transaction, "
        f"PostgreSQL `COPY`), answers by one `INSERT ... SELECT` in the database; then ANALYZE.",
        "",
        f"- **Plain aggregate**: `{PLAIN_SQL}` through the app's driver (SQLAlchemy with "
        f"pysqlite / psycopg 3), a fresh connection each run, all rows fetched.",
        f"- **Index**: `survey {' '.join(INDEX_CMD)}` as a subprocess, whole process wall time "
        f"(gross). **Start-up**: `survey {' '.join(STARTUP_CMD)}`, a trivial command; net = "
        f"index − start-up.",
        "- **Export**: `survey responses export --format csv --out FILE` as a subprocess, once; "
        "peak RSS of that process (`ru_maxrss`, read by a small launcher process so that the "
        "benchmark's own memory, copied at fork, is not counted), wall time, file size; rows "
        "checked against the responses stored.",
        f"- Times are the median of {args.repeats} run(s)"
        + (" after one warm-up of each" if args.warmup else " (no warm-up run)")
        + "; the page cache is warm (the data fits in RAM, and was just loaded).",
        "",
        "| Database | Load | Plain aggregate | Index (gross) | Start-up | Index/plain gross "
        "| Index/plain net (target ≤ 3×) | Export time | Export peak RSS (target < 300 MB) "
        "| CSV size |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db in dbs:
        f = db.figures
        lines.append(
            f"| {db.kind} | {db.load_seconds:.0f} s | {f['plain_s']:.2f} s | {f['index_s']:.2f} s "
            f"| {f['startup_s']:.2f} s | {f['ratio_gross']:.1f}× "
            f"| **{f['ratio_net']:.1f}×** ({verdict(f['ratio_net'] <= INDEX_TARGET)}) "
            f"| {f['export_s']:.1f} s | **{f['export_rss_mb']:.0f} MB** "
            f"({verdict(f['export_rss_mb'] < EXPORT_TARGET_MB)}) "
            f"| {f['export_bytes'] / 1e6:.0f} MB |")
    lines.append("")
    for db in dbs:
        f = db.figures
        runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
        lines += [
            f"### {TITLES[db.kind]}", "",
            f"{db.responses:,} responses and {db.answers:,} answers stored ({db.nulls:,} NA). "
            f"Runs, seconds: plain {runs(f['plain'])} ({f['plain_rows']} rows); index "
            f"{runs(f['index'])}"
            + (f" (warm-up {f['index_warmup']:.2f})" if f["index_warmup"] is not None else "")
            + f"; start-up {runs(f['startup'])}. "
            f"Export: {f['export_rows']:,} rows in {f['export_s']:.1f} s "
            f"({f['export_rows'] / f['export_s']:,.0f} rows/s), peak RSS "
            f"{f['export_rss_mb']:.0f} MB, {f['export_bytes'] / 1e6:.0f} MB file.", "",
        ]
        if "profile" in f:
            p = f["profile"]
            lines += [f"Where the index's time goes (in-process `run_index`, "
                      f"{p['total_s']:.2f} s in all; execute time per statement):", ""]
            for s in p["statements"]:
                sql = s["sql"] if len(s["sql"]) <= 400 else s["sql"][:400] + " …"
                lines.append(f"- {s['execute_s']:.2f} s: `{sql}`")
            lines.append("")
    return "\n".join(lines).replace("{counters}", str(args.counters or "the"))


# ---- main ---------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--responses", type=int, default=1_000_000,
                        help="SIPAS responses to load (23 answers each)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs each (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the untimed warm-up run of each measurement")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="do not profile the index when it misses its target")
    parser.add_argument("--no-fail-target", action="store_true",
                        help="exit 0 even when a target is missed")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite, logs)")
    args = parser.parse_args(argv)
    if args.responses < 1 or args.repeats < 1:
        parser.error("--responses and --repeats must be at least 1")
    args.counters = None
    return args


def run_one(kind: str, root: Path, args: argparse.Namespace) -> Db:
    log(f"{kind}: survey db upgrade, survey demo")
    db = prepare(kind, root)
    if args.counters is None:
        engine = engine_for(db)
        from sqlalchemy import text

        with engine.connect() as conn:
            args.counters = conn.execute(text("SELECT count(*) FROM counters")).scalar_one()
        engine.dispose()
    log(f"{kind}: loading {args.responses:,} responses")
    load(db, args.responses, args.seed)
    bench(db, args)
    if kind == "postgresql" and not args.keep:
        drop_database(PG_DB)
    elif kind == "sqlite" and not args.keep:
        shutil.rmtree(db.workdir, ignore_errors=True)
    return db


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = command_line("index.py", argv)
    load_before = os.getloadavg()
    tools = versions()
    dbs: list[Db] = []
    try:
        with work_dir("bench_index_", args.keep, log,
                      f" (SQLite file, export logs); PostgreSQL database {PG_DB} kept") as root:
            for kind in kinds(args.db):
                dbs.append(run_one(kind, root, args))
    except BenchError as error:
        log(f"error: {error}")
        return 1
    if not args.no_write:
        for db in dbs:
            write_results(render([db], args, command, describe_tree(), tools,
                                 (load_before, os.getloadavg())), HEADINGS[db.kind])
        log(f"wrote {RESULTS.relative_to(ROOT)}")
    missed = [db.kind for db in dbs if db.figures["ratio_net"] > INDEX_TARGET
              or db.figures["export_rss_mb"] >= EXPORT_TARGET_MB]
    if missed:
        log(f"target missed on {', '.join(missed)}")
        return 0 if args.no_fail_target else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
