"""Time the voter register import of a generated CSV, and print one JSON line.

By default on the embedded default: a fresh SQLite file in a temporary folder, schema from the migrations.
The file has LINES lines (reference, postcode, house number, addition, birth date, buurt, confidential), about
1 in 200 of them bad (a postcode with SS) or too young, so the error path is timed as well. Timed: the upload
service (`start_register_import`: header check, line count, storing the file) and the import itself
(`process_register_import`, the body of the Celery task, in chunks with a commit per chunk).

Usage::

    .venv/bin/python bench/register_import.py                          # 100,000 lines, fresh SQLite file
    .venv/bin/python bench/register_import.py --lines 20000
    .venv/bin/python bench/register_import.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
      (PostgreSQL: the schema in that database is dropped and rebuilt)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Buurt, Round, Wijk  # noqa: E402
from app.services import registers  # noqa: E402

BUURTEN = ("Noord", "Oost", "Zuid", "West", "Centrum")


def register_csv(lines: int, *, flawed: bool = True) -> str:
    """A register of `lines` residents; `flawed` mixes in what real files have: a few impossible postcodes,
    residents under the minimum age and confidential addresses."""
    rows = ["referentie;postcode;huisnummer;toevoeging;geboortedatum;buurt;geheim"]
    for i in range(1, lines + 1):
        postcode = f"{3500 + i % 90}{'SS' if flawed and i % 397 == 0 else 'AB'}"
        year = 2020 if flawed and i % 211 == 0 else 1940 + i % 70  # a few too young for the minimum age
        addition = "A" if i % 7 == 0 else ""
        confidential = "ja" if flawed and i % 500 == 0 else "nee"
        rows.append(
            f"GEM-{i:08d};{postcode};{1 + i % 300};{addition};{year}-{1 + i % 12:02d}-{1 + i % 28:02d};"
            f"{BUURTEN[i % len(BUURTEN)]};{confidential}"
        )
    return "\n".join(rows) + "\n"


def fresh_schema(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def make_round() -> int:
    start = datetime.now(UTC) + timedelta(days=1)
    wijk = Wijk(name="Benchwijk", municipality="Utrecht", postcodes=["3500"])
    wijk.buurten = [Buurt(name=b) for b in BUURTEN]
    day = timedelta(days=1)
    rnd = Round(
        wijk=wijk,
        title="Bench",
        budget_cents=5_000_000,
        max_project_cost_cents=1_000_000,
        categories=["Groen"],
        eligibility="letter_codes",
        min_age=12,
        proposals_open_at=start,
        review_open_at=start + day,
        voting_open_at=start + 2 * day,
        voting_close_at=start + 3 * day,
        results_at=start + 4 * day,
    )
    db.session.add(rnd)
    db.session.commit()
    return rnd.id


def run(url: str, lines: int) -> dict[str, object]:
    from flask_migrate import upgrade

    fresh_schema(url)
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        round_id = make_round()
        source = register_csv(lines)
        t0 = time.perf_counter()
        job = registers.start_register_import(None, round_id, "bench.csv", source)
        t1 = time.perf_counter()
        job = registers.process_register_import(job.id)
        t2 = time.perf_counter()
        return {
            "bench": "register_import",
            "database": db.engine.dialect.name,
            "lines": lines,
            "imported": job.imported,
            "rejected": job.rejected,
            "status": job.status,
            "seconds": {"upload": round(t1 - t0, 3), "import": round(t2 - t1, 3), "total": round(t2 - t0, 3)},
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        print(json.dumps(run(url, args.lines)))


if __name__ == "__main__":
    main()
