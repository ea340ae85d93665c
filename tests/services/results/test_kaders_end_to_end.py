"""Every counting kader end to end: kaders -> ballots through the real services -> count -> publication
(commitments) -> election record -> `wijkbudget tally` on the record -> pabutools where it can count it.

Caps with partial funding, caps with "fund what fits", the minimum number of votes, points ballots, ranked
ballots, and a ballot with a part per budget (the wijk's and a buurt's) cast with letter codes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from app.cli.tally import tally_command
from app.extensions import db
from app.models import Commitment, Phase, Project, Role, Round, RoundBuurtBudget, RoundCap, User
from app.models.freeze import seeding
from app.services.codes.code_votes import cast_code_ballot
from app.services.results.counting import tally_round
from app.services.results.election import counting_id
from app.services.results.publishing import publish_round
from app.services.results.record import published_record
from app.services.rounds.phases import close_voting
from app.services.voting import ballots
from app.services.voting.ballots import BallotMarks
from app.web.records.recount import RecountSettings, recount_help
from tests.factories import (
    give_code,
    make_adult_register_entry,
    make_letter_code_round,
    make_project,
    make_round,
    make_user,
)
from tests.results_data import cast_votes, service_context


def _close_and_publish(app: Flask, rnd: Round) -> dict[str, Any]:
    organiser = make_user(Role.ORGANISER)
    with service_context(app):
        if rnd.phase == Phase.VOTING.value:
            close_voting(organiser, rnd.id)
        tally_round(rnd.id)
        publish_round(rnd.id)
        record = published_record(rnd.id)
        return {
            "json": json.loads(record.record_json),
            "record_json": record.record_json,
            "pbs": {f"round-{rnd.id}.pb": record.pb_text, **record.part_pb_texts},
        }


def _write(record: dict[str, Any], out: Path, rnd: Round) -> dict[str, Path]:
    (out / f"round-{rnd.id}.json").write_text(record["record_json"], encoding="utf-8")
    paths = {}
    for name, text in record["pbs"].items():
        paths[name] = out / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


def _tally(pb: Path) -> dict[str, Any]:
    run = CliRunner().invoke(tally_command, [str(pb), "--json"])
    assert run.exit_code == 0, run.output
    result: dict[str, Any] = json.loads(run.output)
    assert result["warnings"] == []
    return result


def _run_snippet(snippet: str | None, out: Path) -> list[str]:
    assert snippet is not None
    printed: list[Any] = []
    code = snippet.replace('parse_pabulib("', f'parse_pabulib("{out}/').replace('open("', f'open("{out}/')
    exec(code, {"print": printed.append})  # noqa: S102 - our own published snippet, run as a reader would
    [winners] = printed
    return list(winners)


def _ids(projects: Sequence[Project]) -> list[str]:
    return [counting_id(p.id) for p in projects]


# --- caps and the leftover step -----------------------------------------------------------------------


def _capped_round(policy: str) -> tuple[Round, dict[str, Project]]:
    """€ 10.000, Groen capped at € 4.000. Greedy funds Bomen (Groen, € 4.000, 9 votes) and Speeltuin
    (Spelen, € 5.000, 7); Bloemen (Groen, € 2.000, 8) is stopped by the cap; € 1.000 is left."""
    rnd = make_round(
        phase=Phase.CLOSED,
        budget_cents=1_000_000,
        max_project_cost_cents=1_000_000,
        leftover_policy=policy,
        tie_break="lexicographic",
    )
    with seeding(db.session):
        rnd.caps = [RoundCap(category="Groen", cap_cents=400_000)]
        db.session.commit()
    projects = {
        "bomen": make_project(rnd, cost_cents=400_000, category="Groen", title="Bomen"),
        "bloemen": make_project(rnd, cost_cents=200_000, category="Groen", title="Bloemen"),
        "speeltuin": make_project(rnd, cost_cents=500_000, category="Spelen", title="Speeltuin"),
        "bankje": make_project(rnd, cost_cents=300_000, category="Spelen", title="Bankje"),
    }
    cast_votes(
        rnd, {projects["bomen"]: 9, projects["bloemen"]: 8, projects["speeltuin"]: 7, projects["bankje"]: 1}
    )
    return rnd, projects


def test_caps_with_partial_funding_end_to_end(app: Flask, db_session, tmp_path: Path) -> None:
    rnd, p = _capped_round("partial")
    record = _close_and_publish(app, rnd)
    result = db.session.get(Round, rnd.id)
    part = record["json"]["parts"][0]
    # Bloemen is next in line (8 votes) and gets the € 1.000 left of its € 2.000.
    assert part["leftover"]["partial"] == {
        "project_id": p["bloemen"].id,
        "amount_cents": 100_000,
        "cost_cents": 200_000,
    }
    assert part["leftover"]["left_after_rule_cents"] == 100_000 and part["budget_left_cents"] == 0
    rows = {row["project_id"]: row for row in record["json"]["result"]["projects"]}
    assert rows[p["bloemen"].id]["explanation"]["code"] == "partially_funded"
    assert rows[p["bloemen"].id]["explanation"]["details"]["before"] == "category_cap"
    assert rows[p["bloemen"].id]["funded_cents"] == 100_000
    # Publication promises the part it was funded with.
    budgets = dict(db.session.query(Commitment.project_id, Commitment.budget_cents).all())
    assert budgets == {p["bomen"].id: 400_000, p["speeltuin"].id: 500_000, p["bloemen"].id: 100_000}
    # The record carries the caps and the leftover rule; a recount gives the same outcome.
    pb = _write(record, tmp_path, rnd)[f"round-{rnd.id}.pb"]
    text = pb.read_text(encoding="utf-8")
    assert "budget_per_category;400000" in text
    assert "leftover_budget;Partially fund one additional project with highest score" in text
    tallied = _tally(pb)
    assert tallied["selected"] == _ids([p["bomen"], p["speeltuin"]])
    assert tallied["leftover"]["partial"] == {
        "project_id": counting_id(p["bloemen"].id),
        "amount": 100_000,
        "cost": 200_000,
    }
    # pabutools cannot cap: the page says so instead of showing code that would count differently.
    assert result is not None
    help_ = recount_help(result, "x" * 64, RecountSettings.of(result, "greedy", "lexicographic"))
    assert help_.pabutools_snippet is None


def test_caps_with_fund_what_fits_end_to_end(app: Flask, db_session, tmp_path: Path) -> None:
    rnd, p = _capped_round("fund_fitting")
    with seeding(db.session):
        rnd.budget_cents = 1_100_000  # € 2.000 left after the capped count: Bloemen fits, ignoring the cap
        db.session.commit()
    record = _close_and_publish(app, rnd)
    part = record["json"]["parts"][0]
    assert part["leftover"]["added_project_ids"] == [p["bloemen"].id]
    assert part["selected_pb_ids"] == _ids([p["bomen"], p["speeltuin"], p["bloemen"]])
    assert part["budget_left_cents"] == 0
    pb = _write(record, tmp_path, rnd)[f"round-{rnd.id}.pb"]
    assert _tally(pb)["selected"] == part["selected_pb_ids"]


@pytest.mark.parametrize("policy", ["return", "next_round"])
def test_money_left_is_recorded_with_its_destination(app: Flask, db_session, policy: str) -> None:
    rnd, _ = _capped_round(policy)
    leftover = _close_and_publish(app, rnd)["json"]["parts"][0]["leftover"]
    assert leftover["left_cents"] == 100_000
    assert leftover["goes_to"] == ("next_round" if policy == "next_round" else "municipality")


# --- minimum number of votes --------------------------------------------------------------------------


def test_threshold_end_to_end_with_pabutools(app: Flask, db_session, tmp_path: Path) -> None:
    rnd = make_round(phase=Phase.CLOSED, counting_rule="greedy-threshold", min_votes=5, tie_break="default")
    a = make_project(rnd, cost_cents=1_000_000, title="A")
    b = make_project(rnd, cost_cents=1_000_000, title="B")
    c = make_project(rnd, cost_cents=500_000, title="C")
    with seeding(db.session):
        rnd.tie_break_lot = [c.id, b.id, a.id]
        db.session.commit()
    cast_votes(rnd, {a: 8, b: 5, c: 4})
    record = _close_and_publish(app, rnd)
    rows = {row["project_id"]: row for row in record["json"]["result"]["projects"]}
    assert rows[c.id]["explanation"] == {
        "code": "below_threshold",
        "details": {"cost": 500_000, "min_score": 5, "score": 4},
    }
    paths = _write(record, tmp_path, rnd)
    pb = paths[f"round-{rnd.id}.pb"]
    assert "min_project_score_threshold;5" in pb.read_text(encoding="utf-8")
    assert _tally(pb)["selected"] == _ids([a, b])
    stored = db.session.get(Round, rnd.id)
    assert stored is not None
    help_ = recount_help(stored, "x" * 64, RecountSettings.of(stored, "greedy-threshold", "default"))
    assert sorted(_run_snippet(help_.pabutools_snippet, tmp_path)) == sorted(_ids([a, b]))


# --- points and ranked ballots, cast through the ballot service ----------------------------------------


def _voters(rnd: Round, n: int) -> list[User]:
    return [make_user(wijk=rnd.wijk) for _ in range(n)]


def test_points_ballots_end_to_end_with_pabutools(app: Flask, db_session, tmp_path: Path) -> None:
    rnd = make_round(phase=Phase.VOTING, ballot_type="points", points_total=5, points_per_project=3)
    a, b, c = (
        make_project(rnd, cost_cents=cost, title=t)
        for cost, t in ((2_000_000, "A"), (2_500_000, "B"), (2_900_000, "C"))
    )
    with seeding(db.session):
        rnd.tie_break_lot = [a.id, b.id, c.id]
        db.session.commit()
    # C has the most supporters (5) but the fewest points: A 3 + 3 + 1 = 7, B 2 + 2 + 2 = 6, C 5 x 1 = 5.
    marks = [
        {a.id: "3", c.id: "1"},
        {a.id: "3", c.id: "1"},
        {b.id: "2", c.id: "1"},
        {b.id: "2", c.id: "1"},
        {a.id: "1", b.id: "2", c.id: "1"},
    ]
    with service_context(app):
        for voter, given in zip(_voters(rnd, len(marks)), marks, strict=True):
            ballots.cast_ballot(voter, rnd.id, BallotMarks(points={str(k): v for k, v in given.items()}))
        with pytest.raises(ballots.BallotRejected) as refused:  # 4 + 3 = 7 points, and 4 for one project
            ballots.cast_ballot(
                make_user(wijk=rnd.wijk), rnd.id, BallotMarks(points={str(a.id): "4", str(b.id): "3"})
            )
    assert len(refused.value.check.problems) == 2
    record = _close_and_publish(app, rnd)
    rows = {row["project_id"]: row for row in record["json"]["result"]["projects"]}
    assert (rows[a.id]["score"], rows[b.id]["score"], rows[c.id]["score"]) == (7, 6, 5)
    assert (rows[a.id]["votes"], rows[b.id]["votes"], rows[c.id]["votes"]) == (3, 3, 5)
    pb = _write(record, tmp_path, rnd)[f"round-{rnd.id}.pb"]
    text = pb.read_text(encoding="utf-8")
    assert "vote_type;cumulative" in text and "max_sum_points;5" in text and "max_points;3" in text
    # € 50.000: A (€ 20.000) then B (€ 25.000) by points; C (€ 29.000) does not fit in the € 5.000 left.
    assert _tally(pb)["selected"] == _ids([a, b])
    stored = db.session.get(Round, rnd.id)
    assert stored is not None
    help_ = recount_help(stored, "x" * 64, RecountSettings.of(stored, "greedy", "default"))
    assert sorted(_run_snippet(help_.pabutools_snippet, tmp_path)) == sorted(_ids([a, b]))


def test_ranked_ballots_end_to_end_with_pabutools(app: Flask, db_session, tmp_path: Path) -> None:
    rnd = make_round(
        phase=Phase.VOTING,
        ballot_type="ranked",
        min_choices=1,
        max_choices=3,
        budget_cents=3_000_000,
        max_project_cost_cents=3_000_000,
        tie_break="lexicographic",
    )
    a, b, c = (
        make_project(rnd, cost_cents=cost, title=t)
        for cost, t in ((1_500_000, "A"), (1_500_000, "B"), (1_000_000, "C"))
    )
    rankings = [(a, b, c), (b, a), (c, b, a), (b,)]
    with service_context(app):
        for voter, ranking in zip(_voters(rnd, len(rankings)), rankings, strict=True):
            ranks = {str(p.id): str(place) for place, p in enumerate(ranking, start=1)}
            ballots.cast_ballot(voter, rnd.id, BallotMarks(ranks=ranks))
    record = _close_and_publish(app, rnd)
    rows = {row["project_id"]: row for row in record["json"]["result"]["projects"]}
    # Scores: A 3 + 1 + 1 = 5, B 2 + 2 + 2 + 1 = 7, C 1 + 3 = 4.
    assert (rows[a.id]["score"], rows[b.id]["score"], rows[c.id]["score"]) == (5, 7, 4)
    pb = _write(record, tmp_path, rnd)[f"round-{rnd.id}.pb"]
    assert "vote_type;ordinal" in pb.read_text(encoding="utf-8")
    assert _tally(pb)["selected"] == _ids([b, a])
    stored = db.session.get(Round, rnd.id)
    assert stored is not None
    help_ = recount_help(stored, "x" * 64, RecountSettings.of(stored, "greedy", "lexicographic"))
    assert sorted(_run_snippet(help_.pabutools_snippet, tmp_path)) == sorted(_ids([a, b]))


# --- several budgets on one ballot ----------------------------------------------------------------------


def test_a_wijk_budget_and_a_buurt_budget_end_to_end(app: Flask, db_session, tmp_path: Path) -> None:
    rnd = make_letter_code_round(phase=Phase.REVIEW, budget_cents=2_000_000, max_project_cost_cents=2_000_000)
    noord, zuid = sorted(rnd.wijk.buurten, key=lambda b: b.name)
    with seeding(db.session):
        rnd.buurt_budgets = [RoundBuurtBudget(buurt_id=noord.id, budget_cents=600_000)]
        db.session.commit()
    park = make_project(rnd, cost_cents=1_500_000, title="Park")  # wijk part
    plein = make_project(rnd, cost_cents=1_000_000, title="Plein", buurt_id=zuid.id)  # zuid has no budget
    bank = make_project(rnd, cost_cents=400_000, title="Bank", buurt_id=noord.id)  # noord part
    boom = make_project(rnd, cost_cents=300_000, title="Boom", buurt_id=noord.id)
    north = [make_adult_register_entry(rnd, house_number=n, buurt_id=noord.id) for n in range(1, 4)]
    south = make_adult_register_entry(rnd, house_number=9, buurt_id=zuid.id)
    with app.app_context():  # codes are keyed with the app's secret
        codes = {entry.id: give_code(entry) for entry in [*north, south]}
    with seeding(db.session):
        rnd.phase = Phase.VOTING.value
        db.session.commit()
    postcode = north[0].postcode
    with service_context(app):
        cast_code_ballot(codes[north[0].id], postcode, [park.id, bank.id])
        cast_code_ballot(codes[north[1].id], postcode, [plein.id, bank.id])
        cast_code_ballot(codes[north[2].id], postcode, [boom.id])  # only in the buurt part
        with pytest.raises(ballots.BallotRejected) as refused:  # not their buurt's project
            cast_code_ballot(codes[south.id], south.postcode, [park.id, bank.id])
        assert "Noord" in str(refused.value.check.problems[0])
        cast_code_ballot(codes[south.id], south.postcode, [park.id])
    record = _close_and_publish(app, rnd)
    wijk_part, noord_part = record["json"]["parts"]
    assert (wijk_part["key"], noord_part["key"]) == ("wijk", f"buurt-{noord.id}")
    # The wijk part: 3 ballots name its projects; Park (2 votes, € 15.000) wins, Plein no longer fits.
    assert (wijk_part["ballots_counted"], wijk_part["selected_pb_ids"]) == (3, _ids([park]))
    # Noord's part: 3 ballots; Bank (2 votes, € 4.000) wins; Boom (€ 3.000) does not fit in the € 2.000 left.
    assert (noord_part["ballots_counted"], noord_part["selected_pb_ids"]) == (3, _ids([bank]))
    assert record["json"]["result"]["ballots_counted"] == 4
    assert record["json"]["result"]["selected_project_ids"] == [park.id, bank.id]
    paths = _write(record, tmp_path, rnd)
    assert set(paths) == {f"round-{rnd.id}.pb", f"round-{rnd.id}-buurt-{noord.id}.pb"}
    noord_pb = paths[f"round-{rnd.id}-buurt-{noord.id}.pb"]
    assert "budget;600000" in noord_pb.read_text(encoding="utf-8")
    assert _tally(paths[f"round-{rnd.id}.pb"])["selected"] == _ids([park])
    assert _tally(noord_pb)["selected"] == _ids([bank])
    for file in record["json"]["files"]["part_pbs"]:
        assert file["name"] == noord_pb.name
    stored = db.session.get(Round, rnd.id)
    assert stored is not None
    help_ = recount_help(stored, "x" * 64, RecountSettings.of(stored, "greedy", "default"))
    assert [_run_snippet(part.pabutools_snippet, tmp_path) for part in help_.parts] == [
        _ids([park]),
        _ids([bank]),
    ]
