"""The leftover step: every policy on small elections, pabulib META leftover_budget in `wijkbudget tally`, and
the Amsterdam files with their own leftover rule, checked against pabutools where it can do the same."""

from __future__ import annotations

import functools
from pathlib import Path

import pabutools_oracle as oracle
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import Cost_Sat
from pabutools.rules import greedy_utilitarian_welfare

from app.cli.tally import tally_command
from app.counting import Ballot, Election, Project, count, read_pabulib, render_text
from app.counting.leftover import (
    LEFTOVER_POLICIES,
    LeftoverPolicyError,
    pabulib_leftover_text,
    policy_from_pabulib,
)
from app.counting.tally import run_tally


def capped() -> Election:
    """€ 100; caps: groen 40. a (groen, 40, 5 votes), b (groen, 30, 4), c (spelen, 50, 3), d (spelen, 20, 2).

    Greedy with the cap funds a and c (90 spent); b is stopped by the cap, d does not fit in the 10 left."""
    projects = [
        Project("a", 40, categories=("groen",)),
        Project("b", 30, categories=("groen",)),
        Project("c", 50, categories=("spelen",)),
        Project("d", 20, categories=("spelen",)),
    ]
    ballots = [Ballot(("a", "b", "c", "d"))] * 2 + [Ballot(("a", "b", "c"))] + [Ballot(("a", "b"))]
    ballots += [Ballot(("a",))]
    return Election.build(100, projects, ballots, category_caps={"groen": 40})


def test_without_a_step_the_caps_leave_money_unspent() -> None:
    outcome = count(capped(), "greedy", tie_break="lexicographic")
    assert outcome.selected == ("a", "c")
    assert outcome.explanations["b"].code == "category_cap"
    assert outcome.budget_left == 10 and outcome.leftover is None


@pytest.mark.parametrize("policy", ["return", "next_round"])
def test_return_and_next_round_fund_nothing_more_but_record_the_amount(policy: str) -> None:
    outcome = count(capped(), "greedy", tie_break="lexicographic", leftover=policy)
    assert outcome.selected == ("a", "c")
    assert outcome.leftover is not None
    assert (outcome.leftover.before, outcome.leftover.after, outcome.leftover.added) == (10, 10, ())
    assert outcome.to_dict()["leftover"]["policy"] == policy  # type: ignore[index]


def test_fund_fitting_ignores_the_caps_and_goes_by_score() -> None:
    e = Election.build(
        200,
        [Project("a", 40, categories=("g",)), Project("b", 30, categories=("g",)), Project("c", 20)],
        [Ballot(("a", "b", "c")), Ballot(("a", "b")), Ballot(("a",))],
        category_caps={"g": 40},
    )
    outcome = count(e, "greedy", tie_break="lexicographic", leftover="fund_fitting")
    # The rule funds a and c (b is capped); the step then funds b, the cap no longer binding.
    assert outcome.selected == ("a", "c", "b")
    assert outcome.total_cost == 90 and outcome.budget_left == 110
    b = outcome.explanations["b"]
    assert (b.code, b.details["phase"], b.details["before"], b.details["rank"]) == (
        "selected",
        "leftover",
        "category_cap",
        3,
    )
    assert render_text(b).endswith("with the money left over")
    assert outcome.leftover is not None and outcome.leftover.added == ("b",)


def test_fund_fitting_skips_what_does_not_fit_and_nobody_wanted() -> None:
    e = Election.build(
        100,
        [Project("a", 70), Project("b", 50), Project("c", 20), Project("z", 5)],
        [Ballot(("a", "b", "c")), Ballot(("a", "b")), Ballot(("a",))],
    )
    outcome = count(e, "greedy-no-skip", tie_break="lexicographic", leftover="fund_fitting")
    # no-skip stops at b; the step funds c (fits), never b (does not fit) nor z (no votes).
    assert outcome.selected == ("a", "c")
    assert outcome.explanations["z"].code != "selected"
    assert outcome.leftover is not None and outcome.leftover.after == 10


def test_partial_gives_what_is_left_to_the_next_project_in_line() -> None:
    outcome = count(capped(), "greedy", tie_break="lexicographic", leftover="partial")
    # b is next in line by score (4 votes); it gets the 10 left of its 30.
    assert outcome.selected == ("a", "c")
    assert outcome.partial is not None
    assert (outcome.partial.project_id, outcome.partial.amount, outcome.partial.cost) == ("b", 10, 30)
    assert outcome.total_cost == 90 and outcome.allocated == 100 and outcome.budget_left == 0
    b = outcome.explanations["b"]
    assert b.code == "partially_funded"
    assert (b.details["amount"], b.details["missing"], b.details["before"]) == (10, 20, "category_cap")
    assert "10 left over" in render_text(b) and "deels betaald" in render_text(b, "nl")


