"""Wijken and rounds: validation of every field, audit of every change, kaders frozen from voting on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Buurt, Phase, Role, Round, Wijk
from app.services.errors import NotAllowed, RuleViolation
from app.services.rounds import kaders as rounds_service
from app.services.rounds.kaders import RoundSettings, check_round, create_round, settings_of, update_round
from app.services.rounds.wijken import InvalidFields, create_wijk, update_wijk
from tests.factories import make_project, make_round, make_user, make_wijk

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def settings(**changes: Any) -> RoundSettings:
    day = timedelta(days=1)
    values: dict[str, Any] = {
        "title": "Bewonersbudget 2026",
        "budget_cents": 5_000_000,
        "min_project_cost_cents": 50_000,
        "max_project_cost_cents": 2_000_000,
        "categories": ("Groen", "Spelen"),
        "ballot_type": "knapsack",
        "min_choices": None,
        "max_choices": None,
        "knapsack_min_spend_pct": None,
        "counting_rule": "greedy",
        "tie_break": "default",
        "leftover_policy": "return",
        "out_of_scope": "Onderhoud.",
        "proposals_open_at": T0,
        "review_open_at": T0 + 14 * day,
        "voting_open_at": T0 + 28 * day,
        "voting_close_at": T0 + 35 * day,
        "results_at": T0 + 36 * day,
    }
    values.update(changes)
    return RoundSettings(**values)


# --- wijken -------------------------------------------------------------------------------------------


def test_create_wijk_normalises_and_audits(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    wijk = create_wijk(
        organiser,
        name="  Oost ",
        municipality="Utrecht",
        buurten=["Noord", "", "Zuid"],
        postcodes=["3513", "3512", "3512"],
    )
    assert (wijk.name, wijk.postcodes) == ("Oost", ["3512", "3513"])
    assert sorted(b.name for b in wijk.buurten) == ["Noord", "Zuid"]
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.actor_id, event.details["postcodes"]) == (
        "wijk.created",
        organiser.id,
        ["3512", "3513"],
    )


def test_create_wijk_reports_every_bad_field_and_stores_nothing(ctx: None) -> None:
    make_wijk(name="Bestaand")
    with pytest.raises(InvalidFields) as exc:
        create_wijk(
            make_user(Role.ORGANISER),
            name="bestaand",
            municipality="",
            buurten=["A", "a"],
            postcodes=["351", "0123", "abcd"],
        )
    assert set(exc.value.errors) == {"name", "municipality", "buurten", "postcodes"}
    assert "0123, 351, abcd" in str(exc.value.errors["postcodes"])
    assert db.session.query(Wijk).count() == 1
    assert db.session.query(AuditEvent).count() == 0


def test_create_wijk_requires_a_postcode_and_a_name(ctx: None) -> None:
    with pytest.raises(InvalidFields) as exc:
        create_wijk(make_user(Role.ORGANISER), name=" ", municipality="Utrecht", buurten=[], postcodes=[])
    assert set(exc.value.errors) == {"name", "postcodes"}


def test_update_wijk_records_changes_and_protects_used_buurten(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    wijk = make_wijk(name="West", buurten=("Noord", "Zuid"), postcodes=("3512", "3513"))
    noord = next(b for b in wijk.buurten if b.name == "Noord")
    make_project(make_round(wijk, phase=Phase.PROPOSALS), buurt_id=noord.id)
    with pytest.raises(InvalidFields) as exc:
        update_wijk(
            organiser, wijk.id, name="West", municipality="Utrecht", buurten=["Zuid"], postcodes=["3512"]
        )
    assert "Noord" in str(exc.value.errors["buurten"])
    db.session.expire_all()
    assert sorted(b.name for b in db.session.get(Wijk, wijk.id).buurten) == ["Noord", "Zuid"]

    update_wijk(
        organiser,
        wijk.id,
        name="West-Oost",
        municipality="Utrecht",
        buurten=["Noord", "Midden"],
        postcodes=["3512", "3514"],
    )
    db.session.expire_all()
    fresh = db.session.get(Wijk, wijk.id)
    assert fresh.name == "West-Oost"
    assert sorted(b.name for b in fresh.buurten) == ["Midden", "Noord"]
    assert fresh.postcodes == ["3512", "3514"]
    assert db.session.query(Buurt).filter_by(name="Zuid").count() == 0
    event = db.session.query(AuditEvent).filter_by(action="wijk.updated", round_id=None).one()
    assert event.details["name"] == ["West", "West-Oost"]
    assert event.details["buurten"] == {"added": ["Midden"], "removed": ["Zuid"]}
    assert event.details["postcodes"] == {"added": ["3514"], "removed": ["3513"]}


def test_only_organisers_manage_wijken(ctx: None) -> None:
    for role in (Role.RESIDENT, Role.PROFESSIONAL):
        with pytest.raises(NotAllowed):
            create_wijk(make_user(role), name="X", municipality="Y", buurten=[], postcodes=["3512"])
    assert db.session.query(Wijk).count() == 0


# --- rounds -------------------------------------------------------------------------------------------


def test_create_round_starts_as_draft_and_is_audited(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    wijk = make_wijk()
    rnd = create_round(organiser, wijk.id, settings(min_choices=3, knapsack_min_spend_pct=50))
    assert rnd.phase == "draft"
    assert (rnd.min_choices, rnd.max_choices) == rounds_service.KNAPSACK_CHOICES
    assert rnd.knapsack_min_spend_pct == 50
    assert rnd.proposals_open_at == T0
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.round_id, event.details["budget_cents"]) == (
        "round.created",
        rnd.id,
        5_000_000,
    )


def test_approval_round_keeps_choices_and_drops_min_spend(ctx: None) -> None:
    rnd = create_round(
        make_user(Role.ORGANISER),
        make_wijk().id,
        settings(ballot_type="approval", min_choices=1, max_choices=3, knapsack_min_spend_pct=40),
    )
    assert (rnd.min_choices, rnd.max_choices, rnd.knapsack_min_spend_pct) == (1, 3, None)


BAD_SETTINGS = [
    ("title", {"title": "  "}),
    ("title", {"title": "x" * 201}),
    ("budget_cents", {"budget_cents": 0}),
    ("budget_cents", {"budget_cents": 3_000_000_000, "max_project_cost_cents": 100}),
    ("min_project_cost_cents", {"min_project_cost_cents": -1}),
    ("min_project_cost_cents", {"min_project_cost_cents": 300_000, "max_project_cost_cents": 200_000}),
    ("max_project_cost_cents", {"max_project_cost_cents": 6_000_000}),
    ("max_project_cost_cents", {"min_project_cost_cents": 0, "max_project_cost_cents": 0}),
    ("categories", {"categories": ()}),
    ("categories", {"categories": ("", " ")}),
    ("categories", {"categories": ("Groen", "groen")}),
    ("categories", {"categories": ("x" * 81,)}),
    ("ballot_type", {"ballot_type": "lottery"}),
    ("points_total", {"ballot_type": "points", "points_total": None}),
    ("points_total", {"ballot_type": "points", "points_total": 101}),
    ("points_per_project", {"ballot_type": "points", "points_total": 5, "points_per_project": 6}),
    ("min_choices", {"ballot_type": "ranked", "min_choices": 0, "max_choices": 3}),
    ("max_choices", {"ballot_type": "ranked", "min_choices": 3, "max_choices": 2}),
    ("min_votes", {"counting_rule": "greedy-threshold", "min_votes": None}),
    ("min_votes", {"counting_rule": "greedy-threshold", "min_votes": 0}),
    ("category_caps", {"category_caps": {"Groen": 1_000_000}, "counting_rule": "equalshares/add1"}),
    ("category_caps", {"category_caps": {"Verkeer": 1_000_000}}),
    ("category_caps", {"category_caps": {"Groen": 6_000_000}}),
    ("min_choices", {"ballot_type": "approval", "min_choices": None, "max_choices": 3}),
    ("min_choices", {"ballot_type": "approval", "min_choices": 0, "max_choices": 3}),
    ("max_choices", {"ballot_type": "approval", "min_choices": 3, "max_choices": 2}),
    ("max_choices", {"ballot_type": "approval", "min_choices": 1, "max_choices": 5000}),
    ("knapsack_min_spend_pct", {"knapsack_min_spend_pct": 101}),
    ("knapsack_min_spend_pct", {"knapsack_min_spend_pct": -1}),
    ("counting_rule", {"counting_rule": "most-popular"}),
    ("tie_break", {"tie_break": "coin"}),
    ("leftover_policy", {"leftover_policy": "party"}),
    ("out_of_scope", {"out_of_scope": "x" * 4001}),
    ("review_open_at", {"review_open_at": T0}),
    ("voting_open_at", {"voting_open_at": T0 + timedelta(days=1)}),
    ("voting_close_at", {"voting_close_at": T0 + timedelta(days=28)}),
    ("results_at", {"results_at": T0 + timedelta(days=34)}),
    ("proposals_open_at", {"proposals_open_at": datetime(2026, 3, 1, 9, 0)}),
]


@pytest.mark.parametrize(("field", "changes"), BAD_SETTINGS)
def test_create_round_refuses_bad_settings_and_stores_nothing(
    ctx: None, field: str, changes: dict[str, Any]
) -> None:
    wijk = make_wijk()
    with pytest.raises(InvalidFields) as exc:
        create_round(make_user(Role.ORGANISER), wijk.id, settings(**changes))
    assert field in exc.value.errors
    assert str(exc.value.errors[field])  # a readable message
    assert db.session.query(Round).count() == 0
    assert db.session.query(AuditEvent).count() == 0


def test_points_round_keeps_its_points_and_clears_the_choice_limits(ctx: None) -> None:
    rnd = create_round(
        make_user(Role.ORGANISER),
        make_wijk().id,
        settings(ballot_type="points", points_total=10, points_per_project=4, min_choices=2, max_choices=3),
    )
    assert (rnd.points_total, rnd.points_per_project) == (10, 4)
    assert (rnd.min_choices, rnd.max_choices) == rounds_service.KNAPSACK_CHOICES


def test_points_are_cleared_on_other_ballots_and_the_threshold_on_other_rules(ctx: None) -> None:
    rnd = create_round(make_user(Role.ORGANISER), make_wijk().id, settings(points_total=10, min_votes=20))
    assert (rnd.points_total, rnd.points_per_project, rnd.min_votes) == (None, None, None)


def test_threshold_round_and_ranked_ballot(ctx: None) -> None:
    rnd = create_round(
        make_user(Role.ORGANISER),
        make_wijk().id,
        settings(
            ballot_type="ranked", min_choices=1, max_choices=3, counting_rule="greedy-threshold", min_votes=15
        ),
    )
    assert (rnd.ballot_type, rnd.max_choices, rnd.counting_rule, rnd.min_votes) == (
        "ranked",
        3,
        "greedy-threshold",
        15,
    )


def test_caps_and_buurt_budgets_are_stored_as_kaders(ctx: None) -> None:
    wijk = make_wijk()
    noord, zuid = sorted(wijk.buurten, key=lambda b: b.name)
    organiser = make_user(Role.ORGANISER)
    rnd = create_round(
        organiser, wijk.id, settings(category_caps={" groen ": 1_000_000}, buurt_budgets={zuid.id: 800_000})
    )
    assert [(c.category, c.buurt_id, c.cap_cents) for c in rnd.caps] == [("Groen", None, 1_000_000)]
    assert [(b.buurt_id, b.budget_cents) for b in rnd.buurt_budgets] == [(zuid.id, 800_000)]
    stored = settings_of(rnd)
    assert stored.category_caps == {"Groen": 1_000_000} and stored.buurt_budgets == {zuid.id: 800_000}
    update_round(
        organiser, rnd.id, dataclasses.replace(stored, buurt_budgets={}, buurt_caps={noord.id: 700_000})
    )
    db.session.expire_all()
    fresh = db.session.get(Round, rnd.id)
    assert fresh is not None
    assert fresh.buurt_budgets == [] and {c.buurt_id for c in fresh.caps} == {None, noord.id}
    event = db.session.query(AuditEvent).filter_by(action="round.updated").one()
    assert event.details["buurt_budgets"] == {"old": {str(zuid.id): 800_000}, "new": {}}
    assert event.details["buurt_caps"]["new"] == {str(noord.id): 700_000}


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("buurt_caps", "caps_and_budgets"),
        ("buurt_caps", "other_wijk_cap"),
        ("buurt_budgets", "other_wijk_budget"),
        ("buurt_budgets", "below_min_cost"),
    ],
)
def test_buurt_caps_and_budgets_are_checked(ctx: None, field: str, changes: str) -> None:
    wijk, other = make_wijk(), make_wijk()
    mine, theirs = wijk.buurten[0].id, other.buurten[0].id
    values = {
        "caps_and_budgets": {"buurt_caps": {mine: 100_000}, "buurt_budgets": {wijk.buurten[1].id: 900_000}},
        "other_wijk_cap": {"buurt_caps": {theirs: 100_000}},
        "other_wijk_budget": {"buurt_budgets": {theirs: 900_000}},
        "below_min_cost": {"buurt_budgets": {mine: 10_000}},
    }[changes]
    with pytest.raises(InvalidFields) as exc:
        create_round(make_user(Role.ORGANISER), wijk.id, settings(**values))
    assert field in exc.value.errors and str(exc.value.errors[field])
    assert db.session.query(Round).count() == 0


def test_a_buurt_with_its_own_budget_cannot_be_removed_from_the_wijk(ctx: None) -> None:
    wijk = make_wijk(buurten=("Noord", "Zuid"))
    zuid = next(b for b in wijk.buurten if b.name == "Zuid")
    organiser = make_user(Role.ORGANISER)
    create_round(organiser, wijk.id, settings(buurt_budgets={zuid.id: 900_000}))
    with pytest.raises(InvalidFields) as exc:
        update_wijk(
            organiser,
            wijk.id,
            name=wijk.name,
            municipality="Utrecht",
            buurten=["Noord"],
            postcodes=wijk.postcodes,
        )
    assert "Zuid" in str(exc.value.errors["buurten"])


def test_results_may_come_at_the_moment_voting_closes(ctx: None) -> None:
    s = settings(results_at=T0 + timedelta(days=35))
    assert check_round(rounds_service.normalise(s)) == {}


def test_database_constraints_are_the_last_line_of_defence(
    ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rounds_service, "check_round", lambda s, buurt_ids=None: {})
    with pytest.raises(RuleViolation) as exc:
        create_round(make_user(Role.ORGANISER), make_wijk().id, settings(max_project_cost_cents=9_000_000))
    assert "passen niet bij elkaar" in str(exc.value.message)
    assert db.session.query(Round).count() == 0


def test_update_round_records_every_change(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    rnd = make_round(phase=Phase.PROPOSALS)
    current = settings_of(rnd)
    update_round(
        organiser, rnd.id, dataclasses.replace(current, budget_cents=6_000_000, categories=("Groen",))
    )
    db.session.expire_all()
    fresh = db.session.get(Round, rnd.id)
    assert (fresh.budget_cents, fresh.categories) == (6_000_000, ["Groen"])
    event = db.session.query(AuditEvent).filter_by(action="round.updated").one()
    assert event.details["budget_cents"] == {"old": 5_000_000, "new": 6_000_000}
    assert event.details["categories"]["new"] == ["Groen"]
    assert set(event.details) == {"budget_cents", "categories"}


def test_update_with_bad_settings_changes_nothing(ctx: None) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    with pytest.raises(InvalidFields):
        update_round(
            make_user(Role.ORGANISER), rnd.id, dataclasses.replace(settings_of(rnd), budget_cents=-5)
        )
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).budget_cents == 5_000_000
    assert db.session.query(AuditEvent).count() == 0


def _changed(rnd: Round, name: str) -> RoundSettings:
    """The round's settings with one field changed to another valid value."""
    current = settings_of(rnd)
    later = timedelta(hours=1)
    new_values: dict[str, Any] = {
        "title": "Andere titel",
        "budget_cents": current.budget_cents + 100,
        "min_project_cost_cents": current.min_project_cost_cents + 100,
        "max_project_cost_cents": current.max_project_cost_cents - 100,
        "categories": ("Anders",),
        "ballot_type": "approval",
        "min_choices": 2,
        "max_choices": 4,
        "knapsack_min_spend_pct": 30,
        "counting_rule": "greedy",
        "tie_break": "lexicographic",
        "leftover_policy": "next_round",
        "out_of_scope": "Iets anders.",
        "proposals_open_at": current.proposals_open_at - later,
        "review_open_at": current.review_open_at - later,
        "voting_open_at": current.voting_open_at - later,
        "voting_close_at": current.voting_close_at + later,
        "results_at": current.results_at + later,
        "eligibility": "letter_codes",
        "register_level": "household",
        "min_age": current.min_age + 4,
        "register_retention_days": current.register_retention_days + 30,
        "accounts_per_address": current.accounts_per_address + 1,
        "points_total": 10,
        "points_per_project": 3,
        "min_votes": 20,
        "category_caps": {"Groen": 100_000},
        "buurt_caps": {rnd.wijk.buurten[0].id: 100_000},
        "buurt_budgets": {rnd.wijk.buurten[0].id: 100_000},
    }
    return dataclasses.replace(current, **{name: new_values[name]})


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED])
@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(RoundSettings)])
def test_kaders_are_frozen_from_voting_on(ctx: None, phase: Phase, name: str) -> None:
    rnd = make_round(phase=phase)
    before = settings_of(rnd)
    with pytest.raises(RuleViolation) as exc:
        update_round(make_user(Role.ORGANISER), rnd.id, _changed(rnd, name))
    assert "liggen daarom vast" in str(exc.value.message)
    db.session.expire_all()
    assert settings_of(db.session.get(Round, rnd.id)) == before
    assert db.session.query(AuditEvent).count() == 0


def test_counting_rules_offer_greedy_first() -> None:
    rules = rounds_service.counting_rules()
    assert rules[0] == "greedy"
    assert len(rules) == len(set(rules))
