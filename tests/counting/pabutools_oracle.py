"""pabutools 1.2.3 as a test oracle for app.counting (test-only; the app never imports pabutools).

Each rule of app.counting maps to these pabutools calls, always with pabutools' default (lexicographic)
tie-breaking, which app.counting reproduces with ``tie_break="lexicographic"``:

==========================  ============================================================================
``greedy``                  ``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``
``greedy-per-cost``         ``greedy_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat)``
``greedy-threshold``        ``greedy`` on the instance cut down to the projects whose score reaches the
                            threshold (pabutools has no threshold rule of its own)
``equalshares``             ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat)``
``equalshares-approval``    ``method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)``
``equalshares/add1``        ``method_of_equal_shares(..., sat_class=Cost_Sat, voter_budget_increment=1)``
``equalshares/add1-greedy`` that, then ``greedy_utilitarian_welfare(..., sat_class=Cost_Sat,
                            initial_budget_allocation=<add1 outcome>)``
==========================  ============================================================================

Cumulative and ordinal files: pabutools' ``Cost_Sat``/``Cardinality_Sat`` only ask whether a ballot names a
project, so its greedy would rank by supporters.  app.counting's greedy ranks by total points (cumulative) or
by pabulib's positional score (ordinal), as pabulib's ``score`` column does; for those files the greedy oracle
passes pabutools a satisfaction class giving exactly that score (times the cost for ``greedy``, as
``Cost_Sat`` does for approvals).  The equal-shares rules use ``Cost_Sat``/``Cardinality_Sat`` for every
vote type, as app.counting does (a ballot = the set of projects it names).

The MES calls run on ``profile.as_multiprofile()``: the same election with identical ballots grouped,
which pabutools counts identically (``num_ballots`` includes multiplicities) and computes much faster.

Results are cached per process, so each pabutools computation runs once per test session.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pabutools.election import (
    AdditiveSatisfaction,
    Cardinality_Sat,
    Cost_Sat,
    Instance,
    parse_pabulib,
)
from pabutools.fractions import str_as_frac
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

REPO = Path(__file__).resolve().parents[2]
# Locally the shared data sits next to the repository (/work/shared); CI lays a copy of shared/ beside the
# clone in the same way.  WIJKBUDGET_PABULIB_DIR overrides it.
DATA_DIR = Path(os.environ.get("WIJKBUDGET_PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))
ACCEPTANCE_DIR = REPO.parent / "shared" / "acceptance" / "pabulib"
GOLDEN_PATH = Path(__file__).with_name("pabutools_golden_counting.json")

DATA_FILES = sorted(p.name for p in DATA_DIR.glob("*.pb")) if DATA_DIR.is_dir() else []

# (file, rule) pairs where pabutools takes more than a few seconds on the 2-core machines (measured, seconds:
# Lodz greedy ~30, MES ~17, add1 ~180; Bielany add1 ~350; add1 on the other big files 7-21).  They are compared
# with the stored answers that bench/pabutools_golden_counting.py computes with exactly the oracle code below;
# every other (file, rule) pair, most of them, is compared with pabutools live.
_ADD1 = ("equalshares/add1", "equalshares/add1-greedy")
GOLDEN_PAIRS: dict[str, tuple[str, ...]] = {
    "Poland_Lodz_2023.pb": (
        "greedy",
        "greedy-threshold",
        "greedy-per-cost",
        "equalshares",
        "equalshares-approval",
        *_ADD1,
    ),
    "Poland_Warszawa_2021_Bielany.pb": _ADD1,
    "Netherlands_Amsterdam_166.pb": _ADD1,
    "Netherlands_Amsterdam_285.pb": _ADD1,
    "Netherlands_Amsterdam_509.pb": _ADD1,
    "Netherlands_Amsterdam_631.pb": _ADD1,
    "Poland_Krakow_2024_Podgorze.pb": _ADD1,
    "Poland_Warszawa_2018_Obszar_I-Nowa_Praga_z_Pelcowizna.pb": _ADD1,
}

ORACLE_RULES = (
    "greedy",
    "greedy-threshold",
    "greedy-per-cost",
    "equalshares",
    "equalshares-approval",
    "equalshares/add1",
    "equalshares/add1-greedy",
)


def uses_golden(file: str, rule: str) -> bool:
    return rule in GOLDEN_PAIRS.get(file, ())


def file_digest(file: str) -> str:
    return hashlib.sha256((DATA_DIR / file).read_bytes()).hexdigest()


@functools.cache
def parsed(file: str) -> tuple[Any, Any]:
    return parse_pabulib(str(DATA_DIR / file))


@functools.cache
def multiprofile(file: str) -> Any:
    return parsed(file)[1].as_multiprofile()


def _vote_type(instance: Any) -> str:
    return str(instance.meta["vote_type"])


def _ballot_score(vote_type: str, ballot: Any, project: Any) -> Any:
    """The score one ballot gives a project, as app.counting defines it (0 if it does not name it)."""
    if project not in ballot:
        return 0
    if vote_type in ("cumulative", "scoring"):
        return ballot[project]
    if vote_type == "ordinal":
        return len(ballot) - list(ballot).index(project)
    return 1


def _score_sat_class(vote_type: str, times_cost: bool) -> type[AdditiveSatisfaction]:
    def func(instance: Any, profile: Any, ballot: Any, project: Any, precomputed: Any) -> Any:
        score = _ballot_score(vote_type, ballot, project)
        return score * project.cost if times_cost else score

    class ScoreSat(AdditiveSatisfaction):
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, func)

    return ScoreSat


def _greedy_sat(vote_type: str, per_cost: bool) -> type[Any]:
    if vote_type in ("approval", "choose-1"):
        return Cardinality_Sat if per_cost else Cost_Sat
    return _score_sat_class(vote_type, times_cost=not per_cost)


def project_score(file: str, project_id: str) -> Any:
    instance, profile = parsed(file)
    project = instance.get_project(project_id)
    vote_type = _vote_type(instance)
    return sum(_ballot_score(vote_type, ballot, project) for ballot in profile)


@functools.cache
def oracle(file: str, rule: str) -> frozenset[str]:
    """The set of project ids pabutools selects for ``rule`` on ``file`` (see the module docstring)."""
    instance, profile = parsed(file)
    vote_type = _vote_type(instance)
    if rule == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=_greedy_sat(vote_type, False))
    elif rule == "greedy-per-cost":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=_greedy_sat(vote_type, True))
    elif rule == "greedy-threshold":
        threshold = instance.meta["min_project_score_threshold"]
        scores = {p: sum(_ballot_score(vote_type, b, p) for b in profile) for p in instance}
        kept = [p for p in instance if scores[p] >= str_as_frac(threshold.replace(",", "."))]
        cut = Instance(kept, budget_limit=instance.budget_limit)
        result = greedy_utilitarian_welfare(cut, profile, sat_class=_greedy_sat(vote_type, False))
    elif rule == "equalshares":
        result = method_of_equal_shares(instance, multiprofile(file), sat_class=Cost_Sat)
    elif rule == "equalshares-approval":
        result = method_of_equal_shares(instance, multiprofile(file), sat_class=Cardinality_Sat)
    elif rule == "equalshares/add1":
        result = method_of_equal_shares(
            instance, multiprofile(file), sat_class=Cost_Sat, voter_budget_increment=1
        )
    elif rule == "equalshares/add1-greedy":
        add1 = oracle_allocation(file, "equalshares/add1")
        result = greedy_utilitarian_welfare(
            instance, profile, sat_class=Cost_Sat, initial_budget_allocation=add1
        )
    else:
        raise ValueError(rule)
    return frozenset(p.name for p in result)


@functools.cache
def oracle_allocation(file: str, rule: str) -> list[Any]:
    instance, _ = parsed(file)
    return [instance.get_project(pid) for pid in sorted(oracle(file, rule))]


def golden() -> dict[str, Any]:
    with GOLDEN_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
