"""Time the counting engine against pabutools 1.2.3 on pabulib files, in one run.

For every file and rule it prints our time, pabutools' time, their ratio and whether both selected the same
projects (the same set, and for the equal-shares rules the same order of selection).  Times cover the rule
only: reading the file and building the input are not timed, on either side.

Our side is :func:`app.counting.count` (tie-break ``lexicographic``, no category or neighbourhood caps since
pabutools has none), the path the app and ``wijkbudget tally`` take; the file is read once per file.

* Equal-shares rules against ``method_of_equal_shares`` (``add1-greedy``: ``completion_by_rule_combination``),
  exactly as ``bench/pabutools_golden.py`` calls them, on the profile ``parse_pabulib`` returns
  (``--multiprofile``: on ``profile.as_multiprofile()``, pabutools' faster grouped form, for comparison).
* ``greedy`` / ``greedy-per-cost`` against ``greedy_utilitarian_welfare`` with ``Cost_Sat`` /
  ``Cardinality_Sat``.  For cumulative and ordinal files app.counting's greedy ranks by points / positional
  scores, which pabutools' ``Cost_Sat`` does not, so those pairs may differ by design (marked ``scores``).

pabutools runs in a subprocess per (file, rule), one at a time, with a timeout (``--pabutools-timeout``).

Usage::

    .venv/bin/python bench/counting.py
    .venv/bin/python bench/counting.py --files Poland_Lodz_2023.pb --rules greedy equalshares
    .venv/bin/python bench/counting.py --rules equalshares/add1 --pabutools-timeout 900
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.counting import Election, count, read_pabulib  # noqa: E402

DATA_DIR = Path(os.environ.get("WIJKBUDGET_PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))
GOLDEN_SCRIPT = Path(__file__).resolve().parent / "pabutools_golden.py"
MES_RULES = ("equalshares", "equalshares-approval", "equalshares/add1", "equalshares/add1-greedy")
GREEDY_RULES = ("greedy", "greedy-per-cost")
ALL_RULES = (*GREEDY_RULES, *MES_RULES)


# --- our side ---------------------------------------------------------------------------------------------


def ours(election: Election, rule: str) -> tuple[float, list[str], str]:
    """Time app.counting.count, the path the app and `wijkbudget tally` take (the Election is read once)."""
    started = time.perf_counter()
    # pabutools knows no per-category / per-neighbourhood caps (Amsterdam files have some): count without.
    outcome = count(election, rule, tie_break="lexicographic", category_caps={}, neighborhood_caps={})
    return time.perf_counter() - started, list(outcome.selected), ""


def pabutools(path: Path, rule: str, timeout: float, multiprofile: bool) -> dict[str, Any]:
    env = dict(os.environ)
    if multiprofile:
        env["PABUTOOLS_MULTIPROFILE"] = "1"
    command = [sys.executable, str(GOLDEN_SCRIPT), "--worker", str(path), rule]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])["results"][rule]
    return result


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", nargs="*", help="file names in the data folder (default: all)")
    parser.add_argument("--rules", nargs="*", default=list(ALL_RULES), choices=ALL_RULES)
    parser.add_argument("--pabutools-timeout", type=float, default=600.0, help="seconds per pabutools run")
    parser.add_argument(
        "--multiprofile", action="store_true", help="run pabutools on profile.as_multiprofile()"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="our runs per pair; the fastest counts (default 3)"
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()

    files = args.files or sorted(p.name for p in DATA_DIR.glob("*.pb"))
    rows = []
    header = f"{'file':<44} {'rule':<24} {'ours s':>9} {'pabutools s':>12} {'ratio':>8}  same   note"
    print(header)
    print("-" * len(header))
    for name in files:
        path = DATA_DIR / name
        election = read_pabulib(path)
        for rule in args.rules:
            best = None
            for _ in range(max(1, args.repeat)):
                run = ours(election, rule)
                if best is None or run[0] < best[0]:
                    best = run
            assert best is not None
            ours_seconds, ours_selected, note = best
            theirs = pabutools(path, rule, args.pabutools_timeout, args.multiprofile)
            if "selected" in theirs:
                pb_seconds = float(theirs["seconds"])
                expected = list(theirs["selected"])
                same_set = sorted(ours_selected) == sorted(expected)
                free = {pid for pid, project in election.projects.items() if project.cost == 0}
                same_order = [x for x in ours_selected if x not in free] == [
                    x for x in expected if x not in free
                ]
                if rule in MES_RULES:
                    same = "yes" if same_set and same_order else ("set" if same_set else "NO")
                else:
                    same = (
                        "yes"
                        if same_set
                        else ("scores" if election.vote_type not in ("approval", "choose-1") else "NO")
                    )
                ratio = f"{pb_seconds / ours_seconds:8.0f}x" if ours_seconds > 0 else "-"
                pb_text = f"{pb_seconds:12.2f}"
            else:
                pb_seconds = None
                same = "-"
                if "timeout" in theirs:
                    pb_text = f"{'>' + str(int(theirs['timeout'])):>12}"
                    ratio = f">{theirs['timeout'] / ours_seconds:.0f}x"
                else:
                    pb_text = f"{'error':>12}"
                    ratio = "-"
                    note = f"{note} {theirs.get('error', '')}".strip()
            print(
                f"{name:<44} {rule:<24} {ours_seconds:9.4f} {pb_text} {ratio:>8}  {same:<6} {note}",
                flush=True,
            )
            rows.append(
                {
                    "file": name,
                    "rule": rule,
                    "ours_seconds": ours_seconds,
                    "pabutools_seconds": pb_seconds,
                    "pabutools": {k: v for k, v in theirs.items() if k != "selected"},
                    "same": same,
                    "note": note,
                    "multiprofile": args.multiprofile,
                }
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
