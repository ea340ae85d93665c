"""The greedy rules, tie-breaking, explanations and the count() API on small hand-made elections."""

from __future__ import annotations

import importlib.util
import json
from fractions import Fraction

import pytest

from app.counting import (
    MES_RULES,
    RULES,
    Ballot,
    Election,
    ElectionError,
    Project,
    TieBreakError,
    UnknownRuleError,
    count,
    render_text,
)
from app.counting.explain import Explanation

HAVE_MES = importlib.util.find_spec("app.counting.equal_shares") is not None
needs_mes = pytest.mark.skipif(not HAVE_MES, reason="app.counting.equal_shares has not landed yet")


def approval(budget: int, costs: dict[str, int], *votes: tuple[str, ...], **kwargs: object) -> Election:
    projects = [
        Project(pid, cost, categories=tuple(kwargs.pop(f"cat_{pid}", ()))) for pid, cost in costs.items()
    ]  # type: ignore[arg-type]
    return Election.build(budget, projects, [Ballot(v) for v in votes], **kwargs)  # type: ignore[arg-type]


# a: 3 votes, b: 2, c: 2, d: 1
E = approval(
    100,
    {"a": 60, "b": 50, "c": 30, "d": 10},
    ("a", "b"),
    ("a", "c"),
    ("a", "b", "c", "d"),
)


def test_greedy_skips_what_does_not_fit() -> None:
    outcome = count(E, "greedy", tie_break="lexicographic")
    assert outcome.selected == ("a", "c", "d")
    assert outcome.total_cost == 100 and outcome.budget_left == 0
    assert outcome.scores == {"a": 3, "b": 2, "c": 2, "d": 1}
    b = outcome.explanations["b"]
    assert (b.code, b.details["cost"], b.details["budget_left"]) == ("did_not_fit", 50, 40)
    assert outcome.explanations["a"].details == {"score": 3, "cost": 60, "rank": 1, "budget_left": 40}
    assert outcome.ties == (("b", "c"),)


def test_greedy_no_skip_stops_at_the_first_misfit() -> None:
    outcome = count(E, "greedy-no-skip", tie_break="lexicographic")
    assert outcome.selected == ("a",)
    assert outcome.explanations["b"].code == "did_not_fit"
    for pid in ("c", "d"):
        explanation = outcome.explanations[pid]
        assert explanation.code == "too_few_votes"
        assert explanation.details["stopped_at"] == "b"
        assert explanation.details["stopped_at_score"] == 2


def test_greedy_threshold() -> None:
    outcome = count(E, "greedy-threshold", min_score=2, tie_break="lexicographic")
    assert outcome.selected == ("a", "c")
    assert outcome.explanations["d"].code == "below_threshold"
    assert outcome.explanations["d"].details["min_score"] == 2
    with pytest.raises(ValueError, match="minimum score"):
        count(E, "greedy-threshold")
    with_meta = Election.build(100, E.projects.values(), E.ballots, min_project_score=3)
    assert count(with_meta, "greedy-threshold").selected == ("a",)


def test_greedy_per_cost_compares_exact_ratios() -> None:
    # x: 1 vote for 3 (ratio 1/3); y: 100000001 votes for 300000000 (ratio a hair above 1/3).
    e = Election.build(
        300000000,
        [Project("x", 3), Project("y", 300000000)],
        [Ballot(("x",)), Ballot(("y",), weight=100000001)],
    )
    outcome = count(e, "greedy-per-cost", tie_break="lexicographic")
    assert outcome.selected == ("y",)
    assert outcome.explanations["x"].code == "did_not_fit"
    free = Election.build(5, [Project("f", 0), Project("g", 5)], [Ballot(("f",)), Ballot(("g",), weight=9)])
    assert count(free, "greedy-per-cost").selected == ("f", "g")


