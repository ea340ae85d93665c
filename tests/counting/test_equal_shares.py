"""app.counting.equal_shares against pabutools 1.2.3 (the oracle), plus property tests.

Oracle comparisons on the pabulib files in ``WIJKBUDGET_PABULIB_DIR`` (default ``../shared/data/pabulib``):

* *live* (pabutools runs in this test): the (file, rule) pairs in ``LIVE``, those pabutools finishes in a
  few seconds -- ``equalshares``/``equalshares-approval`` on 9 of the 13 files and ``add1``/``add1-greedy``
  on the 5 small ones;
* *golden*: every (file, rule) pair, live ones included, against ``golden/pabutools_mes.json``, written by
  ``bench/pabutools_golden.py`` with the same pabutools calls (``add1`` on Lodz 2023 takes pabutools about
  an hour).  ``test_every_pair_has_an_oracle`` makes sure no pair is silently left out.

The selected sets must be equal, and so must the order of selection (free projects aside: pabutools adds
them in set order).  Random small elections, built to produce many exact ties, are compared with
pabutools live through hypothesis for all four rules, including ``completion_by_rule_combination`` itself.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import random
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.counting.equal_shares import MesResult, equal_shares, equal_shares_trace

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("WIJKBUDGET_PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))
DATA_FILES = sorted(p.name for p in DATA_DIR.glob("*.pb")) if DATA_DIR.is_dir() else []
GOLDEN_FILE = Path(__file__).parent / "golden" / "pabutools_mes.json"

Utility = Literal["cost", "cardinality"]
Completion = Literal["none", "add1", "add1-greedy"]
RULES: dict[str, tuple[Utility, Completion]] = {
    "equalshares": ("cost", "none"),
    "equalshares-approval": ("cardinality", "none"),
    "equalshares/add1": ("cost", "add1"),
    "equalshares/add1-greedy": ("cost", "add1-greedy"),
}
_MES = ("equalshares", "equalshares-approval")
LIVE: dict[str, tuple[str, ...]] = {
    "Netherlands_Amsterdam_166.pb": _MES,
    "Netherlands_Amsterdam_285.pb": ("equalshares",),
    "Netherlands_Amsterdam_588.pb": tuple(RULES),
    "Poland_Gdynia_2020_Oksywie__large.pb": tuple(RULES),
    "Poland_Katowice_2020_Osiedle_Witosa.pb": tuple(RULES),
    "Poland_Krakow_2024_Podgorze.pb": _MES,
    "Poland_Warszawa_2018_Obszar_I-Nowa_Praga_z_Pelcowizna.pb": _MES,
    "Poland_Wroclaw_2016_Rejon_nr_3_750.pb": tuple(RULES),
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_knapsacks.pb": tuple(RULES),
}
LIVE_PAIRS = [(f, r) for f, rules in LIVE.items() for r in rules if f in DATA_FILES]
GOLDEN: dict[str, dict[str, dict[str, Any]]] = (
    json.loads(GOLDEN_FILE.read_text())["files"] if GOLDEN_FILE.exists() else {}
)
GOLDEN_PAIRS = [(f, r) for f in DATA_FILES for r in RULES if "selected" in GOLDEN.get(f, {}).get(r, {})]


# --- a private pabulib reader (reads a file the way pabutools' parse_pabulib does) -----------------------


class Parsed:
    def __init__(
        self,
        names: list[str],
        costs: list[int | Fraction],
        budget: int | Fraction,
        voters: list[tuple[int, list[int]]],
    ) -> None:
        self.names = names
        self.costs = costs
        self.budget = budget
        self.voters = voters
        # pabutools' default tie-breaking: by project name, as text.
        self.order = sorted(range(len(names)), key=names.__getitem__)


def _number(text: str) -> int | Fraction:
    value = Fraction(text.strip().replace(",", "."))
    return value.numerator if value.denominator == 1 else value


@functools.cache
def parse(name: str) -> Parsed:
    """Projects, budget and grouped ballots.  A voter supports every project the ballot names (approved,
    ranked, or given points -- even 0 points: pabutools' satisfaction asks ``project in ballot``)."""
    meta: dict[str, str] = {}
    names: list[str] = []
    costs: list[int | Fraction] = []
    index: dict[str, int] = {}
    ballots: Counter[frozenset[int]] = Counter()
    section = ""
    header: list[str] = []
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
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
                index[row[0].strip()] = len(names)
                names.append(row[0].strip())
                costs.append(_number(fields["cost"]))
            elif section == "votes":
                fields = {
                    k: v.strip() for k, v in zip(header, row, strict=False) if v.strip().lower() != "none"
                }
                vote = fields.get("vote", "")
                if meta["vote_type"] in ("cumulative", "scoring") and "points" not in fields:
                    vote = ""
                ballots[frozenset(index[p] for p in vote.split(",") if p)] += 1
    voters = [(mult, sorted(projects)) for projects, mult in ballots.items()]
    return Parsed(names, costs, _number(meta["budget"]), voters)


@functools.cache
def ours(name: str, rule: str) -> MesResult:
    parsed = parse(name)
    utility, completion = RULES[rule]
    return equal_shares(
        parsed.costs, parsed.budget, parsed.voters, utility=utility, order=parsed.order, completion=completion
    )


def assert_same(names: list[str], costs: list[Any], got: list[int], expected: list[str], label: str) -> None:
    selected = [names[p] for p in got]
    assert sorted(selected) == sorted(expected), f"{label}: different projects selected"
    free = {names[p] for p, c in enumerate(costs) if c == 0}
    assert [x for x in selected if x not in free] == [x for x in expected if x not in free], f"{label}: order"


# --- pabutools -------------------------------------------------------------------------------------------


def pabutools_rule(instance: Any, profile: Any, rule: str) -> list[str]:
    """pabutools' outcome (project names, in pabutools' order) for one of the four rules."""
    from pabutools.election import Cardinality_Sat, Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    if rule == "equalshares":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    elif rule == "equalshares-approval":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)
    elif rule == "equalshares/add1":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    else:
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
        )
    return [p.name for p in outcome]


