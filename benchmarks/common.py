"""What the benchmark scripts share: running commands, describing the machine and the code,
the steps of their ``main()``, and writing their own section of RESULTS.md."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
PG_ADMIN = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
DATABASES = ["sqlite", "postgresql", "both"]  # the choices of every script's --db


class BenchError(RuntimeError):
    """Something went wrong: the run is not valid."""


def logger(name: str) -> Callable[[str], None]:
    """A ``log(message)`` that prints ``[NAME hh:mm:ss] message`` at once."""
    def log(message: str) -> None:
        print(f"[{name} {time.strftime('%H:%M:%S')}] {message}", flush=True)
    return log


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 600,
        cwd: Path = ROOT) -> str:
    """Run a command to completion; raise BenchError with its output if it fails."""
    try:
        done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,  # noqa: S603
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{' '.join(cmd)} did not finish in {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def drop_database(name: str) -> None:
    """Drop a PostgreSQL database of a benchmark (never the test database)."""
    run(["dropdb", *PG_ADMIN, "--if-exists", "--force", name], timeout=120)


# ---- what RESULTS.md says about the run ---------------------------------------------------------

def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GB RAM"
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}{mem}, "
            f"Linux {platform.release()}, Python {platform.python_version()}")


def versions(*tools: str) -> str:
    """``tools`` (already described), then the PostgreSQL server's and SQLite's versions."""
    parts = list(tools)
    with contextlib.suppress(BenchError, OSError):
        parts.append("PostgreSQL " + run(["psql", *PG_ADMIN, "-d", "postgres", "-Atc",
                                          "SHOW server_version"], timeout=30).split()[0])
    parts.append(f"SQLite {sqlite3.sqlite_version}")
    return ", ".join(parts)


def git(*args: str) -> str:
    return run(["git", "-C", str(ROOT), *args], timeout=60).strip()


def describe_tree(paths: tuple[str, ...] = ("survey", "templates", "migrations")) -> str:
    """Which code the working tree holds, for RESULTS.md."""
    try:
        sha = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", *paths)
    except BenchError:
        return f"the working tree at {ROOT}"
    return f"the working tree at commit {sha}" + (" with uncommitted changes" if dirty else "")


# ---- the steps of main() ------------------------------------------------------------------------

def kinds(db: str) -> list[str]:
    """The databases a ``--db`` choice means, in the order they are measured."""
    return ["sqlite", "postgresql"] if db == "both" else [db]


def command_line(script: str, argv: list[str] | None) -> str:
    """The command RESULTS.md shows: the options that change figures, not --no-write/--keep."""
    shown = [a for a in (argv if argv is not None else sys.argv[1:])
             if a not in {"--no-write", "--keep"}]
    return " ".join([f".venv/bin/python benchmarks/{script}", *shown])


@contextlib.contextmanager
def work_dir(prefix: str, keep: bool = False, log: Callable[[str], None] | None = None,
             kept: str = "") -> Iterator[Path]:
    """A temp dir for one run, removed at the end unless ``keep`` (then ``log`` says so)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        if keep:
            if log is not None:
                log(f"kept {root}{kept}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def write_results(section: str, heading: str, path: Path = RESULTS) -> None:
    """Replace this benchmark's section (up to the next '## ' heading), keep the others."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        kept_before, kept_after = lines, []
        while kept_before and not kept_before[-1].strip():
            kept_before.pop()
        kept_before.append("")
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        kept_before, kept_after = lines[:start], lines[end:]
    new = kept_before + section.rstrip("\n").splitlines() + ([""] + kept_after if kept_after
                                                             else [])
    path.write_text("\n".join(new) + "\n", encoding="utf-8")
