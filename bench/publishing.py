"""Time and measure publishing a round with many ballots (issue 12: 100,000 ballots, 80 projects), one JSON line.

Two identical closed rounds are made with `--ballots` ballots of 3 to 7 projects each (bulk Core inserts).
The first is published and timed; the second is published under tracemalloc for the peak of Python memory
(tracemalloc slows it down, so the two are measured apart). Publishing counts, writes the election record and
makes the result public in one transaction.

Usage::

    /work/tools/py bench/publishing.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench_load
      (the schema in that database is dropped and rebuilt)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Ballot, BallotChoice, Phase  # noqa: E402
from app.services.results.publishing import publish_round  # noqa: E402
from bench.bench_db import fresh_schema  # noqa: E402
from tests.factories import make_project, make_round  # noqa: E402

PROJECTS = 80
CHUNK = 5000


def closed_round_with_ballots(count: int, seed: int) -> int:
    rnd = make_round(phase=Phase.CLOSED, budget_cents=50_000_000, max_project_cost_cents=2_000_000)
    chance = random.Random(seed)
    projects = [
        make_project(rnd, cost_cents=chance.randrange(50_000, 2_000_000, 100)).id for _ in range(PROJECTS)
    ]
    for start in range(0, count, CHUNK):
        rows = [
            {"round_id": rnd.id, "voter_key": f"{seed}-{n:064d}"[-64:], "receipt_code": f"B{seed}-{n}"}
            for n in range(start, min(count, start + CHUNK))
        ]
        ids = db.session.scalars(insert(Ballot).returning(Ballot.id), rows).all()
        choices = [
            {"ballot_id": ballot_id, "round_id": rnd.id, "project_id": pid}
            for ballot_id in ids
            for pid in chance.sample(projects, chance.randint(3, 7))
        ]
        db.session.execute(insert(BallotChoice), choices)
        db.session.commit()
    return rnd.id


def run(url: str, count: int) -> dict[str, object]:
    from flask_migrate import upgrade

    fresh_schema(url)
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        timed, traced = closed_round_with_ballots(count, 1), closed_round_with_ballots(count, 2)
        db.session.remove()
        start = time.perf_counter()
        counted = publish_round(timed).ballots_counted
        seconds = time.perf_counter() - start
        db.session.remove()
        tracemalloc.start()
        publish_round(traced)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "bench": "publishing",
            "ballots": count,
            "projects": PROJECTS,
            "ballots_counted": counted,
            "seconds": round(seconds, 2),
            "peak_python_mb": round(peak / 2**20, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to rebuild")
    parser.add_argument("--ballots", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(run(args.database_url, args.ballots)))


if __name__ == "__main__":
    main()
