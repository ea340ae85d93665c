"""Voting with a letter code, re-issued codes and desk codes, called through the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Ballot, CodeStatus, Phase, RegisterEntry, Role, VotingCode
from app.services.codes import code_votes as code_voting
from app.services.codes import reissue as code_issue
from app.services.codes.code_votes import CodeAlreadyUsed, CodeNotRecognised, CodeTypo
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.voting.ballots import AlreadyVoted, BallotRejected
from app.services.voting.voter_keys import format_voting_code, voter_key_for_register_entry, voting_code_hash
from tests.ballot_box import seal_every_urn
from tests.factories import give_code, make_letter_code_round, make_project, make_register_entry, make_user


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def voting(db_session):
    """A letter-code round in the voting phase with two projects, one entry and its code."""
    rnd = make_letter_code_round(phase=Phase.VOTING)
    projects = [make_project(rnd, cost_cents=1_000_000), make_project(rnd, cost_cents=2_000_000)]
    entry = make_register_entry(rnd, postcode="3512AB", house_number=12)
    return rnd, projects, entry, give_code(entry)


def test_a_code_and_its_postcode_cast_one_anonymous_ballot(voting):
    rnd, projects, entry, code = voting
    ballot, created = code_voting.cast_code_ballot(
        format_voting_code(code).lower(), "3512 ab", [projects[0].id]
    )

    assert created
    assert (ballot.channel, ballot.status) == ("online_code", "counted")
    assert ballot.project_ids == [projects[0].id]
    assert db.session.get(RegisterEntry, entry.id).voted_channel == "online_code"
    assert (
        db.session.scalar(select(VotingCode.status).where(VotingCode.register_entry_id == entry.id)) == "used"
    )
    assert db.session.scalars(select(AuditEvent)).all() == []  # no event per ballot
    seal_every_urn()
    sealed = db.session.scalars(select(Ballot)).one()
    assert sealed.voter_key == voter_key_for_register_entry(rnd.id, entry.id)
    assert sealed.receipt_code == ballot.receipt_code
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.details) == (
        "ballots.sealed",
        None,
        {"sealed": 1, "changed": 0},
    )
    assert {c.name for c in Ballot.__table__.columns} == {
        "id",
        "round_id",
        "voter_key",
        "receipt_code",
        "channel",
        "status",
    }


def test_wrong_code_wrong_postcode_and_revoked_code_get_the_same_answer(voting):
    rnd, projects, entry, code = voting
    other = give_code(make_register_entry(rnd, postcode="3513CD"))
    answers = []
    for typed_code, postcode in ((other, "3512AB"), (code, "3513CD"), (code, "not a postcode")):
        with pytest.raises(CodeNotRecognised) as refused:
            code_voting.cast_code_ballot(typed_code, postcode, [projects[0].id])
        answers.append(str(refused.value.message))
    code_issue.reissue_code(make_user(Role.ORGANISER), rnd.id, entry.reference)
    with pytest.raises(CodeNotRecognised) as refused:
        code_voting.cast_code_ballot(code, "3512AB", [projects[0].id])
    answers.append(str(refused.value.message))
    assert len(set(answers)) == 1
    seal_every_urn()
    assert db.session.scalar(select(Ballot.id).where(Ballot.round_id == rnd.id)) is None


def test_a_typo_is_reported_before_any_lookup(voting, monkeypatch):
    _rnd, projects, _entry, code = voting
    typo = ("0" if code[3] != "0" else "1").join((code[:3], code[4:]))
    monkeypatch.setattr(code_voting, "voting_code_hash", lambda c: pytest.fail("looked up a typo"))
    with pytest.raises(CodeTypo):
        code_voting.cast_code_ballot(typo, "3512AB", [projects[0].id])


def test_a_used_code_is_refused_unless_its_receipt_comes_along(voting):
    rnd, projects, entry, code = voting
    first, _ = code_voting.cast_code_ballot(code, "3512AB", [projects[0].id])
    receipt = first.receipt_code
    seal_every_urn()  # the change below replaces a sealed ballot

    with pytest.raises(CodeAlreadyUsed):
        code_voting.cast_code_ballot(code, "3512AB", [projects[1].id])
    with pytest.raises(CodeAlreadyUsed):
        code_voting.cast_code_ballot(code, "3512AB", [projects[1].id], "AAAA-AAAA-AAAA")
    changed, created = code_voting.cast_code_ballot(
        code, "3512AB", [projects[1].id], receipt.lower().replace("-", " ")
    )

    assert not created and changed.receipt_code == receipt
    assert changed.project_ids == [projects[1].id]
    seal_every_urn()
    assert (
        db.session.scalar(select(db.func.count()).select_from(Ballot).where(Ballot.round_id == rnd.id)) == 1
    )
    assert db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.round_id == rnd.id).order_by(AuditEvent.id)
    ).all()[-1] == {"sealed": 1, "changed": 1}


def test_a_rejected_ballot_leaves_the_code_unused(voting):
    _rnd, projects, entry, code = voting
    with pytest.raises(BallotRejected):
        code_voting.cast_code_ballot(code, "3512AB", [])
    assert (
        db.session.scalar(select(VotingCode.status).where(VotingCode.register_entry_id == entry.id))
        == "active"
    )
    assert db.session.get(RegisterEntry, entry.id).voted_channel is None


def test_codes_work_only_while_voting_is_open(db_session):
    rnd = make_letter_code_round(phase=Phase.REVIEW)
    project = make_project(rnd)
    code = give_code(make_register_entry(rnd, postcode="3512AB"))
    with pytest.raises(RuleViolation, match="zolang de stemming open is"):
        code_voting.cast_code_ballot(code, "3512AB", [project.id])


def test_reissue_revokes_the_old_code_in_the_same_transaction(voting):
    rnd, projects, entry, old = voting
    organiser = make_user(Role.ORGANISER)
    issued = code_issue.reissue_code(organiser, rnd.id, entry.reference)

    statuses = dict(
        db.session.execute(
            select(VotingCode.code_hash, VotingCode.status).where(VotingCode.register_entry_id == entry.id)
        ).all()
    )
    assert statuses == {voting_code_hash(old): "revoked", voting_code_hash(issued.letter.code): "active"}
    with pytest.raises(CodeNotRecognised):
        code_voting.cast_code_ballot(old, "3512AB", [projects[0].id])
    code_voting.cast_code_ballot(issued.letter.code, "3512AB", [projects[0].id])
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "codes.reissue")).one()
    assert issued.letter.code not in str(event.details) + event.subject
    assert event.actor_id == organiser.id


def test_no_new_code_after_the_resident_voted(voting):
    rnd, projects, entry, code = voting
    code_voting.cast_code_ballot(code, "3512AB", [projects[0].id])
    organiser = make_user(Role.ORGANISER)
    for give in (code_issue.reissue_code, code_issue.issue_desk_code):
        with pytest.raises(AlreadyVoted):
            give(organiser, rnd.id, entry.reference)
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(VotingCode).where(VotingCode.register_entry_id == entry.id)
        )
        == 1
    )


def test_desk_codes_for_confidential_addresses(db_session):
    rnd = make_letter_code_round(phase=Phase.VOTING)
    project = make_project(rnd)
    entry = make_register_entry(rnd, postcode="3512AB", confidential=True)
    organiser = make_user(Role.ORGANISER)
    issued = code_issue.issue_desk_code(organiser, rnd.id, entry.reference)
    stored = db.session.scalars(select(VotingCode).where(VotingCode.register_entry_id == entry.id)).one()
    assert (stored.issued_via, stored.status) == ("desk", CodeStatus.ACTIVE.value)
    assert code_issue.code_matches_entry(rnd.id, entry.id, issued.letter.code)
    code_voting.cast_code_ballot(issued.letter.code, "3512AB", [project.id])


def test_issuing_needs_an_organiser_and_an_open_round(voting):
    rnd, _projects, entry, _code = voting
    with pytest.raises(NotAllowed):
        code_issue.reissue_code(make_user(Role.RESIDENT), rnd.id, entry.reference)
    rnd.phase = Phase.CLOSED.value
    db.session.commit()
    with pytest.raises(RuleViolation):
        code_issue.reissue_code(make_user(Role.ORGANISER), rnd.id, entry.reference)


def test_one_entry_is_looked_up_by_its_reference_only(voting):
    rnd, _projects, entry, _code = voting
    organiser = make_user(Role.ORGANISER)
    make_register_entry(rnd, postcode="3512AB", house_number=14)
    assert code_issue.find_register_entry(organiser, rnd.id, f" {entry.reference} ") == entry
    assert code_issue.find_register_entry(organiser, rnd.id, "3512AB") is None
    assert code_issue.find_register_entry(organiser, rnd.id, "") is None
    with pytest.raises(NotFound):  # an organiser of another wijk
        code_issue.find_register_entry(make_user(Role.ORGANISER, wijken=[]), rnd.id, entry.reference)
