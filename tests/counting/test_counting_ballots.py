"""Validation of one resident's ballot: every problem reported at once, for each kind of ballot."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.counting import Ballot, BallotProblem, BallotRules, Project, validate
from app.counting.ballots import BallotRulesError

PROJECTS = {
    pid: Project(pid, cost)
    for pid, cost in {"a": 100, "b": 250, "c": 400, "d": 50, "e": Fraction(501, 2)}.items()
}


def codes(problems: list[BallotProblem]) -> list[str]:
    return [p.code for p in problems]


def test_valid_ballots_have_no_problems() -> None:
    assert validate(BallotRules("approval", 1, 3), ["a", "b"], PROJECTS) == []
    assert (
        validate(
            BallotRules("knapsack", budget_limit=500, min_spend_share=Fraction(1, 2)), ["b", "a"], PROJECTS
        )
        == []
    )
    assert validate(BallotRules("choose-1"), ["c"], PROJECTS) == []
    assert (
        validate(
            BallotRules("cumulative", max_total_points=5, max_points_per_project=3),
            {"a": 3, "b": 2},
            PROJECTS,
        )
        == []
    )
    assert validate(BallotRules("ordinal", 1, max_rank_length=3), ["c", "a", "b"], PROJECTS) == []
    assert validate(BallotRules("approval"), Ballot(("a", "b")), PROJECTS) == []


def test_approval_reports_every_problem_at_once() -> None:
    problems = validate(BallotRules("approval", 2, 3), ["a", "x", "a", "y", "b", "c"], PROJECTS)
    assert codes(problems) == ["unknown_project", "unknown_project", "duplicate", "too_many"]
    assert problems[0].project_id == "x" and problems[1].project_id == "y"
    assert problems[2] == BallotProblem("duplicate", "a", {"times": 2})
    assert problems[3].details == {"count": 5, "limit": 3}


def test_too_few() -> None:
    assert validate(BallotRules("approval", 2), ["a"], PROJECTS) == [
        BallotProblem("too_few", None, {"count": 1, "limit": 2})
    ]
    assert codes(validate(BallotRules("approval", 1), [], PROJECTS)) == ["too_few"]


def test_knapsack_over_budget_and_under_min_share() -> None:
    rules = BallotRules("knapsack", 0, 2, budget_limit=500, min_spend_share=Fraction(3, 5))
    over = validate(rules, ["c", "b", "a"], PROJECTS)
    assert codes(over) == ["too_many", "over_budget"]
    assert over[1].details == {"total": 750, "limit": 500}
    under = validate(rules, ["a", "d"], PROJECTS)
    assert under == [
        BallotProblem("under_min_share", None, {"total": 150, "required": 300, "share": Fraction(3, 5)})
    ]


def test_knapsack_is_exact_at_the_limit() -> None:
    rules = BallotRules("knapsack", budget_limit=Fraction(1001, 2), min_spend_share=Fraction(1, 1))
    # 250 + 250.5 = 500.5: exactly the limit and exactly the required share; no float could be trusted here.
    assert validate(rules, ["b", "e"], PROJECTS) == []
    assert codes(validate(rules, ["b", "e", "d"], PROJECTS)) == ["over_budget"]


def test_knapsack_ignores_unknown_projects_in_the_sum() -> None:
    rules = BallotRules("knapsack", budget_limit=100)
    assert codes(validate(rules, ["a", "zzz"], PROJECTS)) == ["unknown_project"]


def test_choose_one() -> None:
    rules = BallotRules("choose-1")
    assert codes(validate(rules, [], PROJECTS)) == ["too_few"]
    assert validate(rules, ["a", "b"], PROJECTS) == [
        BallotProblem("too_many", None, {"count": 2, "limit": 1})
    ]


def test_cumulative_reports_every_problem_at_once() -> None:
    rules = BallotRules("cumulative", max_points_per_project=3, max_total_points=5, min_total_points=1)
    problems = validate(rules, {"a": 4, "b": 3, "x": 1}, PROJECTS)
    assert codes(problems) == ["unknown_project", "points_per_project", "points_total"]
    assert problems[1] == BallotProblem("points_per_project", "a", {"points": 4, "limit": 3})
    assert problems[2].details == {"total": 8, "limit": 5}


def test_cumulative_points_must_be_positive_whole_numbers_and_zero_means_not_chosen() -> None:
    rules = BallotRules("cumulative", max_total_points=5)
    problems = validate(rules, {"a": -1, "b": Fraction(1, 2), "c": True, "d": 0}, PROJECTS)
    assert codes(problems) == ["points_invalid", "points_invalid", "points_invalid"]
    assert [p.project_id for p in problems] == ["a", "b", "c"]
    assert codes(validate(BallotRules("cumulative", 1, max_total_points=5), {"d": 0}, PROJECTS)) == [
        "too_few"
    ]


def test_cumulative_too_few_points_and_missing_points() -> None:
    rules = BallotRules("cumulative", max_total_points=5, min_total_points=3)
    assert validate(rules, {"a": 1}, PROJECTS) == [
        BallotProblem("points_too_few", None, {"total": 1, "limit": 3})
    ]
    assert codes(validate(rules, ["a"], PROJECTS)) == ["points_missing"]
    assert codes(validate(BallotRules("approval"), Ballot(("a",), (1,)), PROJECTS)) == ["points_invalid"]


def test_ordinal_reports_every_problem_at_once() -> None:
    rules = BallotRules("ordinal", 1, 3, max_rank_length=3)
    problems = validate(rules, ["a", "b", "a", "c", "q"], PROJECTS)
    assert codes(problems) == ["unknown_project", "duplicate", "too_many", "ranking_too_long"]
    assert problems[-1].details == {"length": 5, "limit": 3}


def test_inconsistent_rules_are_refused() -> None:
    with pytest.raises(BallotRulesError):
        BallotRules("knapsack")
    with pytest.raises(BallotRulesError):
        BallotRules("approval", 3, 2)
    with pytest.raises(BallotRulesError):
        BallotRules("knapsack", budget_limit=10, min_spend_share=Fraction(3, 2))
    with pytest.raises(BallotRulesError):
        BallotRules("cumulative")
    with pytest.raises(BallotRulesError):
        BallotRules("quadratic")  # type: ignore[arg-type]


def test_rules_from_pabulib_meta() -> None:
    assert BallotRules.from_pabulib_meta("approval", {"min_length": "1", "max_length": "5"}) == BallotRules(
        "approval", 1, 5
    )
    knapsack = BallotRules.from_pabulib_meta("approval", {"max_sum_cost": "250000", "min_sum_cost": "125000"})
    assert knapsack.kind == "knapsack" and knapsack.budget_limit == 250000
    assert knapsack.min_spend_share == Fraction(1, 2)
    cumulative = BallotRules.from_pabulib_meta("cumulative", {"max_sum_points": "3", "min_sum_points": "1"})
    assert (cumulative.max_total_points, cumulative.min_total_points) == (3, 1)
    assert BallotRules.from_pabulib_meta("choose-1", {}).kind == "choose-1"
    assert BallotRules.from_pabulib_meta("ordinal", {"max_length": "3"}).max_rank_length == 3
