"""Survey submissions per second: the real app against a bare Flask + SQLAlchemy insert.

For each database (SQLite file with the app's WAL settings, and PostgreSQL), in the same run:

1. prepare the survey database with ``survey db upgrade`` and ``survey demo``, and the bare app's
   table (``benchmarks/bare_app.py``);
2. serve both apps with gunicorn on 127.0.0.1 (random free ports), the same worker count and class;
3. get the cookies and CSRF token of the survey form of a demo counter, then drive
   ``POST /s/<code>`` with wrk: every request is a distinct, valid submission (its own
   ``idempotency_key``), to the survey and to the bare app alike;
4. warm each server up, then measure them alternately (real, bare, bare, real, ...) and take the
   median requests/s and p99 latency;
5. check that the rows stored equal the 302 answers wrk saw (plus at most the requests still in
   flight when wrk stopped) and that nothing answered an error;
6. rewrite the "Survey submission throughput" section of ``benchmarks/RESULTS.md``.

Rate limiting and the per-browser repeat refusal are switched off for the run
(``SURVEY_RATE_LIMITS=0``, ``SURVEY_REPEAT_WINDOW_MINUTES=0``): we measure the submission path,
not the limiter refusing. Exit status: 0 when every measurement ran clean (whatever the ratio;
``--fail-below-target`` makes a ratio under 70% exit 3), 1 when anything failed.

    .venv/bin/python benchmarks/submit.py [--db sqlite|postgresql|both] [--duration 8]
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import common  # benchmarks/common.py, beside this script
from common import PG_ADMIN, RESULTS, BenchError, describe_tree, git, machine
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The checkout whose app is measured: this one, or another (``--app-root``, e.g. an exported
# commit) run with this checkout's virtualenv.
APP_ROOT = ROOT
HEADING = "## Survey submission throughput (benchmarks/submit.py)"
TARGET = 0.70
PG_DB = "bench_submit"  # --pg-database changes it (dropped and recreated by each run)
BIN = Path(sys.executable).parent

log = common.logger("submit-bench")


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run a command in the measured checkout; raise BenchError with its output if it fails."""
    return common.run(cmd, env=env, timeout=timeout, cwd=APP_ROOT)


def pg_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def set_app_root(path: Path) -> None:
    """Measure the app in ``path``: in this process and in every server and command started."""
    global APP_ROOT
    APP_ROOT = path.resolve()
    if not (APP_ROOT / "survey" / "__init__.py").exists():
        raise BenchError(f"{APP_ROOT} holds no survey package")
    sys.path.insert(0, str(APP_ROOT))


def export_commit(rev: str, dest: Path) -> str:
    """Export ``rev`` into ``dest`` (git archive, translations compiled) and measure that."""
    sha = git("rev-parse", "--verify", "--short", f"{rev}^{{commit}}")
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", sha],  # noqa: S603,S607
                             capture_output=True, timeout=120, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    if any((dest / "translations").glob("*/LC_MESSAGES/messages.po")):
        run([str(BIN / "pybabel"), "compile", "--directory", str(dest / "translations")])
    set_app_root(dest)
    log(f"measuring commit {sha}, exported to {dest}")
    return f"commit {sha} (exported with git archive, translations compiled)"


def db_engine(url: str):
    from survey.config import normalise_database_url

    return create_engine(normalise_database_url(url))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- servers -------------------------------------------------------------------------------------

