"""Paper and assisted ballots: entering, the four-eyes confirmation, rejection, and erasing the voter link."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    AuditEvent,
    Ballot,
    CodeStatus,
    PaperEntry,
    Phase,
    Project,
    RegisterEntry,
    Role,
    Round,
    User,
    VotingCode,
)
from app.models.freeze import seeding
from app.services.errors import NotAllowed, RuleViolation
from app.services.paper import paper_ballots
from app.services.paper.voter_lookup import AddressIdentity, CodeIdentity
from app.services.rounds import phases
from app.services.rounds.wijken import InvalidFields
from app.services.voting.ballots import AlreadyVoted, BallotRejected
from tests.ballot_box import seal_every_urn
from tests.factories import (
    make_location,
    make_project,
    make_register_entry,
    make_round,
    make_user,
    make_voting_code,
)


@dataclass
class Booth:
    rnd: Round
    projects: list[Project]
    first: User
    second: User
    location_id: int
    voter: RegisterEntry
    code: str


@pytest.fixture
def booth(app: Flask, db_session: object) -> Iterator[Booth]:
    with app.app_context(), force_locale("en"):  # the tests read the English messages
        yield _booth()


def _booth() -> Booth:
    rnd = make_round(
        phase=Phase.VOTING, eligibility="letter_codes", budget_cents=1_000_000, max_project_cost_cents=500_000
    )
    projects = [make_project(rnd, cost_cents=400_000) for _ in range(3)]
    voter = make_register_entry(rnd, postcode="3512AB", house_number=7, birth_date=date(1980, 5, 1))
    return Booth(
        rnd=rnd,
        projects=projects,
        first=make_user(Role.POLL_WORKER),
        second=make_user(Role.POLL_WORKER),
        location_id=make_location(rnd).id,
        voter=voter,
        code=make_voting_code(voter),
    )


def _enter(b: Booth, identity: CodeIdentity | AddressIdentity | None = None, **kw: object) -> PaperEntry:
    identity = identity or CodeIdentity(b.code, "3512 ab")
    ids = kw.pop("project_ids", [b.projects[0].id, b.projects[1].id])
    return paper_ballots.enter_paper_ballot(b.first, b.location_id, identity, ids, **kw)  # type: ignore[arg-type]


def _ballots(rnd: Round) -> list[Ballot]:
    seal_every_urn()
    return list(db.session.scalars(select(Ballot).where(Ballot.round_id == rnd.id)))


def _code_status(b: Booth) -> str:
    return db.session.scalar(select(VotingCode.status).where(VotingCode.register_entry_id == b.voter.id))


def test_a_confirmed_paper_ballot_counts_once_and_forgets_the_voter(booth: Booth) -> None:
    entry = _enter(booth)
    assert entry.status == "pending" and entry.register_entry_id == booth.voter.id and entry.code_hash
    assert _ballots(booth.rnd) == []  # nothing counts before the second poll worker confirms

    receipt = paper_ballots.confirm_paper_entry(booth.second, entry.id)

    [ballot] = _ballots(booth.rnd)
    assert ballot.receipt_code == receipt
    assert ballot.channel == "paper" and ballot.status == "counted"
    assert ballot.project_ids == sorted([booth.projects[0].id, booth.projects[1].id])
    db.session.refresh(entry)
    assert (entry.status, entry.confirmed_by_id) == ("confirmed", booth.second.id)
    assert (entry.register_entry_id, entry.code_hash, entry.project_ids) == (None, None, [])
    assert _code_status(booth) == CodeStatus.USED.value
    assert db.session.get(RegisterEntry, booth.voter.id).voted_channel == "paper"
    # The poll workers' decision is audited, the ballot only as one of the seal's count.
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["paper_entry.entered", "paper_entry.confirmed", "ballots.sealed"]


def test_the_poll_worker_who_entered_a_ballot_cannot_confirm_it(booth: Booth) -> None:
    entry = _enter(booth)
    with pytest.raises(RuleViolation, match="different poll worker"):
        paper_ballots.confirm_paper_entry(booth.first, entry.id)
    assert _ballots(booth.rnd) == []
    assert db.session.get(PaperEntry, entry.id).status == "pending"


def test_the_database_refuses_one_person_on_both_sides(booth: Booth) -> None:
    entry = _enter(booth)
    entry.status, entry.register_entry_id, entry.code_hash = "rejected", None, None
    entry.confirmed_by_id = booth.first.id
    with pytest.raises(IntegrityError, match="four_eyes"):
        db.session.flush()
    db.session.rollback()


def test_an_assisted_ballot_needs_consent_and_is_recorded_as_assisted(booth: Booth) -> None:
    with pytest.raises(InvalidFields) as refused:
        _enter(booth, assisted=True, consent=False)
    assert refused.value.field == "consent"
    assert db.session.scalars(select(PaperEntry)).all() == []

    entry = _enter(booth, assisted=True, consent=True)
    paper_ballots.confirm_paper_entry(booth.second, entry.id)
    [ballot] = _ballots(booth.rnd)
    assert ballot.channel == "assisted"
    assert db.session.get(RegisterEntry, booth.voter.id).voted_channel == "assisted"


def test_the_database_refuses_assisted_without_consent(booth: Booth) -> None:
    entry = _enter(booth)
    entry.assisted, entry.consent_recorded = True, False
    with pytest.raises(IntegrityError, match="assisted_needs_consent"):
        db.session.flush()
    db.session.rollback()


def test_a_rejected_entry_leaves_nothing_and_the_resident_can_still_vote(booth: Booth) -> None:
    entry = _enter(booth)
    with pytest.raises(InvalidFields):
        paper_ballots.reject_paper_entry(booth.second, entry.id, "   ")
    with pytest.raises(RuleViolation, match="different poll worker"):
        paper_ballots.reject_paper_entry(booth.first, entry.id, "Verkeerd project aangevinkt")

    paper_ballots.reject_paper_entry(booth.second, entry.id, "Verkeerd project aangevinkt")

    db.session.refresh(entry)
    assert (entry.status, entry.rejection_reason) == ("rejected", "Verkeerd project aangevinkt")
    assert (entry.register_entry_id, entry.code_hash, entry.project_ids) == (None, None, [])
    assert _ballots(booth.rnd) == []
    assert _code_status(booth) == CodeStatus.ACTIVE.value
    assert db.session.get(RegisterEntry, booth.voter.id).voted_channel is None
    again = _enter(booth)
    paper_ballots.confirm_paper_entry(booth.second, again.id)
    assert len(_ballots(booth.rnd)) == 1


def test_a_decided_entry_cannot_be_decided_again(booth: Booth) -> None:
    entry = _enter(booth)
    paper_ballots.confirm_paper_entry(booth.second, entry.id)
    third = make_user(Role.POLL_WORKER)
    with pytest.raises(RuleViolation, match="already confirmed or rejected"):
        paper_ballots.confirm_paper_entry(third, entry.id)
    with pytest.raises(RuleViolation, match="already confirmed or rejected"):
        paper_ballots.reject_paper_entry(third, entry.id, "te laat")
    assert len(_ballots(booth.rnd)) == 1


def test_a_second_entry_for_a_waiting_or_voted_resident_is_refused_early(booth: Booth) -> None:
    entry = _enter(booth)
    with pytest.raises(RuleViolation, match="already waiting"):
        _enter(booth, AddressIdentity("3512AB", 7, "", date(1980, 5, 1)))
    paper_ballots.confirm_paper_entry(booth.second, entry.id)
    with pytest.raises(AlreadyVoted):
        _enter(booth, AddressIdentity("3512AB", 7, "", date(1980, 5, 1)))
    with pytest.raises(AlreadyVoted, match="already been used"):
        _enter(booth)


def test_the_database_keeps_one_waiting_entry_per_voter(booth: Booth) -> None:
    _enter(booth)
    db.session.add(
        PaperEntry(
            round_id=booth.rnd.id,
            location_id=booth.location_id,
            entered_by_id=booth.first.id,
            register_entry_id=booth.voter.id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_wrong_code_and_a_wrong_postcode_get_the_same_answer(booth: Booth) -> None:
    other = make_voting_code(make_register_entry(booth.rnd, postcode="3513CD"))
    with pytest.raises(RuleViolation) as wrong_postcode:
        _enter(booth, CodeIdentity(booth.code, "3513 CD"))
    with pytest.raises(RuleViolation) as code_of_someone_else:
        _enter(booth, CodeIdentity(other, "3512 AB"))
    assert str(wrong_postcode.value) == str(code_of_someone_else.value)
    assert wrong_postcode.value.field == "code"


def test_a_mistyped_code_is_reported_as_a_typo(booth: Booth) -> None:
    typo = booth.code[:-1] + ("0" if booth.code[-1] != "0" else "1")
    with pytest.raises(InvalidFields) as refused:
        _enter(booth, CodeIdentity(typo, "3512AB"))
    assert refused.value.field == "code"


def test_a_revoked_code_is_refused(booth: Booth) -> None:
    db.session.execute(db.update(VotingCode).values(status="revoked"))
    with pytest.raises(RuleViolation, match="no longer valid"):
        _enter(booth)


def test_identifying_by_address_needs_the_birth_date_for_a_person_register(booth: Booth) -> None:
    with pytest.raises(InvalidFields) as refused:
        _enter(booth, AddressIdentity("3512AB", 7, ""))
    assert refused.value.field == "birth_date"
    with pytest.raises(RuleViolation, match="Nobody"):
        _enter(booth, AddressIdentity("3512AB", 7, "", date(1981, 5, 1)))
    entry = _enter(booth, AddressIdentity("3512 ab", 7, "", date(1980, 5, 1)))
    assert entry.code_hash is None and entry.register_entry_id == booth.voter.id
    paper_ballots.confirm_paper_entry(booth.second, entry.id)
    # The resident's letter code is used up too, so nobody can try it online afterwards.
    assert _code_status(booth) == CodeStatus.USED.value


def test_a_household_register_is_matched_by_address_and_addition(booth: Booth) -> None:
    with seeding(db.session):  # a household register from the start
        booth.rnd.register_level = "household"
        db.session.flush()
    home = make_register_entry(booth.rnd, postcode="3514EF", house_number=12, house_number_addition="B")
    make_register_entry(booth.rnd, postcode="3514EF", house_number=12, house_number_addition="")
    entry = _enter(booth, AddressIdentity("3514EF", 12, "-b"))
    assert entry.register_entry_id == home.id


def test_a_choice_outside_the_kaders_is_refused(booth: Booth) -> None:
    over_budget = [p.id for p in booth.projects]  # 3 x 4,000 > 10,000
    with pytest.raises(BallotRejected):
        _enter(booth, project_ids=over_budget)
    assert db.session.scalars(select(PaperEntry)).all() == []


def test_only_poll_workers_and_organisers_enter_paper_ballots(booth: Booth) -> None:
    resident = make_user(Role.RESIDENT, wijk=booth.rnd.wijk)
    with pytest.raises(NotAllowed):
        paper_ballots.enter_paper_ballot(resident, booth.location_id, CodeIdentity(booth.code, "3512AB"), [])
    entry = paper_ballots.enter_paper_ballot(
        make_user(Role.ORGANISER),
        booth.location_id,
        CodeIdentity(booth.code, "3512AB"),
        [booth.projects[0].id],
    )
    with pytest.raises(NotAllowed):
        paper_ballots.confirm_paper_entry(resident, entry.id)


def test_paper_ballots_need_open_voting_and_a_register(booth: Booth) -> None:
    with seeding(db.session):  # an open round from the start
        booth.rnd.eligibility = "open"
        db.session.commit()
    with pytest.raises(RuleViolation, match="register"):
        _enter(booth)
    with seeding(db.session):
        booth.rnd.eligibility, booth.rnd.phase = "letter_codes", "closed"
        db.session.commit()
    with pytest.raises(RuleViolation, match="not open"):
        _enter(booth)


def test_pending_entries_show_what_to_compare(booth: Booth) -> None:
    _enter(booth)
    [pending] = paper_ballots.pending_entries(booth.second, booth.location_id)
    assert pending.by_code and pending.entered_by_id == booth.first.id
    assert not hasattr(pending, "address")  # the second poll worker sees the choices, not whose they are
    assert [p.id for p in pending.projects] == [booth.projects[0].id, booth.projects[1].id]
    assert pending.total_cents == 800_000


def test_closing_the_vote_discards_unconfirmed_entries_and_their_link(booth: Booth) -> None:
    entry = _enter(booth)
    phases.close_voting(make_user(Role.ORGANISER), booth.rnd.id)
    db.session.refresh(entry)
    assert entry.status == "rejected" and "closed" in (entry.rejection_reason or "")
    assert (entry.register_entry_id, entry.code_hash, entry.project_ids) == (None, None, [])
    assert _ballots(booth.rnd) == [] and _code_status(booth) == CodeStatus.ACTIVE.value
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper_entry.discarded")).one()
    assert event.details == {"count": 1}
