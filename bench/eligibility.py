"""Time the register, the letter codes and the letters on the embedded default (a fresh SQLite file).

Prints one JSON line: {"register_lines": N, "register_s": ..., "codes": N, "codes_s": ..., "letters_s": ...}
(wall seconds), plus the PDF's size and the CPU seconds of each step (the wall time on an idle machine).
Goals: register under 10 s, codes under 10 s, letters under 2 minutes for 100,000 lines.

- register: the real import of a generated 100,000-line CSV (written by `bench/register_import.py`, here
  without its deliberately bad lines, so every resident gets a letter), through `start_register_import` and
  the task's body `process_register_import`.
- codes: drawing the codes, hashing them (HMAC) and inserting the hashes (`codes_seconds` of the run).
- letters: the PDF (one letter per page, QR code included) and the mail-merge CSV (`letters_seconds`).

Usage::

    .venv/bin/python bench/eligibility.py [--lines 100000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from register_import import BUURTEN, register_csv  # bench/ is the script's folder, so it is on sys.path

from app import create_app
from app.config import Config
from app.extensions import db
from app.models import Buurt, Eligibility, Phase, Round, Wijk
from app.services.codes import batches as code_batches
from app.services.eligibility import registers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(Path(folder), args.lines)))


def run(folder: Path, lines: int) -> dict[str, float | int]:
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'bench.sqlite'}"
    config.LETTERS_DIR = str(folder / "letters")
    config.CELERY = dict(config.CELERY, task_always_eager=True, broker_url="memory://", result_backend=None)
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        round_id = _letter_code_round()
        began, began_cpu = time.perf_counter(), time.process_time()
        job = registers.start_register_import(
            None, round_id, "register.csv", register_csv(lines, flawed=False)
        )
        imported = registers.process_register_import(job.id).imported
        register_s, register_cpu_s = time.perf_counter() - began, time.process_time() - began_cpu
        batch = code_batches.start_code_batch(None, round_id)
        outcome = code_batches.generate_codes(batch.id)
        pdf_mb = code_batches.batch_file(batch.id, "pdf").stat().st_size / 1e6
    return {
        "register_lines": lines,
        "register_imported": imported,
        "register_s": round(register_s, 2),
        "codes": outcome.generated,
        "codes_s": round(outcome.codes_seconds, 2),
        "letters_s": round(outcome.letters_seconds, 2),
        "pdf_mb": round(pdf_mb, 1),
        # CPU seconds of this process: on a busy machine the wall times above include waiting for a core.
        "register_cpu_s": round(register_cpu_s, 2),
        "codes_cpu_s": round(outcome.codes_cpu_seconds, 2),
        "letters_cpu_s": round(outcome.letters_cpu_seconds, 2),
    }


def _letter_code_round() -> int:
    wijk = Wijk(name="Lombok", municipality="Utrecht", postcodes=["3531"])
    wijk.buurten = [Buurt(name=name) for name in BUURTEN]  # the buurten the generated register names
    db.session.add(wijk)
    db.session.flush()
    start = datetime.now(UTC) - timedelta(days=1)
    day = timedelta(days=1)
    rnd = Round(
        wijk_id=wijk.id,
        title="Bewonersbudget Lombok 2027",
        phase=Phase.REVIEW.value,
        eligibility=Eligibility.LETTER_CODES.value,
        budget_cents=5_000_000,
        max_project_cost_cents=2_000_000,
        proposals_open_at=start - 2 * day,
        review_open_at=start,
        voting_open_at=start + 7 * day,
        voting_close_at=start + 21 * day,
        results_at=start + 28 * day,
    )
    db.session.add(rnd)
    db.session.commit()
    return rnd.id


if __name__ == "__main__":
    main()
