"""The Method of Equal Shares on samples of the long-ballot files, against pabutools live.

The full files are compared with pabutools' stored answers elsewhere (golden files); here a seeded sample of
each big file (its long ballots give thousands of distinct money levels, the case the fast price updates of
app/counting/equal_shares.py are written for) is counted through :func:`app.counting.count`, the path the app
takes, and by pabutools 1.2.3 on the same election written out as a .pb file.  The selection and its order
must be the same.  ``bench/equal_shares_speed.py`` does the same on every whole file, by hand.
"""

from __future__ import annotations

import functools
import random
from dataclasses import replace
from pathlib import Path

import pabutools_oracle as oracle
import pytest
from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
from pabutools.rules import method_of_equal_shares

from app.counting import Election, count, read_pabulib, write_pabulib

# Files with many distinct approval sets (Amsterdam: ~15 projects a ballot) or many voters (Lodz).
SAMPLED = (
    "Netherlands_Amsterdam_631.pb",
    "Netherlands_Amsterdam_509.pb",
    "Poland_Warszawa_2021_Bielany.pb",
    "Poland_Lodz_2023.pb",
)
SAMPLE_BALLOTS = 1500
SEEDS = (1, 2)
PAIRS = [
    (file, seed, rule)
    for file in SAMPLED
    if file in oracle.DATA_FILES
    for seed in SEEDS
    for rule in ("equalshares", "equalshares-approval")
]

pytestmark = pytest.mark.skipif(not PAIRS, reason=f"no pabulib data in {oracle.DATA_DIR}")


@functools.cache
def sample(file: str, seed: int) -> Election:
    """A seeded sample of the file's ballots (weights kept) with the budget cut in proportion."""
    election = read_pabulib(oracle.DATA_DIR / file)
    ballots = random.Random(seed).sample(list(election.ballots), min(SAMPLE_BALLOTS, len(election.ballots)))
    budget = election.budget * sum(b.weight for b in ballots) // election.num_voters
    return replace(election, ballots=ballots, budget=budget, category_caps={}, neighborhood_caps={})


def pabutools_selection(election: Election, rule: str, folder: Path) -> list[str]:
    path = folder / "sample.pb"
    write_pabulib(election, path)
    instance, profile = parse_pabulib(str(path))
    sat = Cost_Sat if rule == "equalshares" else Cardinality_Sat
    outcome = method_of_equal_shares(instance, profile.as_multiprofile(), sat_class=sat)
    return [p.name for p in outcome]


@pytest.mark.parametrize(("file", "seed", "rule"), PAIRS)
def test_sample_matches_pabutools(file: str, seed: int, rule: str, tmp_path: Path) -> None:
    election = sample(file, seed)
    ours = count(election, rule, tie_break="lexicographic")
    assert list(ours.selected) == pabutools_selection(election, rule, tmp_path)
    assert ours.total_cost <= election.budget
