"""The Method of Equal Shares against its earlier implementation and against pabutools, on every pabulib file.

For every file and equal-shares rule it counts the election with :func:`app.counting.count` twice, once with
this worktree's ``app/counting`` (committed or not) and once with that of ``--ref`` (a git revision, by
default ``HEAD``: so while reworking the module, it compares the work in progress with the last commit),
each in a subprocess of its own, and compares the two *whole* outcomes
(``Outcome.to_dict()``: selection, order, every explanation and amount).  Unless ``--no-pabutools``, it
also runs pabutools 1.2.3 on the same file in the same run (``bench/counting.py``'s worker, the raw
profile as ``parse_pabulib`` returns it) and checks the selection and its order.

Figures per (file, rule): median seconds of ``--repeat`` counts for both implementations, pabutools'
seconds, the ratios, and the peak resident memory of the worker process (``ru_maxrss``, which includes the
interpreter and the parsed file).  ``--callgrind`` replaces the seconds by instruction counts from
``valgrind --tool=callgrind`` (one count, found as the difference of a run with two counts and a run with
one): stable on a shared machine, so ``old / new`` instructions is the speed-up to trust; multiply it by
the ``pabutools / old`` time ratio of the same run for the ratio to pabutools.

Run by hand (all files and rules take a while: pabutools needs minutes for add1 on the big files)::

    .venv/bin/python bench/equal_shares_speed.py --rules equalshares
    .venv/bin/python bench/equal_shares_speed.py --rules equalshares/add1 --no-pabutools
    .venv/bin/python bench/equal_shares_speed.py --files Netherlands_Amsterdam_631.pb --callgrind
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("WIJKBUDGET_PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))
MES_RULES = ("equalshares", "equalshares-approval", "equalshares/add1", "equalshares/add1-greedy")
DEFAULT_REF = "HEAD"


# --- worker: runs in a subprocess with the tree to measure first on sys.path ------------------------------


def worker(tree: str, file: str, rule: str, repeat: int) -> None:
    import resource

    sys.path.insert(0, tree)
    from app.counting import count, read_pabulib

    election = read_pabulib(DATA_DIR / file)
    seconds = []
    outcome = None
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = count(election, rule, tie_break="lexicographic", category_caps={}, neighborhood_caps={})
        seconds.append(time.perf_counter() - started)
    assert outcome is not None
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kib": peak_kib, "outcome": outcome.to_dict()}))


def reference_tree(ref: str, into: Path) -> Path:
    """``app/counting`` of git revision ``ref``, extracted under ``into`` (with an empty ``app`` package, so
    that importing it loads no Flask)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "app/counting"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "app" / "__init__.py").write_text("")
    return into


def working_tree(into: Path) -> Path:
    """This worktree's ``app/counting`` laid out like :func:`reference_tree`."""
    shutil.copytree(REPO / "app" / "counting", into / "app" / "counting")
    (into / "app" / "__init__.py").write_text("")
    return into


def run_worker(tree: Path, file: str, rule: str, repeat: int, timeout: float) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(tree), file, rule, str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {timeout} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def instructions(tree: Path, file: str, rule: str) -> int:
    """Instructions of one count, under callgrind: a run with two counts minus a run with one."""
    totals = []
    for repeat in (1, 2):
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "callgrind.out"
            command = [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                str(tree),
                file,
                rule,
                str(repeat),
            ]
            env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict and set layouts in both runs
            done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
            match = re.search(r"Collected : (\d+)", done.stderr)
            assert match, done.stderr[-2000:]
            totals.append(int(match.group(1)))
    return totals[1] - totals[0]


def pabutools(file: str, rule: str, timeout: float) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import counting  # bench/counting.py: pabutools in a subprocess, raw profile

    result: dict[str, Any] = counting.pabutools(DATA_DIR / file, rule, timeout, False)
    return result


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", nargs="*", help="file names in the data folder (default: all)")
    parser.add_argument("--rules", nargs="*", default=list(MES_RULES), choices=MES_RULES)
    parser.add_argument("--ref", default=DEFAULT_REF, help=f"git revision to compare with ({DEFAULT_REF})")
    parser.add_argument("--repeat", type=int, default=3, help="counts per side; the median counts")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per worker or pabutools run")
    parser.add_argument("--no-pabutools", action="store_true", help="compare the two implementations only")
    parser.add_argument("--callgrind", action="store_true", help="instruction counts instead of seconds")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()

    files = args.files or sorted(p.name for p in DATA_DIR.glob("*.pb"))
    rows: list[dict[str, Any]] = []
    unit = "Minstr" if args.callgrind else "s"
    header = (
        f"{'file':<44} {'rule':<24} {'old ' + unit:>10} {'new ' + unit:>10} {'old/new':>8} "
        f"{'pabutools s':>11} {'pb/new':>8} {'peak MB':>8}  same"
    )
    print(header)
    print("-" * len(header), flush=True)
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        old_tree = reference_tree(args.ref, Path(scratch) / "old")
        new_tree = working_tree(Path(scratch) / "new")
        for file in files:
            for rule in args.rules:
                new = run_worker(new_tree, file, rule, args.repeat, args.timeout)
                old = run_worker(old_tree, file, rule, args.repeat, args.timeout)
                if "error" in new or "error" in old:
                    print(f"{file:<44} {rule:<24} error: new {new.get('error')} old {old.get('error')}")
                    failures += 1
                    continue
                same_as_old = new["outcome"] == old["outcome"]
                new_s = statistics.median(new["seconds"])
                old_s = statistics.median(old["seconds"])
                if args.callgrind:
                    new_cost: float = instructions(new_tree, file, rule) / 1e6
                    old_cost: float = instructions(old_tree, file, rule) / 1e6
                else:
                    new_cost, old_cost = new_s, old_s
                theirs = {} if args.no_pabutools else pabutools(file, rule, args.timeout)
                same_as_pb = "-"
                pb_text, pb_ratio = "-", "-"
                if "selected" in theirs:
                    selected = new["outcome"]["selected"]
                    same_as_pb = "yes" if selected == list(theirs["selected"]) else "NO"
                    if same_as_pb == "NO" and sorted(selected) == sorted(theirs["selected"]):
                        same_as_pb = "set"  # free projects: pabutools adds them in set order
                    pb_text = f"{theirs['seconds']:.2f}"
                    pb_ratio = f"{theirs['seconds'] / new_s:.0f}x"
                elif theirs:
                    pb_text = "timeout" if "timeout" in theirs else "error"
                same = f"old {'yes' if same_as_old else 'NO'}, pabutools {same_as_pb}"
                failures += (not same_as_old) + (same_as_pb == "NO")
                print(
                    f"{file:<44} {rule:<24} {old_cost:10.4f} {new_cost:10.4f} {old_cost / new_cost:7.2f}x "
                    f"{pb_text:>11} {pb_ratio:>8} {new['peak_kib'] / 1024:8.0f}  {same}",
                    flush=True,
                )
                rows.append(
                    {
                        "file": file,
                        "rule": rule,
                        "old": old_cost,
                        "new": new_cost,
                        "unit": unit,
                        "new_seconds": new["seconds"],
                        "old_seconds": old["seconds"],
                        "pabutools_seconds": theirs.get("seconds"),
                        "peak_kib": new["peak_kib"],
                        "old_peak_kib": old["peak_kib"],
                        "same_as_old": same_as_old,
                        "same_as_pabutools": same_as_pb,
                    }
                )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if failures:
        raise SystemExit(f"{failures} differences or errors")


if __name__ == "__main__":
    main()
