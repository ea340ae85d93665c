"""Public amendments: organisers correct texts of a frozen round, with a reason, in the open; nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Amendment, AppendOnlyError, AuditEvent, Phase, Project, Role, Round
from app.services.audit import verify_audit_chain
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.rounds.amendments import amend_round, amendments_of
from tests.factories import make_project, make_round, make_user

REASON = "De titel had een typefout."


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context(), force_locale("nl"):
        yield


def _organiser() -> Any:
    return make_user(Role.ORGANISER)


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED])
def test_round_title_is_corrected_publicly_with_reason_and_audit(ctx: None, phase: Phase) -> None:
    rnd = make_round(phase=phase, title="Bewonresbudget")
    organiser = _organiser()
    amendment = amend_round(organiser, rnd.id, field="title", new_value="  Bewonersbudget ", reason=REASON)
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).title == "Bewonersbudget"
    stored = db.session.get(Amendment, amendment.id)
    assert (stored.field, stored.old_value, stored.new_value, stored.reason, stored.organiser_id) == (
        "title",
        "Bewonresbudget",
        "Bewonersbudget",
        REASON,
        organiser.id,
    )
    event = db.session.query(AuditEvent).filter_by(action="round.amended").one()
    assert event.details["amendment_id"] == amendment.id
    assert (event.details["old"], event.details["new"], event.details["reason"]) == (
        "Bewonresbudget",
        "Bewonersbudget",
        REASON,
    )
    assert verify_audit_chain().intact


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Bankje bij de vijver"),
        ("description", "Een bankje bij de vijver, zonder typefouten."),
        ("category", "Spelen"),
    ],
)
def test_project_texts_are_amendable(ctx: None, field: str, value: str) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    amend_round(_organiser(), rnd.id, project_id=project.id, field=field, new_value=value, reason=REASON)
    db.session.expire_all()
    assert getattr(db.session.get(Project, project.id), field) == value
    assert [a.field for a in amendments_of(rnd.id, project_id=project.id)] == [field]
    assert [a.project_id for a in amendments_of(rnd.id)] == [project.id]


@pytest.mark.parametrize(
    ("project", "field"),
    [
        (False, "budget_cents"),
        (False, "counting_rule"),
        (False, "tie_break"),
        (False, "tie_break_lot"),
        (False, "ballot_type"),
        (False, "max_project_cost_cents"),
        (True, "cost_cents"),
        (True, "status"),
        (True, "round_id"),
    ],
)
def test_what_ballots_were_cast_against_is_never_amendable(ctx: None, project: bool, field: str) -> None:
    rnd = make_round(phase=Phase.VOTING)
    item = make_project(rnd)
    with pytest.raises(RuleViolation) as refused:
        amend_round(
            _organiser(),
            rnd.id,
            project_id=item.id if project else None,
            field=field,
            new_value="1",
            reason=REASON,
        )
    assert refused.value.field == "target"
    assert db.session.query(Amendment).count() == 0


def _refused_and_unchanged(rnd: Round, **kwargs: Any) -> RuleViolation:
    title = rnd.title
    with pytest.raises(RuleViolation) as refused:
        amend_round(kwargs.pop("actor", None) or _organiser(), rnd.id, **kwargs)
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).title == title
    assert db.session.query(Amendment).count() == 0
    assert db.session.query(AuditEvent).filter_by(action="round.amended").count() == 0
    return refused.value


def test_a_reason_is_required(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    refused = _refused_and_unchanged(rnd, field="title", new_value="Nieuwe titel", reason="   ")
    assert refused.field == "reason"


def test_only_organisers_amend(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    for role in (Role.RESIDENT, Role.PROFESSIONAL):
        refused = _refused_and_unchanged(
            rnd, actor=make_user(role), field="title", new_value="Nieuwe titel", reason=REASON
        )
        assert isinstance(refused, NotAllowed)


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW])
def test_a_round_that_is_not_frozen_is_edited_not_amended(ctx: None, phase: Phase) -> None:
    rnd = make_round(phase=phase)
    refused = _refused_and_unchanged(rnd, field="title", new_value="Nieuwe titel", reason=REASON)
    assert "nog niet begonnen" in str(refused.message)


def test_same_text_too_long_text_and_unknown_theme_are_refused(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    assert _refused_and_unchanged(rnd, field="title", new_value=rnd.title, reason=REASON).field == "new_value"
    assert _refused_and_unchanged(rnd, field="title", new_value="x" * 201, reason=REASON).field == "new_value"
    refused = _refused_and_unchanged(
        rnd, project_id=project.id, field="category", new_value="Verkeer", reason=REASON
    )
    assert refused.field == "new_value"


def test_project_of_another_round_is_not_found(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    other = make_project(make_round(phase=Phase.VOTING))
    refused = _refused_and_unchanged(
        rnd, project_id=other.id, field="title", new_value="Nieuwe titel", reason=REASON
    )
    assert isinstance(refused, NotFound)


def _amendment(rnd: Round, **values: Any) -> Amendment:
    base = {"round_id": rnd.id, "field": "title", "old_value": "a", "new_value": "b", "reason": REASON}
    base.update(values)
    return Amendment(**base)


@pytest.mark.parametrize(
    "values",
    [{"reason": "  "}, {"field": "budget_cents"}, {"field": "description"}],
    ids=["blank_reason", "money", "round_has_no_description"],
)
def test_database_refuses_amendments_that_break_the_rules(ctx: None, values: dict[str, Any]) -> None:
    db.session.add(_amendment(make_round(phase=Phase.VOTING), **values))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_amended_project_must_belong_to_the_round(ctx: None) -> None:
    other = make_project(make_round(phase=Phase.VOTING))
    db.session.add(_amendment(make_round(phase=Phase.VOTING), project_id=other.id))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_amendments_are_never_changed_or_deleted(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    amendment = amend_round(_organiser(), rnd.id, field="title", new_value="Nieuwe titel", reason=REASON)
    amendment.reason = "Iets anders"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Amendment, amendment.id))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