def test_category_caps() -> None:
    e = approval(
        100,
        {"a": 60, "b": 30, "c": 30},
        ("a", "b", "c"),
        ("a", "b", "c"),
        ("a", "b"),
        cat_a=("green",),
        cat_b=("green", "kids"),
        cat_c=("kids",),
        category_caps={"green": 80},
    )
    outcome = count(e, "greedy", tie_break="lexicographic")
    assert outcome.selected == ("a", "c")
    b = outcome.explanations["b"]
    assert b.code == "category_cap"
    assert b.details == {"score": 3, "cost": 30, "category": "green", "cap": 80, "spent": 60}
    assert count(e, "greedy", category_caps={}, tie_break="lexicographic").selected == ("a", "b")
    assert count(e, "greedy", category_caps={"kids": 30}, tie_break="lexicographic").selected == ("a", "b")
    # The default tie-break takes the cheaper b before a (both 3 votes); the cap then stops a.
    assert count(e, "greedy").selected == ("b", "c")


def test_neighborhood_caps() -> None:
    projects = [
        Project("a", 40, neighborhood="Noord"),
        Project("b", 40, neighborhood="Noord"),
        Project("c", 40),
    ]
    e = Election.build(
        200, projects, [Ballot(("a", "b", "c")), Ballot(("a", "b"))], neighborhood_caps={"Noord": 50}
    )
    outcome = count(e, "greedy-no-skip")
    assert outcome.selected == ("a", "c")  # a cap skips, it never stops greedy-no-skip
    assert outcome.explanations["b"].code == "neighborhood_cap"
    assert outcome.explanations["b"].details["neighborhood"] == "Noord"


def test_default_tie_break_prefers_cheaper_then_more_votes_then_the_lot() -> None:
    e = approval(100, {"p1": 50, "p2": 40, "p3": 40, "p4": 40}, ("p1", "p2", "p3", "p4"), ("p4",))
    # p1..p3 tie on 1 vote... p4 has 2.  Among p2/p3 (same cost, same votes) only the lot decides.
    no_lot = count(e, "greedy")
    assert no_lot.tie_break.fallback and no_lot.tie_break.lot_order is None
    assert "no lot order" in no_lot.tie_break.description
    assert no_lot.selected == ("p4", "p2")
    with_lot = count(e, "greedy", lot_order=["p3", "p1", "p4", "p2", "withdrawn"])
    assert with_lot.selected == ("p4", "p3")
    assert with_lot.tie_break.lot_order == ("p3", "p1", "p4", "p2", "withdrawn")
    assert not with_lot.tie_break.fallback
    lexicographic = count(e, "greedy", tie_break="lexicographic")
    assert lexicographic.selected == ("p4", "p1")


def test_tie_break_errors() -> None:
    with pytest.raises(TieBreakError, match="does not name these projects: b"):
        count(E, "greedy", lot_order=["a", "c", "d"])
    with pytest.raises(TieBreakError, match="unknown tie-break"):
        count(E, "greedy", tie_break="coin")
    with pytest.raises(TieBreakError):
        count(E, "greedy", tie_break="lexicographic", lot_order=["a", "b", "c", "d"])


def test_lexicographic_compares_ids_as_text() -> None:
    e = approval(10, {"10": 10, "9": 10}, ("10", "9"))
    assert count(e, "greedy", tie_break="lexicographic").selected == ("10",)


def test_cumulative_and_ordinal_scores() -> None:
    projects = [Project("a", 10), Project("b", 10), Project("c", 10)]
    cumulative = Election.build(
        10, projects, [Ballot(("a", "b"), (1, 2)), Ballot(("a",), (2,))], "cumulative"
    )
    outcome = count(cumulative, "greedy")
    assert outcome.scores == {"a": 3, "b": 2, "c": 0}
    assert outcome.supporters == {"a": 2, "b": 1, "c": 0}
    ordinal = Election.build(10, projects, [Ballot(("b", "a", "c")), Ballot(("a",), weight=2)], "ordinal")
    assert count(ordinal, "greedy").scores == {"a": 4, "b": 3, "c": 1}


def test_unknown_rule_lists_the_rules() -> None:
    with pytest.raises(UnknownRuleError) as caught:
        count(E, "borda")
    for rule in RULES:
        assert rule in str(caught.value)


def test_empty_elections() -> None:
    nobody = approval(100, {"a": 60, "b": 50})
    outcome = count(nobody, "greedy", tie_break="lexicographic")
    # Like pabutools: with no votes every score is 0 and greedy still spends what fits, in tie-break order.
    assert outcome.selected == ("a",)
    no_projects = Election.build(100, [], [Ballot(())])
    for rule in RULES:
        if rule == "greedy-threshold" or (rule in MES_RULES and not HAVE_MES):
            continue
        assert count(no_projects, rule).selected == ()