@functools.cache
def _pabutools_parsed(name: str) -> tuple[Any, Any]:
    from pabutools.election import parse_pabulib

    return parse_pabulib(str(DATA_DIR / name))


@functools.cache
def pabutools_file(name: str, rule: str) -> list[str]:
    """pabutools on a data file (each computation once per session).  ``add1-greedy`` reuses the ``add1``
    outcome and completes it exactly as ``completion_by_rule_combination`` does (the hypothesis test below
    calls ``completion_by_rule_combination`` itself)."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    instance, profile = _pabutools_parsed(name)
    if rule != "equalshares/add1-greedy":
        return pabutools_rule(instance, profile, rule)
    add1 = [instance.get_project(x) for x in pabutools_file(name, "equalshares/add1")]
    if instance.is_exhaustive(add1):
        return [p.name for p in add1]
    completed = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, initial_budget_allocation=add1
    )
    return [p.name for p in completed]


@pytest.mark.parametrize(("name", "rule"), LIVE_PAIRS, ids=[f"{f[:-3]}-{r}" for f, r in LIVE_PAIRS])
def test_matches_pabutools_live(name: str, rule: str) -> None:
    expected = pabutools_file(name, rule)
    parsed = parse(name)
    assert_same(parsed.names, parsed.costs, ours(name, rule).selected, expected, f"{name} {rule}")


@pytest.mark.parametrize(("name", "rule"), GOLDEN_PAIRS, ids=[f"{f[:-3]}-{r}" for f, r in GOLDEN_PAIRS])
def test_matches_pabutools_golden(name: str, rule: str) -> None:
    parsed = parse(name)
    expected = GOLDEN[name][rule]["selected"]
    assert_same(parsed.names, parsed.costs, ours(name, rule).selected, expected, f"{name} {rule} (golden)")


@pytest.mark.skipif(not DATA_FILES, reason=f"no pabulib data in {DATA_DIR}")
def test_every_pair_has_an_oracle() -> None:
    compared = set(LIVE_PAIRS) | set(GOLDEN_PAIRS)
    missing = [(f, r) for f in DATA_FILES for r in RULES if (f, r) not in compared]
    assert not missing, f"no pabutools outcome (live or golden) for {missing}"


# --- random elections against pabutools -------------------------------------------------------------------


@st.composite
def elections(
    draw: st.DrawFn,
) -> tuple[list[int | Fraction], int | Fraction, list[tuple[int, list[int]]], list[int]]:
    """Small elections with many ties: few distinct costs, a few ballot shapes repeated, free projects,
    projects nobody supports, fractional costs and budgets now and then."""
    num_projects = draw(st.integers(1, 6))
    cost_pool = draw(
        st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30]), min_size=1, max_size=3)
    )
    costs: list[int | Fraction] = [draw(st.sampled_from(cost_pool)) for _ in range(num_projects)]
    if draw(st.booleans()):
        i = draw(st.integers(0, num_projects - 1))
        costs[i] = Fraction(draw(st.integers(1, 40)), draw(st.sampled_from([2, 3, 4])))
        costs[i] = costs[i].numerator if costs[i].denominator == 1 else costs[i]
    budget: int | Fraction = draw(st.integers(0, 60))
    if draw(st.integers(0, 4)) == 0:
        budget = Fraction(draw(st.integers(1, 120)), 2)
    shapes = draw(
        st.lists(st.lists(st.integers(0, num_projects - 1), max_size=num_projects), min_size=1, max_size=4)
    )
    voters = [
        (draw(st.integers(1, 4)), draw(st.sampled_from(shapes))) for _ in range(draw(st.integers(0, 7)))
    ]
    order = draw(st.permutations(range(num_projects)))
    return costs, budget, voters, list(order)


def pabutools_election(
    costs: list[int | Fraction], budget: int | Fraction, voters: list[tuple[int, list[int]]], order: list[int]
) -> tuple[list[str], Any, Any]:
    """The same election for pabutools; project names sort in `order` (its lexicographic tie-breaking)."""
    from gmpy2 import mpq
    from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project

    names = [""] * len(costs)
    for rank, p in enumerate(order):
        names[p] = f"p{rank:02d}"
    projects = [Project(names[p], costs[p]) for p in range(len(costs))]
    instance = Instance(projects, budget_limit=mpq(Fraction(budget).numerator, Fraction(budget).denominator))
    ballots = [
        ApprovalBallot({projects[p] for p in approved}) for mult, approved in voters for _ in range(mult)
    ]
    return names, instance, ApprovalProfile(ballots, instance=instance)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.sampled_from(list(RULES)))
def test_random_elections_match_pabutools(election: Any, rule: str) -> None:
    costs, budget, voters, order = election
    names, instance, profile = pabutools_election(costs, budget, voters, order)
    utility, completion = RULES[rule]
    result = equal_shares(costs, budget, voters, utility=utility, order=order, completion=completion)
    assert_same(names, costs, result.selected, pabutools_rule(instance, profile, rule), rule)


@st.composite
def larger_elections(
    draw: st.DrawFn,
) -> tuple[list[int | Fraction], int | Fraction, list[tuple[int, list[int]]], list[int]]:
    """Up to 10 projects and 40 ballot groups: more levels, partial payments and long add1 walks."""
    num_projects = draw(st.integers(2, 10))
    costs: list[int | Fraction] = [draw(st.integers(1, 60)) for _ in range(num_projects)]
    budget = draw(st.integers(1, 200))
    voters = [
        (draw(st.integers(1, 3)), draw(st.lists(st.integers(0, num_projects - 1), max_size=5)))
        for _ in range(draw(st.integers(1, 40)))
    ]
    return costs, budget, voters, list(draw(st.permutations(range(num_projects))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_elections(), st.sampled_from(list(RULES)))
def test_larger_random_elections_match_pabutools(election: Any, rule: str) -> None:
    costs, budget, voters, order = election
    names, instance, profile = pabutools_election(costs, budget, voters, order)
    utility, completion = RULES[rule]
    result = equal_shares(costs, budget, voters, utility=utility, order=order, completion=completion)
    assert_same(names, costs, result.selected, pabutools_rule(instance, profile, rule), rule)


@settings(max_examples=100, deadline=None)
@given(
    elections(),
    st.sampled_from(["cost", "cardinality"]),
    st.sampled_from([Fraction(1, 10**320), 10**240, Fraction(7, 3)]),
)
def test_scale_invariance(election: Any, utility: Utility, factor: Fraction | int) -> None:
    """MES does not care about the currency: multiplying every cost and the budget by the same factor -- even
    one that puts the amounts far outside the range of floats' precision -- selects the same projects."""
    costs, budget, voters, order = election
    plain = equal_shares(costs, budget, voters, utility=utility, order=order)
    scaled = equal_shares([c * factor for c in costs], budget * factor, voters, utility=utility, order=order)
    assert scaled.selected == plain.selected


