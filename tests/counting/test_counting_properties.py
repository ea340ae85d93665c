"""Property tests: budget and caps never exceeded, ballot order irrelevant, same input gives same output,
and (for small random approval elections) the same selection as pabutools."""

from __future__ import annotations

import importlib.util
import random
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot, ApprovalProfile, Cardinality_Sat, Cost_Sat, Instance
from pabutools.election import Project as PabuProject
from pabutools.rules import greedy_utilitarian_welfare

from app.counting import MES_RULES, RULES, Ballot, Election, Project, count

HAVE_MES = importlib.util.find_spec("app.counting.equal_shares") is not None
COUNTED_RULES = [r for r in RULES if HAVE_MES or r not in MES_RULES]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(
    draw: st.DrawFn, vote_types: tuple[str, ...] = ("approval", "cumulative", "ordinal")
) -> Election:
    vote_type = draw(st.sampled_from(vote_types))
    n = draw(st.integers(1, 6))
    ids = [f"p{i}" for i in range(n)]
    # Small cost ranges on purpose: they make many exact ties, where tie-breaking must hold up.
    costs = draw(
        st.lists(
            st.one_of(st.integers(0, 12), st.fractions(Fraction(1, 2), 12, max_denominator=4)),
            min_size=n,
            max_size=n,
        )
    )
    categories = draw(
        st.lists(st.sampled_from([(), ("green",), ("kids",), ("green", "kids")]), min_size=n, max_size=n)
    )
    projects = [
        Project(pid, cost, categories=cats) for pid, cost, cats in zip(ids, costs, categories, strict=True)
    ]
    ballots = []
    for _ in range(draw(st.integers(0, 8))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))
        weight = draw(st.integers(1, 3))
        if vote_type == "cumulative":
            points = tuple(draw(st.integers(1, 3)) for _ in chosen)
            ballots.append(Ballot(tuple(chosen), points, weight))
        else:
            ballots.append(Ballot(tuple(chosen), None, weight))
    budget = draw(st.one_of(st.integers(0, 30), st.fractions(0, 30, max_denominator=3)))
    caps = draw(st.sampled_from([{}, {"green": 10}, {"green": 5, "kids": 8}]))
    return Election.build(budget, projects, ballots, vote_type, min_project_score=1, category_caps=caps)  # type: ignore[arg-type]


@SETTINGS
@given(elections(), st.sampled_from(["lexicographic", "default"]))
def test_budget_and_caps_are_never_exceeded(election: Election, tie_break: str) -> None:
    for rule in COUNTED_RULES:
        outcome = count(election, rule, tie_break=tie_break)
        assert outcome.total_cost <= election.budget
        assert outcome.total_cost == sum((election.projects[p].cost for p in outcome.selected), 0)
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert set(outcome.explanations) == set(election.projects)
        if rule not in MES_RULES:
            for category, cap in election.category_caps.items():
                spent = sum(
                    election.projects[p].cost
                    for p in outcome.selected
                    if category in election.projects[p].categories
                )
                assert spent <= cap


@SETTINGS
@given(elections(), st.randoms(use_true_random=False), st.sampled_from(["lexicographic", "default"]))
def test_ballot_order_and_grouping_are_irrelevant(
    election: Election, rnd: random.Random, tie_break: str
) -> None:
    shuffled = list(election.ballots)
    rnd.shuffle(shuffled)
    # The same voters one by one, in another order, and approval sets written in another order.
    ungrouped: list[Ballot] = []
    for ballot in shuffled:
        for _ in range(ballot.weight):
            if election.vote_type == "approval":
                choices = list(ballot.choices)
                rnd.shuffle(choices)
                ungrouped.append(Ballot(tuple(choices)))
            else:
                ungrouped.append(Ballot(ballot.choices, ballot.points))
    rnd.shuffle(ungrouped)
    other = Election.build(
        election.budget,
        election.projects.values(),
        ungrouped,
        election.vote_type,
        min_project_score=election.min_project_score,
        category_caps=election.category_caps,
    )
    for rule in COUNTED_RULES:
        first = count(election, rule, tie_break=tie_break)
        second = count(other, rule, tie_break=tie_break)
        assert first.selected == second.selected
        assert first.explanations == second.explanations


@SETTINGS
@given(elections(), st.sampled_from(["lexicographic", "default"]))
def test_same_input_same_output(election: Election, tie_break: str) -> None:
    lot = sorted(election.projects, reverse=True)
    for rule in COUNTED_RULES:
        lot_order = lot if tie_break == "default" else None
        assert count(election, rule, tie_break=tie_break, lot_order=lot_order) == count(
            election, rule, tie_break=tie_break, lot_order=lot_order
        )


@settings(max_examples=80, deadline=None)
@given(elections(vote_types=("approval",)))
def test_small_random_elections_match_pabutools_greedy(election: Election) -> None:
    pabu = {pid: PabuProject(pid, p.cost) for pid, p in election.projects.items()}
    instance = Instance(pabu.values(), budget_limit=election.budget)
    ballots = [
        ApprovalBallot(pabu[pid] for pid in b.choices) for b in election.ballots for _ in range(b.weight)
    ]
    profile = ApprovalProfile(ballots)
    for rule, sat in (("greedy", Cost_Sat), ("greedy-per-cost", Cardinality_Sat)):
        ours = count(election, rule, tie_break="lexicographic", category_caps={})
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
        assert set(ours.selected) == {p.name for p in theirs}, rule
