"""Run pabutools' Method of Equal Shares on pabulib files and record its outcomes (the test oracle).

Writes ``tests/counting/golden/pabutools_mes.json``, which ``tests/counting/test_equal_shares.py`` uses for
the (file, rule) pairs too slow to run pabutools live in the test suite (``equalshares/add1`` on large files
can take pabutools an hour).  Every file runs in its own subprocess with a timeout, one at a time.

Rules (pabulib names) and the pabutools 1.2.3 calls behind them (default lexicographic tie-breaking; the
profile exactly as ``parse_pabulib`` returns it)::

    equalshares              method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    equalshares-approval     method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)
    equalshares/add1         method_of_equal_shares(..., sat_class=Cost_Sat, voter_budget_increment=1)
    equalshares/add1-greedy  completion_by_rule_combination(instance, profile,
                                 [method_of_equal_shares, greedy_utilitarian_welfare],
                                 [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}])

``add1-greedy`` is computed from the same ``add1`` run (exactly what ``completion_by_rule_combination``
does: return the ``add1`` outcome if exhaustive, else complete it with the greedy rule), so asking for both
costs one ``add1`` run.

Usage::

    .venv/bin/python bench/pabutools_golden.py                        # all files, all rules, 1 h timeout
    .venv/bin/python bench/pabutools_golden.py --files Poland_Lodz_2023.pb --rules equalshares/add1 --merge
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("WIJKBUDGET_PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))
GOLDEN = REPO / "tests" / "counting" / "golden" / "pabutools_mes.json"
MES_RULES = ("equalshares", "equalshares-approval", "equalshares/add1", "equalshares/add1-greedy")
GREEDY_RULES = ("greedy", "greedy-per-cost")


def pabutools_worker(path: str, rules: list[str]) -> dict[str, object]:
    """Run pabutools for ``rules`` on one file (in this process); return outcomes and timings."""
    from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    started = time.perf_counter()
    instance, profile = parse_pabulib(path)
    if os.environ.get("PABUTOOLS_MULTIPROFILE"):  # bench/counting.py --multiprofile
        profile = profile.as_multiprofile()
    out: dict[str, object] = {"parse_seconds": time.perf_counter() - started}
    results: dict[str, dict[str, object]] = {}
    out["results"] = results
    for rule in rules:
        if rule == "equalshares/add1-greedy" and "equalshares/add1" in results:
            continue  # computed together with add1 below
        started = time.perf_counter()
        if rule in ("equalshares", "equalshares-approval"):
            sat = Cost_Sat if rule == "equalshares" else Cardinality_Sat
            outcome = method_of_equal_shares(instance, profile, sat_class=sat)
            results[rule] = {"selected": [p.name for p in outcome], "seconds": time.perf_counter() - started}
        elif rule in ("equalshares/add1", "equalshares/add1-greedy"):
            outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
            add1_seconds = time.perf_counter() - started
            if "equalshares/add1" in rules:
                results["equalshares/add1"] = {"selected": [p.name for p in outcome], "seconds": add1_seconds}
            if "equalshares/add1-greedy" in rules:
                # completion_by_rule_combination, step 2 (step 1 is the add1 outcome above).
                if instance.is_exhaustive(outcome):
                    completed = outcome
                else:
                    completed = greedy_utilitarian_welfare(
                        instance, profile, sat_class=Cost_Sat, initial_budget_allocation=outcome
                    )
                results["equalshares/add1-greedy"] = {
                    "selected": [p.name for p in completed],
                    "seconds": time.perf_counter() - started,
                }
        elif rule in GREEDY_RULES:
            sat = Cost_Sat if rule == "greedy" else Cardinality_Sat
            outcome = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
            results[rule] = {"selected": [p.name for p in outcome], "seconds": time.perf_counter() - started}
        else:
            raise SystemExit(f"unknown rule {rule}")
    return out


def run_pabutools(path: Path, rules: list[str], timeout: float) -> dict[str, object]:
    """Run :func:`pabutools_worker` in a subprocess; ``{"timeout": seconds}`` if it takes too long."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path), *rules]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        print(json.dumps(pabutools_worker(sys.argv[2], sys.argv[3:])))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", nargs="*", help="file names in the data folder (default: all .pb files)")
    parser.add_argument("--rules", nargs="*", default=list(MES_RULES), choices=MES_RULES)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per file (default 3600)")
    parser.add_argument("--output", type=Path, default=GOLDEN)
    parser.add_argument("--merge", action="store_true", help="keep entries of the output not recomputed")
    args = parser.parse_args()

    files = args.files or sorted(p.name for p in DATA_DIR.glob("*.pb"))
    golden: dict[str, object] = {}
    if args.merge and args.output.exists():
        golden = json.loads(args.output.read_text())
    golden["generator"] = "bench/pabutools_golden.py"
    golden["pabutools"] = _pabutools_version()
    golden["rules"] = {
        "equalshares": "method_of_equal_shares(sat_class=Cost_Sat)",
        "equalshares-approval": "method_of_equal_shares(sat_class=Cardinality_Sat)",
        "equalshares/add1": "method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1)",
        "equalshares/add1-greedy": "completion_by_rule_combination(add1, greedy_utilitarian_welfare(Cost_Sat))",
    }
    files_out = golden.setdefault("files", {})
    assert isinstance(files_out, dict)
    for name in files:
        print(f"{name}: {', '.join(args.rules)} ...", flush=True)
        outcome = run_pabutools(DATA_DIR / name, list(args.rules), args.timeout)
        entry = files_out.setdefault(name, {})
        if "results" not in outcome:
            print(f"  no result: {outcome}", flush=True)
            for rule in args.rules:
                entry[rule] = outcome
        else:
            results = outcome["results"]
            assert isinstance(results, dict)
            for rule, result in results.items():
                entry[rule] = result
                print(
                    f"  {rule}: {len(result['selected'])} projects in {result['seconds']:.1f} s", flush=True
                )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")


def _pabutools_version() -> str:
    from importlib.metadata import version

    return version("pabutools")


if __name__ == "__main__":
    main()