def test_partial_funds_the_next_project_fully_when_it_fits() -> None:
    e = Election.build(
        100,
        [Project("a", 60, categories=("g",)), Project("b", 30, categories=("g",)), Project("c", 5)],
        [Ballot(("a", "b", "c")), Ballot(("a", "b")), Ballot(("a",))],
        category_caps={"g": 60},
    )
    outcome = count(e, "greedy", tie_break="lexicographic", leftover="partial")
    assert outcome.selected == ("a", "c", "b")
    assert outcome.partial is None
    assert outcome.leftover is not None and outcome.leftover.after == 5


def test_partial_respects_the_minimum_score_of_greedy_threshold() -> None:
    e = Election.build(
        100, [Project("a", 60), Project("b", 50)], [Ballot(("a", "b")), Ballot(("a",)), Ballot(("a",))]
    )
    outcome = count(e, "greedy-threshold", tie_break="lexicographic", min_score=2, leftover="partial")
    assert outcome.partial is None and outcome.explanations["b"].code == "below_threshold"


def test_leftover_after_equal_shares() -> None:
    e = Election.build(
        100,
        [Project("a", 50), Project("b", 40), Project("c", 45)],
        [Ballot(("a",)), Ballot(("b",)), Ballot(("c", "b"))],
    )
    plain = count(e, "equalshares", tie_break="lexicographic")
    stepped = count(e, "equalshares", tie_break="lexicographic", leftover="partial")
    assert set(plain.selected) <= set(stepped.selected) or stepped.partial is not None
    assert stepped.allocated <= 100


def test_unknown_policy_is_refused_with_the_known_ones() -> None:
    with pytest.raises(LeftoverPolicyError, match="fund_fitting"):
        count(capped(), "greedy", leftover="spend it all")


@settings(max_examples=60, deadline=None)
@given(
    costs=st.lists(st.integers(1, 60), min_size=1, max_size=7),
    votes=st.lists(st.lists(st.integers(0, 6), max_size=4), max_size=12),
    budget=st.integers(0, 150),
    cap=st.integers(0, 80),
    policy=st.sampled_from(LEFTOVER_POLICIES),
)
def test_the_step_only_adds_and_never_exceeds_the_budget(
    costs: list[int], votes: list[list[int]], budget: int, cap: int, policy: str
) -> None:
    projects = [Project(str(i), c, categories=("g",) if i % 2 else ()) for i, c in enumerate(costs)]
    ballots = [Ballot(tuple(dict.fromkeys(str(v) for v in vote if v < len(costs)))) for vote in votes]
    e = Election.build(budget, projects, ballots, category_caps={"g": cap})
    for rule in ("greedy", "greedy-no-skip", "equalshares"):
        before = count(e, rule, tie_break="lexicographic")
        after = count(e, rule, tie_break="lexicographic", leftover=policy)
        assert after.selected[: len(before.selected)] == before.selected
        assert after.allocated <= budget
        assert after.total_cost == sum(e.projects[p].cost for p in after.selected)
        if policy in ("return", "next_round"):
            assert after.selected == before.selected and after.budget_left == before.budget_left


# --- pabulib META leftover_budget -------------------------------------------------------------------


def test_the_known_pabulib_texts_map_to_policies() -> None:
    assert (
        policy_from_pabulib("Fund additional projects that fit within leftover budget ordered by score")
        == "fund_fitting"
    )
    assert policy_from_pabulib("  partially fund one additional project   with highest score. ") == "partial"
    for policy in LEFTOVER_POLICIES:
        assert policy_from_pabulib(pabulib_leftover_text(policy)) == policy
    assert policy_from_pabulib("Give it to charity") is None


def small_file(tmp_path: Path, leftover: str | None, budget: int = 100) -> Path:
    meta = f"leftover_budget;{leftover}\n" if leftover is not None else ""
    text = (
        f"META\nkey;value\nbudget;{budget}\nvote_type;approval\nrule;greedy\ncategories;g,s\n"
        f"budget_per_category;40,60\n{meta}"
        "PROJECTS\nproject_id;cost;category\na;40;g\nb;30;g\nc;50;s\nd;20;s\n"
        "VOTES\nvoter_id;vote\n1;a,b,c,d\n2;a,b,c,d\n3;a,b,c\n4;a,b\n5;a\n"
    )
    path = tmp_path / "capped.pb"
    path.write_text(text, encoding="utf-8")
    return path