# --- properties -------------------------------------------------------------------------------------------


def _total(costs: list[Any], selected: list[int]) -> Fraction:
    return sum((Fraction(costs[p]) for p in selected), Fraction(0))


@settings(max_examples=200, deadline=None)
@given(elections(), st.sampled_from(list(RULES)), st.randoms(use_true_random=False))
def test_properties(election: Any, rule: str, rnd: random.Random) -> None:
    costs, budget, voters, order = election
    utility, completion = RULES[rule]
    result = equal_shares(costs, budget, voters, utility=utility, order=order, completion=completion)
    # never over budget; no project twice; deterministic
    assert _total(costs, result.selected) <= budget
    assert len(set(result.selected)) == len(result.selected)
    again = equal_shares(costs, budget, voters, utility=utility, order=order, completion=completion)
    assert again.selected == result.selected and again.explanations == result.explanations
    # the voters' order and grouping do not matter: shuffle, split groups, repeat projects in a ballot
    regrouped: list[tuple[int, list[int]]] = []
    for mult, approved in voters:
        for _ in range(mult):
            ballot = list(approved) + list(approved[:1])
            rnd.shuffle(ballot)
            regrouped.append((1, ballot))
    rnd.shuffle(regrouped)
    other = equal_shares(costs, budget, regrouped, utility=utility, order=order, completion=completion)
    assert other.selected == result.selected
    assert other.voter_budget == result.voter_budget
    # explanations: one per project, JSON-serialisable
    assert sorted(result.explanations) == list(range(len(costs)))
    json.dumps(result.explanations)
    n = sum(m for m, _ in voters)
    if n:
        base = Fraction(budget) / n
        assert result.voter_budget == base + result.increments
    chosen = set(result.selected)
    for p, info in result.explanations.items():
        if p in chosen:
            assert info["code"] in ("mes_selected", "greedy_fill")
        elif info["code"] == "mes_zero_utility":
            assert costs[p] == 0 and utility == "cost"
        else:
            assert info["code"] in ("mes_not_affordable", "mes_no_support")
            # at the end of MES nobody can afford it: its supporters hold less than its cost
            left = Fraction(str(info["supporters_money_left"]))
            assert left < Fraction(costs[p]) or n == 0 or info["code"] == "mes_no_support"