@dataclass
class Server:
    """A gunicorn master (and its workers) started in its own process group."""

    name: str
    app: str
    env: dict[str, str]
    workers: int
    log_path: Path
    chdir: Path = field(default_factory=lambda: APP_ROOT)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> None:
        cmd = [str(BIN / "gunicorn"), "--workers", str(self.workers), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{self.port}", "--chdir", str(self.chdir), self.app]
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=self.chdir, stdout=self._log,  # noqa: S603
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, ready_path: str, timeout: float = 60) -> None:
        """Wait until the server answers 200 on ``ready_path`` (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} server exited {self.proc.returncode} at start:\n"
                                 + self.log_tail())
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.base + ready_path, timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            time.sleep(0.2)
        raise BenchError(f"{self.name} server did not answer within {timeout:.0f} s:\n"
                         + self.log_tail())

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        # The workers share the master's process group; make sure none outlives it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


# ---- the load generator --------------------------------------------------------------------------

LUA = r"""
-- Generated by benchmarks/submit.py: one distinct, valid survey submission per request.
local path = "%(path)s"
local prefix = "%(prefix)s"
local csrf = "%(csrf)s"
local procedures = {%(procedures)s}
local comments = {%(comments)s}
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "%(cookie)s",
}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  sent, n302, bad_location, other, last_other = 0, 0, 0, 0, 0
end