def test_tally_applies_the_files_leftover_rule_after_the_capped_count(tmp_path: Path) -> None:
    run = run_tally(small_file(tmp_path, "Partially fund one additional project with highest score"))
    assert run.leftover_source == "file" and run.warnings == ()
    assert run.outcome.partial is not None and run.outcome.partial.project_id == "b"
    assert run.to_dict()["leftover"]["partial"] == {"project_id": "b", "amount": 10, "cost": 30}  # type: ignore[index]


def test_tally_leftover_option_overrides_the_file(tmp_path: Path) -> None:
    path = small_file(tmp_path, "Partially fund one additional project with highest score")
    assert run_tally(path, leftover="none").outcome.leftover is None
    assert run_tally(path, leftover="fund_fitting").leftover_source == "argument"


def test_an_unknown_leftover_text_is_a_loud_warning_not_a_silent_skip(tmp_path: Path) -> None:
    path = small_file(tmp_path, "Spend it on the mayor's party")
    run = run_tally(path)
    assert run.outcome.leftover is None
    assert len(run.warnings) == 1 and "NO leftover step" in run.warnings[0]
    result = CliRunner().invoke(tally_command, [str(path)])
    assert result.exit_code == 0
    assert "WARNING" in result.output and "mayor's party" in result.output


def test_tally_table_explains_the_step(tmp_path: Path) -> None:
    # € 140: the capped count funds a, c and d (110); b, stopped by the cap, fits in the 30 left.
    text = "Fund additional projects that fit within leftover budget ordered by score"
    path = small_file(tmp_path, text, budget=140)
    result = CliRunner().invoke(tally_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "leftover step: fund_fitting (from the file)" in result.output
    assert "with the money left over" in result.output


# --- the Amsterdam files ------------------------------------------------------------------------------

AMSTERDAM = [f for f in oracle.DATA_FILES if f.startswith("Netherlands_Amsterdam")]


@functools.cache
def amsterdam(file: str) -> Election:
    return read_pabulib(oracle.DATA_DIR / file)


def test_the_amsterdam_files_are_there() -> None:
    assert len(AMSTERDAM) >= 5, "the shared pabulib files are missing"


@pytest.mark.parametrize("file", AMSTERDAM)
def test_every_amsterdam_leftover_text_is_recognised(file: str) -> None:
    run = run_tally(oracle.DATA_DIR / file)
    assert run.warnings == ()
    assert run.outcome.leftover is not None and run.leftover_source == "file"


@pytest.mark.parametrize(
    "file", [f for f in AMSTERDAM if "fit within" in amsterdam(f).meta["leftover_budget"]]
)
def test_fund_fitting_agrees_with_pabutools_greedy_completion(file: str) -> None:
    e = amsterdam(file)
    capped_outcome = count(e, "greedy", tie_break="lexicographic")
    stepped = run_tally(oracle.DATA_DIR / file, tie_break="lexicographic").outcome
    instance, profile = oracle.parsed(file)
    start = [instance.get_project(pid) for pid in capped_outcome.selected]
    completed = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, initial_budget_allocation=start
    )
    assert set(stepped.selected) == {p.name for p in completed}
    assert stepped.allocated <= e.budget
    assert stepped.budget_left < e.budget - capped_outcome.total_cost or not stepped.leftover.added  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "file", [f for f in AMSTERDAM if "Partially" in amsterdam(f).meta["leftover_budget"]]
)
def test_partial_funds_the_best_project_not_chosen(file: str) -> None:
    e = amsterdam(file)
    plain = count(e, "greedy", tie_break="lexicographic")
    outcome = run_tally(oracle.DATA_DIR / file, tie_break="lexicographic").outcome
    assert outcome.selected == plain.selected
    assert outcome.partial is not None
    waiting = [pid for pid in e.projects if pid not in plain.selected]
    best = min(waiting, key=lambda pid: (-plain.scores[pid], pid))  # lexicographic: lower id text first
    assert outcome.partial.project_id == best
    assert outcome.partial.amount == plain.budget_left and outcome.budget_left == 0