@settings(max_examples=200, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.sampled_from(["none", "add1"]))
def test_payments(election: Any, utility: Utility, completion: Completion) -> None:
    """Every project bought in a MES round is paid in full by its own supporters, nobody pays more than the
    price, and nobody spends more than their share."""
    costs, budget, voters, order = election
    traced = equal_shares_trace(costs, budget, voters, utility=utility, order=order, completion=completion)
    result = traced.result
    share = result.voter_budget
    spent = [Fraction(0)] * len(voters)
    for p, paid in traced.payments.items():
        info = result.explanations[p]
        price = Fraction(str(info["price_per_supporter"]))
        assert sum(voters[g][0] * amount for g, amount in paid.items()) == Fraction(costs[p])
        for g, amount in paid.items():
            assert p in voters[g][1]
            assert 0 < amount <= price
            spent[g] += amount
    assert set(traced.payments) == {p for p in result.selected if result.explanations[p]["round"] != 0}
    for g in range(len(voters)):
        assert spent[g] <= share
        assert result.voter_spent[g] == spent[g]
    for p in result.payments:
        assert result.payments[p] == Fraction(costs[p])


# --- edge cases and input checks --------------------------------------------------------------------------


def test_no_voters_selects_nothing_and_add1_greedy_fills() -> None:
    assert equal_shares([5, 0], 10, [], utility="cost", order=[0, 1]).selected == []
    # No scores: the greedy fill goes by tie-breaking order: 2 (cost 7) fits, 0 (5) does not, 1 (0) does.
    filled = equal_shares([5, 0, 7], 10, [], utility="cost", order=[2, 0, 1], completion="add1-greedy")
    assert filled.selected == [2, 1]


