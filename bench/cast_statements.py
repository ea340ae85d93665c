"""Count the SQL statements of one ballot cast (account and letter code), and print one JSON line.

A statement counter on the engine (SQLAlchemy's `before_cursor_execute`) counts what one service call sends to
PostgreSQL, including BEGIN-less savepoints and the commit. Casts are warmed up first (the first cast of a
process loads the catalogues and fills caches), then each kind is counted on a fresh voter:

- account_new: an open round, an account's first ballot;
- account_change: the same account changes its ballot (still waiting in the urn);
- code_new: a letter-code round, a code and postcode, the first ballot.

Usage::

    /work/tools/py bench/cast_statements.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench_load
      (the schema in that database is dropped and rebuilt; never point it at a database you need)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Phase  # noqa: E402
from app.services.codes.code_votes import cast_code_ballot  # noqa: E402
from app.services.voting.ballots import cast_ballot  # noqa: E402
from bench.bench_db import fresh_schema  # noqa: E402
from tests.factories import (  # noqa: E402
    make_letter_code_round,
    make_project,
    make_register_entry,
    make_round,
    make_user,
    make_voting_code,
)


class StatementCounter:
    """Counts statements by their first word (SELECT, INSERT, UPDATE, ...) while `counting` is on."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.counting = False

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.counting:
            self.counts[statement.split(None, 1)[0].upper()] += 1

    def measure(self, action: Callable[[], object]) -> dict[str, int]:
        self.counts.clear()
        self.counting = True
        try:
            action()
        finally:
            self.counting = False
        return {"total": sum(self.counts.values()), **dict(sorted(self.counts.items()))}


def run(url: str) -> dict[str, object]:
    from flask_migrate import upgrade

    fresh_schema(url)
    app = create_app(TestConfig(url))
    counter = StatementCounter()
    with app.app_context():
        upgrade()
        event.listen(db.engine, "before_cursor_execute", counter)
        event.listen(db.engine, "commit", lambda conn: counter("", None, "COMMIT"))
        open_round = make_round(phase=Phase.VOTING)
        project = make_project(open_round, cost_cents=500_000).id
        other = make_project(open_round, cost_cents=500_000).id
        letters = make_letter_code_round(phase=Phase.VOTING)
        code_project = make_project(letters, cost_cents=500_000).id
        codes = [make_voting_code(make_register_entry(letters, postcode="3512AB")) for _ in range(3)]
        voters = [make_user(wijk=open_round.wijk) for _ in range(3)]
        cast_ballot(voters[0], open_round.id, [project])  # warm-up
        cast_code_ballot(codes[0], "3512AB", [code_project])
        figures = {
            "account_new": counter.measure(lambda: cast_ballot(voters[1], open_round.id, [project])),
            "account_change": counter.measure(lambda: cast_ballot(voters[1], open_round.id, [other])),
            "code_new": counter.measure(lambda: cast_code_ballot(codes[1], "3512AB", [code_project])),
        }
    return {"bench": "cast_statements", **figures}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to rebuild")
    print(json.dumps(run(parser.parse_args().database_url)))


if __name__ == "__main__":
    main()
