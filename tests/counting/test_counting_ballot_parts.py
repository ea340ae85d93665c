"""A resident's ballot split over the round's parts (wijk and buurt budgets), with points and ranks."""

from __future__ import annotations

from app.counting import Project
from app.counting.ballot_parts import BallotPart, Marks, check_marks
from app.counting.ballots import BallotRules


def part(key: str, rules: BallotRules, *costs: tuple[str, int]) -> BallotPart:
    return BallotPart(key, rules, {pid: Project(pid, cost) for pid, cost in costs})


KNAPSACK_WIJK = part("wijk", BallotRules("knapsack", 1, budget_limit=100), ("w1", 60), ("w2", 50))
KNAPSACK_NOORD = part("noord", BallotRules("knapsack", 1, budget_limit=30), ("n1", 20), ("n2", 20))
KNAPSACK_ZUID = part("zuid", BallotRules("knapsack", 1, budget_limit=30), ("z1", 10))
PARTS = [KNAPSACK_WIJK, KNAPSACK_NOORD, KNAPSACK_ZUID]


def codes(checked: object) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.part, p.project_id) for p in checked.problems]  # type: ignore[attr-defined]


def test_a_resident_votes_in_the_wijk_part_and_their_own_buurt() -> None:
    checked = check_marks(PARTS, Marks(ticked=["w1", "n1"]), allowed={"wijk", "noord"})
    assert checked.ok
    assert [(c.key, c.choices) for c in checked.parts] == [("wijk", ("w1",)), ("noord", ("n1",))]


def test_another_buurts_project_is_refused() -> None:
    checked = check_marks(PARTS, Marks(ticked=["w1", "z1"]), allowed={"wijk", "noord"})
    assert codes(checked) == [("not_your_part", "zuid", "z1")]


def test_every_part_is_checked_against_its_own_budget_at_once() -> None:
    checked = check_marks(PARTS, Marks(ticked=["w1", "w2", "n1", "n2", "x"]), allowed={"wijk", "noord"})
    assert codes(checked) == [
        ("unknown_project", None, "x"),
        ("over_budget", "wijk", None),
        ("over_budget", "noord", None),
    ]
    over = [p for p in checked.problems if p.code == "over_budget"]
    assert [(p.details["total"], p.details["limit"]) for p in over] == [(110, 100), (40, 30)]


def test_a_part_may_be_left_empty_but_not_the_whole_ballot() -> None:
    assert check_marks(PARTS, Marks(ticked=["n2"]), allowed={"wijk", "noord"}).ok
    assert codes(check_marks(PARTS, Marks(), allowed={"wijk", "noord"})) == [("empty_ballot", None, None)]


def test_with_one_part_its_minimum_always_applies() -> None:
    checked = check_marks([KNAPSACK_WIJK], Marks(), allowed={"wijk"})
    assert codes(checked) == [("too_few", "wijk", None)]


POINTS = BallotRules("cumulative", 1, max_points_per_project=3, max_total_points=5, min_total_points=1)


def test_points_are_read_and_checked_per_part() -> None:
    parts = [part("wijk", POINTS, ("a", 10), ("b", 10), ("c", 10)), part("noord", POINTS, ("n", 10))]
    marks = Marks(points={"a": "3", "b": " 2 ", "c": "0", "n": ""})
    checked = check_marks(parts, marks, allowed={"wijk", "noord"})
    assert checked.ok
    assert checked.parts[0].choices == ("a", "b") and checked.parts[0].points == (3, 2)
    assert checked.parts[1].choices == () and checked.parts[1].points == ()


def test_every_points_problem_at_once() -> None:
    parts = [part("wijk", POINTS, ("a", 10), ("b", 10), ("c", 10), ("d", 10))]
    marks = Marks(points={"a": "4", "b": "3", "c": "2,5", "d": "-1"})
    found = {(p.code, p.project_id) for p in check_marks(parts, marks, allowed={"wijk"}).problems}
    assert found == {
        ("points_invalid", "c"),
        ("points_invalid", "d"),
        ("points_per_project", "a"),
        ("points_total", None),
    }


RANKED = BallotRules("ordinal", 1, 3, max_rank_length=3)


def test_ranks_become_an_ordering_favourite_first() -> None:
    parts = [part("wijk", RANKED, ("a", 10), ("b", 10), ("c", 10))]
    checked = check_marks(parts, Marks(ranks={"a": "2", "b": "", "c": "1"}), allowed={"wijk"})
    assert checked.ok and checked.parts[0].choices == ("c", "a")


def test_ranks_with_repeats_gaps_or_nonsense_are_all_reported() -> None:
    parts = [part("wijk", RANKED, ("a", 10), ("b", 10), ("c", 10), ("d", 10), ("e", 10))]
    marks = Marks(ranks={"a": "1", "b": "1", "c": "3", "d": "x", "e": "0"})
    checked = check_marks(parts, marks, allowed={"wijk"})
    assert codes(checked) == [
        ("rank_invalid", None, "d"),
        ("rank_invalid", None, "e"),
        ("rank_duplicate", "wijk", None),
        ("rank_gap", "wijk", None),  # 1, 1, 3: rank 2 is missing too
    ]
    gap = check_marks(parts, Marks(ranks={"a": "1", "b": "3"}), allowed={"wijk"})
    assert [(p.code, p.details) for p in gap.problems] == [("rank_gap", {"missing": 2})]
    too_long = check_marks(
        parts, Marks(ranks={k: str(i + 1) for i, k in enumerate("abcd")}), allowed={"wijk"}
    )
    assert ("too_many", "wijk", None) in codes(too_long)