def test_free_projects() -> None:
    """As in pabutools: with cost utilities a free project is worth nothing, so MES ignores it; with
    cardinality utilities a supported free project is bought up front; the greedy fill takes every free one."""
    costs, voters = [0, 10, 0], [(2, [0, 1])]
    by_cost = equal_shares(costs, 10, voters, utility="cost", order=[0, 1, 2])
    assert by_cost.selected == [1]
    assert by_cost.explanations[0]["code"] == "mes_zero_utility"
    assert by_cost.explanations[2]["code"] == "mes_no_support"
    by_count = equal_shares(costs, 10, voters, utility="cardinality", order=[0, 1, 2])
    assert by_count.selected == [0, 1]
    assert by_count.explanations[0]["round"] == 0
    filled = equal_shares(costs, 10, voters, utility="cost", order=[0, 1, 2], completion="add1-greedy")
    assert filled.selected == [1, 0, 2]
    assert [filled.explanations[p]["code"] for p in (0, 1, 2)] == [
        "greedy_fill",
        "mes_selected",
        "greedy_fill",
    ]


def test_tie_goes_to_the_project_earlier_in_order() -> None:
    voters = [(1, [0]), (1, [1])]  # the same price and rho for both
    assert equal_shares([5, 5], 10, voters, utility="cost", order=[1, 0]).selected == [1, 0]
    assert equal_shares([5, 5], 10, voters, utility="cost", order=[0, 1]).selected == [0, 1]


def test_explanations_of_a_small_count() -> None:
    # 4 voters, 10 each.  A (cost 30) has 3 supporters: price 10 each.  B (cost 20) has supporters 3 and 4:
    # voter 3 has nothing left after A, voter 4 has 10: 10 < 20, not affordable; it needed one more supporter.
    result = equal_shares([30, 20], 40, [(2, [0]), (1, [0, 1]), (1, [1])], utility="cost", order=[0, 1])
    assert result.selected == [0]
    assert result.voter_budget == 10
    assert result.explanations[0] == {
        "code": "mes_selected",
        "phase": "equal_shares",
        "round": 1,
        "cost": 30,
        "supporters": 3,
        "price_per_supporter": 10,
        "rho": "1/3",
        "paid_in_full": 3,
        "paid_all_left": 0,
    }
    assert result.explanations[1] == {
        "code": "mes_not_affordable",
        "cost": 20,
        "supporters": 2,
        "supporters_money_left": 10,
        "shortfall": 10,
        "max_affordable_cost": 10,
        "needed_supporters": 1,
    }


def test_input_checks() -> None:
    with pytest.raises(ValueError):
        equal_shares([1, 2], 3, [], utility="cost", order=[0])
    with pytest.raises(ValueError):
        equal_shares([1, 2], 3, [], utility="cost", order=[0, 0])
    with pytest.raises(TypeError):
        equal_shares([1.5, 2], 3, [], utility="cost", order=[0, 1])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        equal_shares([1, 2], 3, [(1, [2])], utility="cost", order=[0, 1])
    with pytest.raises(ValueError):
        equal_shares([1, 2], 3, [(-1, [0])], utility="cost", order=[0, 1])
    with pytest.raises(ValueError):
        equal_shares([1, 2], 3, [], utility="utility", order=[0, 1])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        equal_shares([-1, 2], 3, [], utility="cost", order=[0, 1])


def test_ballots_may_name_projects_by_key() -> None:
    costs, order = [30, 20], [0, 1]
    by_index = equal_shares(costs, 40, [(2, [0]), (1, [0, 1]), (1, [1])], utility="cost", order=order)
    by_key = equal_shares(
        costs,
        40,
        [(2, ["a"]), (1, ["b", "a"]), (1, ["b"])],
        utility="cost",
        order=order,
        project_keys=["a", "b"],
    )
    assert by_key == by_index
    with pytest.raises(ValueError, match="unknown project"):
        equal_shares(costs, 40, [(1, ["c"])], utility="cost", order=order, project_keys=["a", "b"])
    with pytest.raises(ValueError, match="every project once"):
        equal_shares(costs, 40, [], utility="cost", order=order, project_keys=["a", "a"])
