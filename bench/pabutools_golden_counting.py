"""Regenerate tests/counting/pabutools_golden_counting.json: pabutools' answers for the slow (file, rule) pairs.

Some pabutools computations take minutes on the project's 2-core machines (the Method of Equal Shares with
add1 on the larger files, every rule on Lodz 2023's 70,747 voters).  The counting tests compare
app.counting with pabutools live for every other (file, rule) pair, and with this file's stored answers for
the pairs listed in tests/counting/pabutools_oracle.py (GOLDEN_PAIRS).  The answers are computed with exactly
the same oracle code the live tests use.

Run (takes ~15 minutes):  .venv/bin/python bench/pabutools_golden_counting.py
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "counting"))

import pabutools_oracle as oracle  # noqa: E402


def main() -> None:
    files: dict[str, object] = {}
    for file, rules in oracle.GOLDEN_PAIRS.items():
        answers: dict[str, list[str]] = {}
        for rule in rules:
            started = time.perf_counter()
            answers[rule] = sorted(oracle.oracle(file, rule))
            print(
                f"{file} {rule}: {len(answers[rule])} projects, {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        files[file] = {"sha256": oracle.file_digest(file), "selected": answers}
    data = {
        "about": "pabutools answers (selected project ids, sorted) for the slow pairs; see bench/pabutools_golden_counting.py",
        "pabutools": version("pabutools"),
        "files": files,
    }
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    oracle.GOLDEN_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {oracle.GOLDEN_PATH}")


if __name__ == "__main__":
    main()
