"""Time the counting engine against pabutools 1.2.3 on pabulib files, in one run.

For every file and rule it prints our time, pabutools' time, their ratio and whether both selected the same
projects (the same set, and for the equal-shares rules the same order of selection).  Times cover the rule
only: reading the file and building the input are not timed, on either side.

* Equal-shares rules: :func:`app.counting.equal_shares.equal_shares` on the grouped ballots, against
  ``method_of_equal_shares`` (``add1-greedy``: ``completion_by_rule_combination``), exactly as
  ``bench/pabutools_golden.py`` calls them, on the profile ``parse_pabulib`` returns (``--multiprofile``:
  on ``profile.as_multiprofile()``, pabutools' faster grouped form, for comparison).
* ``greedy`` / ``greedy-per-cost``: :func:`app.counting.count` (tie-break ``lexicographic``, no category or
  neighbourhood caps since pabutools has none) against
  ``greedy_utilitarian_welfare`` with ``Cost_Sat`` / ``Cardinality_Sat``.  For cumulative and ordinal files
  app.counting's greedy ranks by points / positional scores, which pabutools' ``Cost_Sat`` does not, so
  those pairs may differ by design (marked ``scores``).  If ``app.counting.count`` is not available, a small
  exact greedy in this file stands in for it (marked in the output).

pabutools runs in a subprocess per (file, rule), one at a time, with a timeout (``--pabutools-timeout``).

Usage::

    .venv/bin/python bench/counting.py
    .venv/bin/python bench/counting.py --files Poland_Lodz_2023.pb --rules greedy equalshares
    .venv/bin/python bench/counting.py --rules equalshares/add1 --pabutools-timeout 900
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.counting.equal_shares import equal_shares  # noqa: E402

DATA_DIR = Path(os.environ.get("WIJKBUDGET_PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))
GOLDEN_SCRIPT = Path(__file__).resolve().parent / "pabutools_golden.py"
MES_RULES = {
    "equalshares": ("cost", "none"),
    "equalshares-approval": ("cardinality", "none"),
    "equalshares/add1": ("cost", "add1"),
    "equalshares/add1-greedy": ("cost", "add1-greedy"),
}
GREEDY_RULES = ("greedy", "greedy-per-cost")
ALL_RULES = (*GREEDY_RULES, *MES_RULES)


# --- our side ---------------------------------------------------------------------------------------------


class Parsed:
    """A pabulib file read the way pabutools reads it (a ballot supports every project it names)."""

    def __init__(self, path: Path) -> None:
        meta: dict[str, str] = {}
        self.names: list[str] = []
        self.costs: list[int | Fraction] = []
        index: dict[str, int] = {}
        ballots: Counter[frozenset[int]] = Counter()
        section = ""
        header: list[str] = []
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter=";")
            for row in reader:
                if not row:
                    continue
                first = row[0].strip().lower()
                if first in ("meta", "projects", "votes"):
                    section = first
                    header = [h.strip() for h in next(reader)]
                elif section == "meta":
                    meta[row[0].strip()] = row[1].strip()
                elif section == "projects":
                    fields = dict(zip(header, row, strict=False))
                    index[row[0].strip()] = len(self.names)
                    self.names.append(row[0].strip())
                    self.costs.append(_number(fields["cost"]))
                elif section == "votes":
                    fields = {
                        k: v.strip() for k, v in zip(header, row, strict=False) if v.strip().lower() != "none"
                    }
                    vote = fields.get("vote", "")
                    if meta["vote_type"] in ("cumulative", "scoring") and "points" not in fields:
                        vote = ""
                    ballots[frozenset(index[p] for p in vote.split(",") if p)] += 1
        self.vote_type = meta["vote_type"]
        self.budget = _number(meta["budget"])
        self.voters = [(mult, sorted(projects)) for projects, mult in ballots.items()]
        self.order = sorted(range(len(self.names)), key=self.names.__getitem__)  # pabutools: by name
        self.num_voters = sum(ballots.values())


def _number(text: str) -> int | Fraction:
    value = Fraction(text.strip().replace(",", "."))
    return value.numerator if value.denominator == 1 else value


def ours_mes(parsed: Parsed, rule: str) -> tuple[float, list[str], str]:
    utility, completion = MES_RULES[rule]
    started = time.perf_counter()
    result = equal_shares(
        parsed.costs, parsed.budget, parsed.voters, utility=utility, order=parsed.order, completion=completion
    )
    seconds = time.perf_counter() - started
    note = f"{result.runs} runs" if completion != "none" else ""
    return seconds, [parsed.names[p] for p in result.selected], note


def ours_greedy(path: Path, parsed: Parsed, rule: str) -> tuple[float, list[str], str]:
    try:
        from app.counting import count, read_pabulib
    except ImportError:
        return _inline_greedy(parsed, rule)
    election = read_pabulib(path)
    started = time.perf_counter()
    # pabutools knows no per-category / per-neighbourhood caps (Amsterdam files have some): count without.
    outcome = count(election, rule, tie_break="lexicographic", category_caps={}, neighborhood_caps={})
    return time.perf_counter() - started, list(outcome.selected), "app.counting.count"


def _inline_greedy(parsed: Parsed, rule: str) -> tuple[float, list[str], str]:
    """Stand-in when app.counting.count is missing: pabutools' additive greedy, exactly."""
    started = time.perf_counter()
    supporters = [0] * len(parsed.costs)
    for mult, projects in parsed.voters:
        for p in projects:
            supporters[p] += mult
    position = {p: i for i, p in enumerate(parsed.order)}

    def density(p: int) -> Fraction:
        cost = Fraction(parsed.costs[p])
        score = supporters[p] * (cost if rule == "greedy" else 1)
        return Fraction(score, 1) / cost if cost and score else Fraction(0)

    ranked = sorted(range(len(parsed.costs)), key=lambda p: (-density(p), position[p]))
    room = Fraction(parsed.budget)
    chosen = []
    for p in ranked:
        if parsed.costs[p] <= room:
            room -= parsed.costs[p]
            chosen.append(parsed.names[p])
    return time.perf_counter() - started, chosen, "inline greedy"


# --- pabutools side ---------------------------------------------------------------------------------------


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
        parsed = Parsed(path)
        for rule in args.rules:
            best = None
            for _ in range(max(1, args.repeat)):
                if rule in MES_RULES:
                    run = ours_mes(parsed, rule)
                else:
                    run = ours_greedy(path, parsed, rule)
                if best is None or run[0] < best[0]:
                    best = run
            assert best is not None
            ours_seconds, ours_selected, note = best
            theirs = pabutools(path, rule, args.pabutools_timeout, args.multiprofile)
            if "selected" in theirs:
                pb_seconds = float(theirs["seconds"])
                expected = list(theirs["selected"])
                same_set = sorted(ours_selected) == sorted(expected)
                free = {parsed.names[p] for p, c in enumerate(parsed.costs) if c == 0}
                same_order = [x for x in ours_selected if x not in free] == [
                    x for x in expected if x not in free
                ]
                if rule in MES_RULES:
                    same = "yes" if same_set and same_order else ("set" if same_set else "NO")
                else:
                    same = (
                        "yes"
                        if same_set
                        else ("scores" if parsed.vote_type not in ("approval", "choose-1") else "NO")
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
