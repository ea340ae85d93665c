"""Public pages under load: home, a round page and a published result, against a bare Flask GET, in one run.

Starts gunicorn (production settings: PostgreSQL, Redis, the page cache on Redis) on a database of its own
filled with the demo, and a bare Flask app whose one route returns a short page, on the same gunicorn
settings. Drives each URL with wrk (Debian package `wrk`) and prints requests/s, p50/p99 and the ratio to the
bare GET, then one JSON line. Run by hand; the figures go in the closing note of the change that moved them.

    .venv/bin/python bench/public_pages.py [--seconds 10] [--connections 16] [--workers 3] [--no-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_public_pages"
CLI = 'import sys; from app.cli import main; sys.argv[0] = "wijkbudget"; main()'
BARE_APP = """
from flask import Flask
app = Flask(__name__)

@app.get("/")
def page():
    return "<!doctype html><title>bare</title><p>bare</p>"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-cache", action="store_true", help="measure with PAGE_CACHE_ENABLED=0")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    env = _app_env(args)
    _fresh_database(args.pg)
    subprocess.run([sys.executable, "-c", CLI, "db", "upgrade"], env=env, cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-c", CLI, "demo"], env=env, cwd=ROOT, check=True)
    results_path = _first_result_path(env)

    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(BARE_APP)
        with _gunicorn("bare:app", 8101, args.workers, dict(os.environ), cwd=tmp):
            figures["bare"] = _wrk("http://127.0.0.1:8101/", args)
    with _gunicorn("app.wsgi:app", 8100, args.workers, env, cwd=ROOT):
        round_path = _first_round_path()
        for name, path in (("home", "/"), ("round", round_path), ("results", results_path)):
            _get(f"http://127.0.0.1:8100{path}")  # the first visit renders and stores
            figures[name] = _wrk(f"http://127.0.0.1:8100{path}", args)

    bare = figures["bare"]["per_s"]
    for name, fig in figures.items():
        ratio = fig["per_s"] / bare if bare else 0.0
        print(
            f"{name:8} {fig['per_s']:9.0f} req/s  p50 {fig['p50_ms']:6.1f} ms  p99 {fig['p99_ms']:6.1f} ms  "
            f"{ratio:6.1%} of bare"
        )
    print(
        json.dumps(
            {name: round(fig["per_s"], 1) for name, fig in figures.items()}
            | {"cache": not args.no_cache, "connections": args.connections}
        )
    )


def _app_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.pg}/{DATABASE}",
        REDIS_URL=args.redis,
        SECRET_KEY="bench-only-secret",
        PAGE_CACHE_ENABLED="0" if args.no_cache else "1",
        RATELIMIT_ENABLED="0",
        PYTHONPATH=str(ROOT),
    )
    return env


def _fresh_database(pg: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()


def _first_result_path(env: dict[str, str]) -> str:
    code = (
        "from app import create_app\nfrom app.services.results import publishing\n"
        "app = create_app()\nwith app.app_context():\n    print(publishing.published_rounds()[0].round.id)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return f"/uitslag/{out.stdout.split()[-1]}"


def _first_round_path() -> str:
    home = _get("http://127.0.0.1:8100/")
    match = re.search(r'href="(/ronde/\d+)"', home)
    if not match:
        sys.exit("the demo home page links no round")
    return match.group(1)


@contextmanager
def _gunicorn(target: str, port: int, workers: int, env: dict[str, str], cwd: Path | str):  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        env=env,
        cwd=cwd,
    )
    try:
        for _ in range(100):
            try:
                _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local bench servers only
        return response.read().decode()


def _wrk(url: str, args: argparse.Namespace) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"per_s": per_s, "p50_ms": _latency(out, "50%"), "p99_ms": _latency(out, "99%")}


def _latency(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


if __name__ == "__main__":
    main()
