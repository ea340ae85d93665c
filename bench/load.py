"""Load test: wijkbudget under gunicorn on PostgreSQL and Redis against a bare Flask insert, one JSON line at the end.

Mode `ballots` (default): an open round (account ballots) and a letter-code round get `--voters` voters each;
then, at each concurrency (default 16 and 64), that many async clients (httpx) cast ballots as residents do:
- account: log in (before the clock starts), GET the ballot page for its CSRF token, POST the ballot;
- letter code: GET the code page (CSRF), POST code + postcode (the ballot page, CSRF), POST the ballot.
The bare baseline (bench/bare_app.py, same gunicorn settings) does one INSERT per POST. Printed: ballots/s,
p50/p95/p99 of the casting POST, the ratio to the bare rate, and the database check (every ballot answered
"cast" is in the urn or the ballot box exactly once; the unique constraints make a double impossible, the check
counts them anyway).

Mode `pages`: the demo data (`wijkbudget demo`), then GETs of the results page, the home page and a round page
at each concurrency, against the bare app's trivial GET.

The database is rebuilt: use one of its own (default `bench_load`), never the tests' or a real one. gunicorn
runs with production settings (`app.wsgi:app`, 3 sync workers as in the Dockerfile, REDIS_URL set) except
RATELIMIT_ENABLED=0, because every client comes from 127.0.0.1 and the per-address limits would stop them.

Usage::

    /work/tools/py bench/load.py --voters 3000                  # as issue 12 measures
    /work/tools/py bench/load.py --voters 200 --concurrency 16 64
    /work/tools/py bench/load.py --mode pages --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Ballot, Phase, Round, UrnBallot, User, VotingCode  # noqa: E402
from app.services.voting.voter_keys import new_voting_code, normalise_voting_code, voting_code_hash  # noqa: E402
from bench.bench_db import fresh_schema  # noqa: E402
from tests.factories import (  # noqa: E402
    make_letter_code_round,
    make_project,
    make_register_entries,
    make_round,
)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT = re.compile(r"<input[^>]*>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
PASSWORD = "bench-password-123"
POSTCODE = "3512AB"
SECRET = "bench-load-secret-key"


@dataclass
class Voters:
    open_round: int
    project_ids: list[int]
    emails: list[str]
    code_round: int
    code_project_ids: list[int]
    codes: list[str]


def _bench_app(url: str) -> Any:
    os.environ.update(SECRET_KEY=SECRET, VOTER_KEY_SECRET=SECRET)
    config = TestConfig(url)
    config.SECRET_KEY = config.VOTER_KEY_SECRET = config.VOTING_CODE_SECRET = SECRET
    return create_app(config)


def create_voters(url: str, count: int) -> Voters:
    """Two voting rounds with `count` voters each: accounts (one password hash, computed once, shared) and
    letter codes (stored as keyed hashes, as the letter batch does)."""
    from flask_migrate import upgrade

    fresh_schema(url)
    with _bench_app(url).app_context():
        upgrade()
        rnd = make_round(phase=Phase.VOTING, budget_cents=5_000_000)
        projects = [make_project(rnd, cost_cents=500_000).id for _ in range(8)]
        probe = User(email="probe@bench.nl", name="Probe", role="resident", language="nl")
        probe.set_password(PASSWORD)
        emails = [f"kiezer{n}@bench.nl" for n in range(count)]
        db.session.add_all(
            User(
                email=email,
                name=f"Kiezer {n}",
                role="resident",
                language="nl",
                wijk_id=rnd.wijk_id,
                postcode=f"{rnd.wijk.postcodes[0]}AB",
                house_number=n + 1,  # one person per address: the open round allows one ballot each
                birth_date=datetime(1980, 1, 1, tzinfo=UTC).date(),
                email_confirmed_at=datetime.now(UTC),
                password_hash=probe.password_hash,
            )
            for n, email in enumerate(emails)
        )
        letters = make_letter_code_round(phase=Phase.VOTING, budget_cents=5_000_000)
        code_projects = [make_project(letters, cost_cents=500_000).id for _ in range(8)]
        entries = make_register_entries(letters, count, postcode=POSTCODE)
        codes = [new_voting_code() for _ in entries]
        db.session.add_all(
            VotingCode(
                round_id=letters.id,
                register_entry_id=entry.id,
                code_hash=voting_code_hash(normalise_voting_code(code) or ""),
            )
            for entry, code in zip(entries, codes, strict=True)
        )
        db.session.commit()
        return Voters(rnd.id, projects, emails, letters.id, code_projects, codes)


def stored_ballots(url: str, round_id: int) -> int:
    with _bench_app(url).app_context():
        return sum(
            db.session.scalar(select(func.count()).select_from(model).where(model.round_id == round_id)) or 0
            for model in (UrnBallot, Ballot)
        )


@contextmanager
def gunicorn(target: str, port: int, env: dict[str, str], workers: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), target],
        cwd=REPO,
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{target} did not start")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Run:
    done: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)  # the casting POST, seconds
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "per_s": round(self.done / self.seconds, 1) if self.seconds else 0.0,
            "ok": self.done,
            "failed": self.failed,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
        }


async def drive(jobs: list[Callable[[], Awaitable[float | None]]], concurrency: int) -> Run:
    """Run `jobs` with `concurrency` at a time; each returns the latency of its timed request, None on failure."""
    run, queue = Run(), iter(jobs)

    async def worker() -> None:
        for job in queue:
            try:
                latency = await job()
            except httpx.HTTPError:  # a refused or dropped connection counts as a failed request
                latency = None
            if latency is None:
                run.failed += 1
            else:
                run.done += 1
                run.latencies.append(latency)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - start
    return run


async def _timed_post(client: httpx.AsyncClient, path: str, data: dict[str, Any], ok: int) -> float | None:
    start = time.perf_counter()
    response = await client.post(path, data=data)
    latency = time.perf_counter() - start
    return latency if response.status_code == ok else None


def _hidden_fields(html: str, names: tuple[str, ...]) -> dict[str, str]:
    fields = {}
    for tag in INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and attributes.get("name") in names:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def _client(base: str) -> httpx.AsyncClient:
    # gunicorn's sync workers close every connection after its response: never reuse one.
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
    return httpx.AsyncClient(base_url=base, timeout=60, limits=limits)


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


async def account_jobs(base: str, voters: Voters, emails: list[str], concurrency: int) -> list[Any]:
    """Log every voter in (untimed, `concurrency` at a time), then one timed GET + POST job per voter."""
    clients = [_client(base) for _ in emails]

    async def log_in(client: httpx.AsyncClient, email: str) -> None:
        page = await client.get("/inloggen")
        await client.post(
            "/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(page.text)}
        )

    await drive(
        [lambda c=c, e=e: _as_latency(log_in(c, e)) for c, e in zip(clients, emails, strict=True)],
        concurrency,
    )
    path = f"/ronde/{voters.open_round}/stemmen"

    def job(n: int, client: httpx.AsyncClient) -> Callable[[], Awaitable[float | None]]:
        async def cast() -> float | None:
            page = await client.get(path)
            choice = [str(voters.project_ids[n % 8]), str(voters.project_ids[(n + 3) % 8])]
            data = {"csrf_token": _csrf(page.text), "project_ids": choice, "action": "cast"}
            try:
                return await _timed_post(client, path, data, 302)
            finally:
                await client.aclose()

        return cast

    return [job(n, c) for n, c in enumerate(clients)]


async def _as_latency(action: Awaitable[object]) -> float:
    await action
    return 0.0


def code_jobs(base: str, voters: Voters, codes: list[str]) -> list[Any]:
    def job(n: int, code: str) -> Callable[[], Awaitable[float | None]]:
        async def cast() -> float | None:
            async with _client(base) as client:
                page = await client.get("/stemmen/code")
                data = {"csrf_token": _csrf(page.text), "code": code, "postcode": POSTCODE}
                ballot_page = await client.post("/stemmen/code", data=data)
                hidden = _hidden_fields(ballot_page.text, ("code", "postcode", "receipt"))
                choice = [str(voters.code_project_ids[n % 8])]
                form = {
                    **hidden,
                    "csrf_token": _csrf(ballot_page.text),
                    "project_ids": choice,
                    "action": "cast",
                }
                return await _timed_post(client, "/stemmen/code/stem", form, 200)

        return cast

    return [job(n, code) for n, code in enumerate(codes)]


def bare_jobs(base: str, count: int) -> list[Any]:
    async def insert(client: httpx.AsyncClient) -> float | None:
        return await _timed_post(client, "/insert", {}, 201)

    client = _client(base)
    return [lambda: insert(client) for _ in range(count)]


def _server_env(url: str, redis_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "VOTER_KEY_SECRET": SECRET,
        "RATELIMIT_ENABLED": "0",
    }


def run_ballots(args: argparse.Namespace) -> dict[str, Any]:
    levels: list[int] = args.concurrency
    voters = create_voters(args.database_url, args.voters * len(levels))
    env = _server_env(args.database_url, args.redis_url)
    figures: dict[str, Any] = {}
    with gunicorn("bench.bare_app:app", args.port + 1, env, args.workers) as bare:
        for level in levels:
            figures[f"bare_{level}"] = asyncio.run(drive(bare_jobs(bare, args.voters), level)).summary()
    accounts_ok = codes_ok = 0
    with gunicorn("app.wsgi:app", args.port, env, args.workers) as base:
        for i, level in enumerate(levels):
            share = slice(i * args.voters, (i + 1) * args.voters)
            jobs = asyncio.run(account_jobs(base, voters, voters.emails[share], level))
            account = asyncio.run(drive(jobs, level))
            code = asyncio.run(drive(code_jobs(base, voters, voters.codes[share]), level))
            figures[f"account_{level}"], figures[f"code_{level}"] = account.summary(), code.summary()
            accounts_ok, codes_ok = accounts_ok + account.done, codes_ok + code.done
    stored = {"account": stored_ballots(args.database_url, voters.open_round)}
    stored["code"] = stored_ballots(args.database_url, voters.code_round)
    top = max(levels)
    return {
        "mode": "ballots",
        "voters_per_run": args.voters,
        "runs": figures,
        "account_per_s": figures[f"account_{top}"]["per_s"],
        "code_per_s": figures[f"code_{top}"]["per_s"],
        "p99_ms": max(figures[f"account_{top}"]["p99_ms"], figures[f"code_{top}"]["p99_ms"]),
        "bare_per_s": figures[f"bare_{top}"]["per_s"],
        "ratio_account": round(
            figures[f"account_{top}"]["per_s"] / max(figures[f"bare_{top}"]["per_s"], 1e-9), 3
        ),
        "ratio_code": round(figures[f"code_{top}"]["per_s"] / max(figures[f"bare_{top}"]["per_s"], 1e-9), 3),
        "lost": max(0, accounts_ok - stored["account"]) + max(0, codes_ok - stored["code"]),
        "doubled": max(0, stored["account"] - accounts_ok) + max(0, stored["code"] - codes_ok),
    }


def run_pages(args: argparse.Namespace) -> dict[str, Any]:
    from flask_migrate import upgrade

    from app.demo.seed import seed_demo

    fresh_schema(args.database_url)
    with _bench_app(args.database_url).app_context():
        upgrade()
        seed_demo()
        published = db.session.scalar(select(Round.id).where(Round.phase == Phase.PUBLISHED.value))
        voting = db.session.scalar(select(Round.id).where(Round.phase == Phase.VOTING.value))
    env = _server_env(args.database_url, args.redis_url)
    pages = {"results": f"/uitslag/{published}", "home": "/", "round": f"/ronde/{voting}"}
    figures: dict[str, Any] = {}

    def gets(base: str, path: str) -> list[Any]:
        client = _client(base)

        async def get() -> float | None:
            start = time.perf_counter()
            response = await client.get(path)
            return time.perf_counter() - start if response.status_code == 200 else None

        return [get for _ in range(args.requests)]

    with gunicorn("bench.bare_app:app", args.port + 1, env, args.workers) as bare:
        for level in args.concurrency:
            figures[f"bare_get_{level}"] = asyncio.run(drive(gets(bare, "/"), level)).summary()
    with gunicorn("app.wsgi:app", args.port, env, args.workers) as base:
        for level in args.concurrency:
            for name, path in pages.items():
                figures[f"{name}_{level}"] = asyncio.run(drive(gets(base, path), level)).summary()
    top = max(args.concurrency)
    bare_rate = max(figures[f"bare_get_{top}"]["per_s"], 1e-9)
    return {
        "mode": "pages",
        "runs": figures,
        **{f"{name}_per_s": figures[f"{name}_{top}"]["per_s"] for name in pages},
        **{f"{name}_ratio": round(figures[f"{name}_{top}"]["per_s"] / bare_rate, 3) for name in pages},
        "bare_get_per_s": figures[f"bare_get_{top}"]["per_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=("ballots", "pages"), default="ballots")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_load")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--voters", type=int, default=3000, help="voters per run (per concurrency level)")
    parser.add_argument("--requests", type=int, default=2000, help="GETs per page and level (pages mode)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    result = run_ballots(args) if args.mode == "ballots" else run_pages(args)
    for name, figures in result["runs"].items():
        print(f"{name:>14}: {figures}")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}))


if __name__ == "__main__":
    main()