function request()
  sent = sent + 1
  local n = sent
  local body = "csrf_token=" .. csrf
    .. "&idempotency_key=" .. string.format("%%s-%%02d-%%010d", prefix, tid, n)
    .. "&token=&q_overall=" .. (n %% 5 + 1)
    .. "&q_attitude=" .. ((n + 2) %% 5 + 1)
    .. "&procedure=" .. procedures[n %% #procedures + 1]
    .. "&comment=" .. comments[n %% #comments + 1]
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
  if status == 302 then
    n302 = n302 + 1
    local location = hdrs["Location"] or hdrs["location"] or ""
    if not string.find(location, "/thanks", 1, true) then bad_location = bad_location + 1 end
  else
    other = other + 1
    last_other = status
  end
end

function done(summary, latency, requests)
  local t = {sent = 0, n302 = 0, bad_location = 0, other = 0, last_other = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      if k == "last_other" then
        if thread:get(k) ~= 0 then t[k] = thread:get(k) end
      else
        t[k] = t[k] + thread:get(k)
      end
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\"completed\": %%d, \"duration_us\": %%d, \"sent\": %%d, \"n302\": %%d, "
    .. "\"bad_location\": %%d, \"other_status\": %%d, \"last_other_status\": %%d, "
    .. "\"connect_errors\": %%d, \"read_errors\": %%d, \"write_errors\": %%d, "
    .. "\"timeouts\": %%d, \"status_errors\": %%d, "
    .. "\"p50_us\": %%d, \"p90_us\": %%d, \"p99_us\": %%d, \"max_us\": %%d, \"mean_us\": %%.1f}\n",
    summary.requests, summary.duration, t.sent, t.n302, t.bad_location, t.other, t.last_other,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


@dataclass(frozen=True)
class Session:
    """What a citizen's browser holds after opening the form: its cookies and the CSRF token."""

    path: str
    cookie: str
    csrf: str
    procedures: tuple[str, ...]


def lua_list(values) -> str:
    return ", ".join(json.dumps(v) for v in values)


# Most citizens leave the procedure and the comment empty; some fill them in. Request n takes
# procedure_mix(...)[n % 4] and COMMENTS[n % 6] (the Lua script and profile_submit.py alike).
COMMENTS = ("", "", "", "Cán bộ hướng dẫn tận tình, cảm ơn.", "", "Phải chờ hơi lâu ở quầy số 2.")


def procedure_mix(procedures: tuple[str, ...]) -> list[str]:
    return ["", *procedures[:3]]


def write_lua(session: Session, prefix: str, dest: Path) -> Path:
    procedures = [urllib.parse.quote_plus(p) for p in procedure_mix(session.procedures)]
    comments = [urllib.parse.quote_plus(c) for c in COMMENTS]
    dest.write_text(LUA % {
        "path": session.path, "prefix": prefix, "csrf": urllib.parse.quote_plus(session.csrf),
        "cookie": session.cookie, "procedures": lua_list(procedures),
        "comments": lua_list(comments),
    }, encoding="utf-8")
    return dest


@dataclass(frozen=True)
class WrkResult:
    data: dict
    cpu_ms: float = 0.0  # server CPU (gunicorn processes + database backends) per stored row

    @property
    def seconds(self) -> float:
        return self.data["duration_us"] / 1e6

    @property
    def rps(self) -> float:
        return self.data["n302"] / self.seconds

    @property
    def p99_ms(self) -> float:
        return self.data["p99_us"] / 1000

    @property
    def errors(self) -> int:
        d = self.data
        return (d["other_status"] + d["bad_location"] + d["connect_errors"] + d["read_errors"]
                + d["write_errors"] + d["timeouts"])

    @property
    def in_flight(self) -> int:
        """Requests written whose answer wrk never read (it stops mid-request)."""
        return max(self.data["sent"] - self.data["completed"], 0)


def run_wrk(url: str, script: Path, duration: int, args: argparse.Namespace) -> WrkResult:
    cmd = ["wrk", "--threads", str(args.threads), "--connections", str(args.connections),
           "--duration", f"{duration}s", "--timeout", "10s", "--script", str(script), url]
    out = run(cmd, timeout=duration + 60)
    match = re.search(r"^BENCH_RESULT (\{.*\})$", out, re.MULTILINE)
    if match is None:
        raise BenchError(f"wrk printed no result:\n{out}")
    return WrkResult(json.loads(match.group(1)))


# ---- CPU accounting ------------------------------------------------------------------------------
# Throughput on a shared machine moves with whatever else runs; the CPU time the servers spend per
# submission does much less. Both are reported.

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, or None if it is gone or unreadable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group (a gunicorn master and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry.name))
    return pids


def backend_pids(engine) -> list[int]:
    """PostgreSQL backends serving this database (the apps' pools), not our own connection."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalars())


def cpu_snapshot(server: Server, engine) -> dict[int, float]:
    pids = group_pids(server.proc.pid) + backend_pids(engine)
    return {pid: cpu for pid in pids if (cpu := cpu_seconds(pid)) is not None}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


# ---- one database --------------------------------------------------------------------------------

@dataclass
class Target:
    """One of the two apps under test, with the table its submissions land in."""

    label: str
    server: Server
    path: str
    count_sql: str
    results: list[WrkResult] = field(default_factory=list)
    stored: int = 0


def count_rows(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def settled_count(engine, sql: str, timeout: float = 15) -> int:
    """The row count once the server has finished the requests wrk left in flight."""
    deadline = time.monotonic() + timeout
    previous = count_rows(engine, sql)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        current = count_rows(engine, sql)
        if current == previous:
            return current
        previous = current
    return previous


def open_form(base: str, survey_path: str) -> Session:
    """GET the survey form once, as a browser would, and keep its cookies and CSRF token."""
    with urllib.request.urlopen(base + survey_path, timeout=10) as reply:  # noqa: S310
        page = reply.read().decode("utf-8")
        cookies = reply.headers.get_all("Set-Cookie") or []
    # Every cookie the form sets goes back with each submission, as a browser sends them (the
    # form's CSRF cookie, a session cookie if the app sets one).
    cookie = "; ".join(c.split(";", 1)[0] for c in cookies)
    csrf = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
    if not cookie or csrf is None:
        raise BenchError(f"the form at {survey_path} gave no cookie or CSRF token")
    procedures = tuple(html.unescape(v) for v in re.findall(r'<option value="([^"]+)"', page))
    return Session(survey_path, cookie, html.unescape(csrf.group(1)), procedures)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_once(base: str, session: Session) -> None:
    """One submission from Python, to fail early and clearly if the form is refused."""
    body = urllib.parse.urlencode({
        "csrf_token": session.csrf, "idempotency_key": "bench-check-" + secrets.token_hex(8),
        "token": "", "q_overall": "5", "q_attitude": "4", "procedure": "", "comment": "",
    }).encode()
    req = urllib.request.Request(base + session.path, data=body, method="POST", headers={  # noqa: S310
        "Cookie": session.cookie, "Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=10) as reply:
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 302:
        raise BenchError(f"a check submission to {base}{session.path} answered {status}, not 302")


def app_env(database_url: str, secret: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SURVEY_") and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update({
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        "SURVEY_BASE_URL": f"http://127.0.0.1:{port}",
        "SURVEY_RATE_LIMITS": "0",            # measure the submission path, not the limiter
        "SURVEY_REPEAT_WINDOW_MINUTES": "0",  # one browser session sends every submission
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(APP_ROOT),          # the checkout under test, before the editable install
    })
    return env


def prepare_database(kind: str, workdir: Path) -> tuple[str, str]:
    """Return (survey database URL, bare app database URL), both empty."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'survey.db'}", f"sqlite:///{workdir / 'bare.db'}"
    if shutil.which("createdb") is None:
        raise BenchError("createdb is not on PATH: PostgreSQL client tools are needed")
    common.drop_database(PG_DB)
    run(["createdb", *PG_ADMIN, PG_DB], timeout=60)
    return pg_url(PG_DB), pg_url(PG_DB)


@dataclass(frozen=True)
class Prepared:
    """A database ready for the run: the survey's schema and demo data, the bare table."""

    kind: str
    workdir: Path
    survey_url: str
    bare_url: str
    survey_path: str
    real_port: int
    env: dict[str, str]


def prepare(kind: str, root: Path) -> Prepared:
    workdir = root / kind
    workdir.mkdir()
    survey_url, bare_url = prepare_database(kind, workdir)
    real_port = free_port()
    env = app_env(survey_url, secrets.token_hex(32), real_port)
    run([str(BIN / "survey"), "db", "upgrade"], env=env, timeout=300)
    demo = json.loads(run([str(BIN / "survey"), "demo", "--format", "json"], env=env,
                          timeout=300))
    if not demo.get("survey_url"):
        raise BenchError("survey demo created no counter")
    sys.modules["bare_app"].init_db(bare_url)
    return Prepared(kind, workdir, survey_url, bare_url,
                    urllib.parse.urlsplit(demo["survey_url"]).path, real_port, env)


def load_bare_app():
    if "bare_app" in sys.modules:
        return sys.modules["bare_app"]
    spec = importlib.util.spec_from_file_location("bare_app", HERE / "bare_app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bare_app"] = module  # its annotations are resolved through sys.modules
    spec.loader.exec_module(module)
    return module


def measure(target: Target, engine, script: Path, duration: int, args, warmup: bool) -> WrkResult:
    before = count_rows(engine, target.count_sql)
    cpu_before = cpu_snapshot(target.server, engine)
    result = run_wrk(target.server.base + target.path, script, duration, args)
    after = settled_count(engine, target.count_sql)
    cpu = cpu_used(cpu_before, cpu_snapshot(target.server, engine))
    stored = after - before
    d = result.data
    result = WrkResult(d, cpu * 1000 / stored if stored else 0.0)
    what = "warm-up" if warmup else "run"
    log(f"  {target.label:<5} {what}: {result.rps:7.1f} req/s, p99 {result.p99_ms:6.1f} ms, "
        f"server CPU {result.cpu_ms:5.2f} ms/submission, 302s {d['n302']}, stored {stored}, "
        f"in flight at stop {result.in_flight}")
    if not target.server.alive():
        raise BenchError(f"the {target.label} server died:\n{target.server.log_tail()}")
    if result.errors:
        raise BenchError(f"{target.label}: {result.errors} failed requests: {d}\n"
                         + target.server.log_tail(10))
    if not d["n302"] <= stored <= d["n302"] + result.in_flight:
        raise BenchError(f"{target.label}: {stored} rows stored but wrk saw {d['n302']} "
                         f"redirects ({result.in_flight} in flight at stop)")
    target.stored += stored
    return result


def bench_database(db: Prepared, args: argparse.Namespace) -> dict:
    servers: list[Server] = []
    engines = []
    try:
        real = Server("survey", "survey:create_app()", db.env, args.workers,
                      db.workdir / "survey-gunicorn.log", port=db.real_port)
        bare = Server("bare", "bare_app:create_app()", dict(db.env, BARE_DATABASE_URL=db.bare_url),
                      args.workers, db.workdir / "bare-gunicorn.log", chdir=HERE)
        for server in (real, bare):
            servers.append(server)
            server.launch()
        real.wait_ready("/healthz")
        bare.wait_ready("/")
        log(f"{db.kind}: survey on {real.base}{db.survey_path}, bare on {bare.base}, "
            f"{args.workers} sync workers each")

        session = open_form(real.base, db.survey_path)
        post_once(real.base, session)
        survey_engine = db_engine(db.survey_url)
        bare_engine = db_engine(db.bare_url)
        engines += [survey_engine, bare_engine]
        targets = {
            "real": (Target("real", real, db.survey_path, "SELECT count(*) FROM responses"),
                     survey_engine),
            "bare": (Target("bare", bare, db.survey_path, "SELECT count(*) FROM bare_responses"),
                     bare_engine),
        }
        run_id = secrets.token_hex(3)
        for name, (target, engine) in targets.items():
            script = write_lua(session, f"w{run_id}{name}", db.workdir / f"warm-{name}.lua")
            measure(target, engine, script, args.warmup, args, warmup=True)
        for i in range(args.repeats):
            for name in (("real", "bare") if i % 2 == 0 else ("bare", "real")):
                target, engine = targets[name]
                script = write_lua(session, f"r{run_id}{name}{i}", db.workdir / f"run-{name}.lua")
                target.results.append(measure(target, engine, script, args.duration, args,
                                              warmup=False))
        answers = count_rows(survey_engine, "SELECT count(*) FROM answers")
        responses = count_rows(survey_engine, "SELECT count(*) FROM responses")
        if answers != 2 * responses:  # every submission answers q_overall and q_attitude
            raise BenchError(f"{responses} responses but {answers} answers (expected 2 each)")
        return summarise(db.kind, targets["real"][0], targets["bare"][0])
    finally:
        for engine in engines:
            engine.dispose()
        for server in reversed(servers):
            server.stop()


def summarise(kind: str, real: Target, bare: Target) -> dict:
    """Medians per app; the ratio is the median over pairs of back-to-back runs."""
    def med(results, attr):
        return statistics.median(getattr(r, attr) for r in results)

    out = {"db": kind}
    for t in (real, bare):
        out[t.label] = {"rps": med(t.results, "rps"), "p99_ms": med(t.results, "p99_ms"),
                        "cpu_ms": med(t.results, "cpu_ms"),
                        "runs": [round(r.rps, 1) for r in t.results],
                        "p99_runs": [round(r.p99_ms, 1) for r in t.results],
                        "stored": t.stored}
    pairs = [r.rps / b.rps for r, b in zip(real.results, bare.results, strict=True)]
    out["pair_ratios"] = pairs
    out["ratio"] = statistics.median(pairs)
    out["cpu_ratio"] = out["bare"]["cpu_ms"] / out["real"]["cpu_ms"]
    return out


# ---- RESULTS.md ---------------------------------------------------------------------------------

def versions() -> str:
    tools = []
    with contextlib.suppress(BenchError, OSError):
        tools.append("gunicorn " + run([str(BIN / "gunicorn"), "--version"]).split()[-1]
                     .strip("()"))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        tools.append(_wrk_version())
    return common.versions(*tools)


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True,  # noqa: S603,S607
                          timeout=10, check=False)
    match = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return f"wrk {match.group(1)}" if match else "wrk"


def title(kind: str) -> str:
    if kind == "sqlite":
        return "SQLite (a fresh file in a temp dir; WAL, synchronous=NORMAL, as the app sets)"
    return f"PostgreSQL (database `{PG_DB}` on 127.0.0.1, dropped and recreated)"


def render(results: list[dict], args: argparse.Namespace, command: str, code: str,
           tools: str, load: tuple[float, float]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        HEADING, "",
        f"Code measured: {code}.", "",
        f"Measured {now} on {machine()}; {tools}. Load average (1 min) {load[0]:.1f} "
        f"before the run and {load[1]:.1f} after it (load from other processes shares the "
        f"CPUs with servers, database and wrk; the two apps are measured alternately so that "
        f"it weighs on both alike).", "",
        f"Command: `{command}`", "",
        f"Both apps are served by gunicorn (the production server `make run` uses) on 127.0.0.1 "
        f"with the same settings: {args.workers} sync workers, defaults otherwise. wrk drives "
        f"each with {args.threads} thread{'s' if args.threads > 1 else ''} and "
        f"{args.connections} connections for "
        f"{args.duration} s per measurement, after a {args.warmup} s warm-up; the apps are "
        f"measured alternately, {args.repeats} times each, and the table shows the medians. "
        f"Sync workers close the connection after each answer, so wrk keeps two connections "
        f"per worker by default: a worker never waits for a client to reconnect.",
        "",
        "- **Real submission**: `POST /s/<code>` of the survey app on a demo counter, each request "
        "a distinct, valid submission (its own `idempotency_key`, `q_overall` and `q_attitude`, "
        "sometimes a procedure and a comment) with the cookies and CSRF token of one visit to "
        "the form; "
        "it answers 302 to the thanks page. JSON request logging is on (the default), to a file.",
        "- **Bare insert**: `benchmarks/bare_app.py`, Flask + Flask-SQLAlchemy that INSERTs one "
        "row (same fields, unique key) and answers 302, on the same kind of database with the "
        "same PRAGMAs; same request bodies. No CSRF, session, template, logging or "
        "`pool_pre_ping`: the floor that Flask, SQLAlchemy and one commit cost.",
        "- Rate limiting (`SURVEY_RATE_LIMITS=0`) and the per-browser repeat refusal "
        "(`SURVEY_REPEAT_WINDOW_MINUTES=0`) are deliberately off for the run: we measure the "
        "submission path, not the limiter refusing. In production each submission also pays "
        "for two limit checks, not measured here.",
        "- Checked after every measurement: no error or non-302 answer, and the rows stored equal "
        "the 302s wrk saw (plus at most the requests in flight when wrk stopped); every stored "
        "response has its two answers.",
        "",
    ]
    for r in results:
        real, bare = r["real"], r["bare"]
        verdict = "pass" if r["ratio"] >= TARGET else "**FAIL**"
        pairs = ", ".join(f"{x:.0%}" for x in r["pair_ratios"])
        lines += [
            f"### {title(r['db'])}", "",
            "| | submissions/s | p99 latency | server CPU per submission |",
            "|---|---:|---:|---:|",
            f"| Real submission | {real['rps']:.0f} | {real['p99_ms']:.1f} ms "
            f"| {real['cpu_ms']:.2f} ms |",
            f"| Bare insert | {bare['rps']:.0f} | {bare['p99_ms']:.1f} ms "
            f"| {bare['cpu_ms']:.2f} ms |",
            f"| **Real/bare** | **{r['ratio']:.0%}** (target ≥ {TARGET:.0%}: {verdict}) | "
            f"{real['p99_ms'] / bare['p99_ms']:.1f}× | bare/real: {r['cpu_ratio']:.0%} |",
            "",
            f"Throughput ratio: median over back-to-back pairs of runs ({pairs}). "
            f"Runs, req/s (p99 ms): real {_runs(real)}; bare {_runs(bare)}. "
            f"Rows stored and verified: real {real['stored']}, bare {bare['stored']} "
            f"(warm-up included).",
            "",
        ]
    lines += [
        "Server CPU per submission is the CPU time of the gunicorn master and workers (and, on "
        "PostgreSQL, of the database backends serving their connections) divided by the rows "
        "stored; wrk's own CPU is not counted. It varies much less with other load on the "
        "machine than requests/s do, and bare/real CPU is roughly the throughput ratio to "
        "expect on an otherwise idle machine.", "",
    ]
    # Only the load before the run speaks of other processes: by its end the servers, the
    # database and wrk have pushed the load average to about the CPU count themselves.
    if load[0] > os.cpu_count() or any(
            max(r["pair_ratios"]) > 1.5 * min(r["pair_ratios"]) for r in results):
        lines += ["**Noisy run**: the machine was busy before the run (load average above its "
                  "CPU count) or "
                  "the pairs of runs disagree by more than half; trust the CPU column over the "
                  "requests/s, and rerun on a quiet machine before relying on the ratio.", ""]
    if any(r["ratio"] < TARGET or r["cpu_ratio"] < TARGET for r in results):
        lines += ["Where the real submission's time goes: `benchmarks/profile_submit.py` (its "
                  "section below, when it has been run with `--write`).", ""]
    return "\n".join(lines)


def _runs(t: dict) -> str:
    return ", ".join(f"{rps:.0f} ({p99:.1f})" for rps, p99 in zip(t["runs"], t["p99_runs"],
                                                                   strict=True))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=6, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per server")
    parser.add_argument("--repeats", type=int, default=4,
                        help="measurements per app, alternating (median)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per app")
    parser.add_argument("--connections", type=int, default=4,
                        help="wrk connections (default: 2 per worker, so none waits idle)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--commit", metavar="REV",
                        help="measure this commit (exported with git archive) instead of the "
                             "working tree, e.g. HEAD while the tree is being edited")
    parser.add_argument("--pg-database", default=PG_DB, metavar="NAME",
                        help=f"PostgreSQL database to drop and recreate (default {PG_DB})")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite)")
    parser.add_argument("--fail-below-target", action="store_true",
                        help=f"exit 3 when a ratio is below {TARGET * 100:.0f}%%")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 1 or args.repeats < 1 or args.workers < 1:
        parser.error("--duration, --warmup, --repeats and --workers must be at least 1")
    if args.threads < 1 or args.connections < args.threads:
        parser.error("need at least one wrk thread and one connection per thread")
    return args