def test_election_invariants() -> None:
    with pytest.raises(ElectionError, match="unknown projects"):
        Election.build(10, [Project("a", 1)], [Ballot(("b",))])
    with pytest.raises(ElectionError, match="twice"):
        Election.build(10, [Project("a", 1)], [Ballot(("a", "a"))])
    with pytest.raises(ElectionError, match="float"):
        Project("a", 1.5)  # type: ignore[arg-type]
    with pytest.raises(ElectionError, match="negative"):
        Project("a", -1)
    with pytest.raises(ElectionError):
        Ballot(("a",), weight=0)
    with pytest.raises(ElectionError, match="needs points"):
        Election.build(10, [Project("a", 1)], [Ballot(("a",))], "cumulative")
    with pytest.raises(ElectionError, match="duplicate"):
        Election.build(10, [Project("a", 1), Project("a", 2)], [])
    assert Project("a", Fraction(4, 2)).cost == 2 and isinstance(Project("a", Fraction(4, 2)).cost, int)


def test_outcome_to_dict_is_json() -> None:
    outcome = count(E, "greedy", tie_break="lexicographic")
    data = json.loads(json.dumps(outcome.to_dict()))
    assert data["selected"] == ["a", "c", "d"]
    assert data["rule"] == "greedy" and data["tie_break"] == "lexicographic"
    assert {e["project_id"] for e in data["explanations"]} == {"a", "b", "c", "d"}
    assert data["explanations"][1] == {
        "project_id": "b",
        "code": "did_not_fit",
        "details": {"score": 2, "cost": 50, "budget_left": 40},
    }


def test_render_text_english_and_dutch() -> None:
    outcome = count(E, "greedy-no-skip", tie_break="lexicographic")
    assert (
        render_text(outcome.explanations["b"]) == "did not fit: it costs 50 but only 40 was left at its turn"
    )
    assert "paste niet" in render_text(outcome.explanations["b"], "nl")
    assert "counting stopped at b" in render_text(outcome.explanations["c"])
    mes = Explanation(
        "x",
        "mes_not_affordable",
        {"cost": 1000, "supporters": 3, "supporters_money_left": Fraction(1201, 2), "needed_supporters": 2},
    )
    assert render_text(mes) == (
        "its 3 supporters had only 600.50 left for a project costing 1\u202f000; it needed 2 more supporters"
    )
    assert render_text(Explanation("x", "something_new", {"n": 1})) == "something_new (n=1)"


@needs_mes
def test_mes_rules_explain_every_project() -> None:
    for rule in MES_RULES:
        outcome = count(E, rule, tie_break="lexicographic")
        assert outcome.total_cost <= outcome.budget
        assert set(outcome.explanations) == set(E.projects)
        for pid, explanation in outcome.explanations.items():
            assert (explanation.code == "selected") == (pid in outcome.selected)
            if explanation.code == "selected":
                assert explanation.details["rank"] == outcome.selected.index(pid) + 1
            else:
                assert explanation.code in ("mes_not_affordable", "mes_no_support", "not_selected")
            render_text(explanation)
            render_text(explanation, "nl")


@needs_mes
def test_mes_rules_ignore_caps_with_a_note_and_refuse_min_score() -> None:
    e = Election.build(100, E.projects.values(), E.ballots, category_caps={"green": 1})
    assert any("not applied" in note for note in count(e, "equalshares").notes)
    with pytest.raises(ValueError, match="greedy rules only"):
        count(E, "equalshares", min_score=1)


@needs_mes
def test_mes_counts_empty_ballots_as_voters() -> None:
    # Two voters for a, eight abstain: each of the 10 holds 10, so a's supporters have 20 < 30.
    e = Election.build(100, [Project("a", 30)], [Ballot(("a",), weight=2), Ballot((), weight=8)])
    outcome = count(e, "equalshares")
    assert outcome.selected == ()
    assert outcome.explanations["a"].code == "mes_not_affordable"
    assert outcome.explanations["a"].details["supporters_money_left"] == 20
