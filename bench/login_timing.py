"""Login answer times: a known address with a wrong password, an unknown address, and a right password.

Account enumeration by timing needs the first two to take the same time (one password hash check each).
Runs the app in-process on a fresh SQLite file, limits off, and prints the median and p90 of each case in
milliseconds, then one JSON line. Run by hand:

    .venv/bin/python bench/login_timing.py [--tries 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Role, User  # noqa: E402

PASSWORD = "paars konijn fietst langs"  # noqa: S105


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig(f"sqlite:///{folder}/bench.sqlite"))
        with app.app_context():
            upgrade()
            user = User(email="bekend@example.nl", name="Bekend", role=Role.RESIDENT.value)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        client = app.test_client()
        cases = {
            "known_wrong_password": ("bekend@example.nl", "fout wachtwoord"),
            "unknown_address": ("niemand@example.nl", "fout wachtwoord"),
            "right_password": ("bekend@example.nl", PASSWORD),
        }
        # Interleaved, so that a busy machine slows every case alike.
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.tries):
            for name, (email, password) in cases.items():
                samples[name].append(_once(client, email, password))
        figures = {name: _summary(times) for name, times in samples.items()}
    for name, (median, p90) in figures.items():
        print(f"{name:22s} median {median:7.1f} ms   p90 {p90:7.1f} ms")
    print(
        json.dumps(
            {name: {"median_ms": round(m, 1), "p90_ms": round(p, 1)} for name, (m, p) in figures.items()}
        )
    )


def _once(client, email: str, password: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    client.post("/inloggen", data={"email": email, "password": password})
    took = (time.perf_counter() - started) * 1000
    client.post("/uitloggen")
    return took


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.9) - 1)]


if __name__ == "__main__":
    main()