def set_pg_database(name: str) -> None:
    """Use ``name`` as the PostgreSQL database of this run (and of profile_submit.py's)."""
    global PG_DB
    PG_DB = name


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        log("error: wrk is not installed (apt-get install wrk)")
        return 1
    set_pg_database(args.pg_database)
    kinds = common.kinds(args.db)
    command = common.command_line("submit.py", argv)
    results = []
    load_before = os.getloadavg()[0]
    tools = versions()
    try:
        with common.work_dir("bench_submit_", args.keep, log,
                             " (server logs, SQLite files, wrk scripts)") as root:
            code = export_commit(args.commit, root / "app") if args.commit else describe_tree()
            load_bare_app()
            log(f"preparing {' and '.join(kinds)} (survey db upgrade, survey demo) in {root}")
            # Both databases are prepared side by side, before any measurement starts.
            with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
                prepared = list(pool.map(lambda kind: prepare(kind, root), kinds))
            for db in prepared:
                results.append(bench_database(db, args))
    except BenchError as error:
        log(f"error: {error}")
        return 1
    for r in results:
        log(f"{r['db']}: real {r['real']['rps']:.0f} req/s (p99 {r['real']['p99_ms']:.1f} ms), "
            f"bare {r['bare']['rps']:.0f} req/s (p99 {r['bare']['p99_ms']:.1f} ms), "
            f"ratio {r['ratio']:.0%} (target {TARGET:.0%}); server CPU per submission "
            f"real {r['real']['cpu_ms']:.2f} ms, bare {r['bare']['cpu_ms']:.2f} ms "
            f"(bare/real {r['cpu_ratio']:.0%})")
    if not args.no_write:
        common.write_results(render(results, args, command, code, tools,
                                    (load_before, os.getloadavg()[0])), HEADING)
        log(f"wrote {RESULTS.relative_to(ROOT)}")
    if args.fail_below_target and any(r["ratio"] < TARGET for r in results):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
