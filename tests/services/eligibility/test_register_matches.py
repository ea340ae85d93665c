"""Register-match rounds: claims, the verification task, pending ballots, and one vote across channels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    Ballot,
    BallotChannel,
    BallotStatus,
    Eligibility,
    MatchStatus,
    Phase,
    Project,
    RegisterEntry,
    RegisterMatch,
    Round,
    User,
)
from app.models.freeze import seeding
from app.services.eligibility import matches as register_matches
from app.services.eligibility.verification import eligibility_work_pending
from app.services.errors import NotAllowed, RuleViolation
from app.services.results.counting import tally_round
from app.services.results.publishing import publish_round
from app.services.voting import ballots
from app.services.voting.ballots import AlreadyVoted, store_ballot
from app.services.voting.poll_book import mark_voted
from app.services.voting.urn import NEVER, stored_ballot
from app.services.voting.voter_keys import voter_key_for_register_entry
from tests.ballot_box import seal_every_urn
from tests.factories import make_adult_register_entry, make_project, make_round, make_user
from tests.results_data import service_context

# The verification job is held: these tests decide when the check runs (its task is tested in tests/tasks).
pytestmark = pytest.mark.usefixtures("held_jobs")


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with service_context(app, "en"):
        yield


def _register_round(level: str = "person", **kaders: object) -> tuple[Round, Project]:
    rnd = make_round(
        phase=Phase.VOTING, eligibility=Eligibility.REGISTER_MATCH.value, register_level=level, **kaders
    )
    return rnd, make_project(rnd)


def _claim(user: User, rnd: Round, entry: RegisterEntry, **overrides: object) -> RegisterMatch:
    values: dict[str, object] = {
        "postcode": entry.postcode.lower(),  # as a resident may type it
        "house_number": entry.house_number,
        "addition": entry.house_number_addition,
        "birth_date": entry.birth_date,
    }
    values.update(overrides)
    return register_matches.request_match(user, rnd.id, **values)  # type: ignore[arg-type]


def _ballot(rnd: Round, entry: RegisterEntry) -> Ballot | None:
    seal_every_urn()
    key = voter_key_for_register_entry(rnd.id, entry.id)
    return db.session.scalar(select(Ballot).where(Ballot.round_id == rnd.id, Ballot.voter_key == key))


def _close(rnd: Round) -> None:
    rnd.phase = Phase.CLOSED.value
    db.session.commit()


def test_a_pending_ballot_counts_only_once_the_match_is_verified(ctx: None) -> None:
    rnd, project = _register_round()
    entry = make_adult_register_entry(rnd, house_number=12, addition="a")
    voter = make_user()  # no wijk: in a register round only the register decides
    match = _claim(voter, rnd, entry, addition=" A ")
    assert match.status == MatchStatus.PENDING.value and match.register_entry_id == entry.id

    ballot, created = ballots.cast_ballot(voter, rnd.id, [project.id])
    assert created and ballot.status == BallotStatus.PENDING.value
    assert ballot.channel == BallotChannel.ONLINE_ACCOUNT.value
    assert db.session.get(RegisterEntry, entry.id).voted_channel == BallotChannel.ONLINE_ACCOUNT.value
    assert eligibility_work_pending(rnd.id).pending_ballots == 1

    _close(rnd)
    with pytest.raises(RuleViolation, match="cannot be counted yet: 1 address checks and 1 ballots"):
        tally_round(rnd.id)
    with pytest.raises(RuleViolation, match="cannot be counted yet"):
        publish_round(rnd.id)

    summary = register_matches.verify_register_matches(rnd.id)
    assert (summary.verified, summary.rejected) == (1, 0)
    assert _ballot(rnd, entry).status == BallotStatus.COUNTED.value
    assert not eligibility_work_pending(rnd.id).pending
    result = tally_round(rnd.id)
    assert (result.ballots_counted, result.ballots_rejected) == (1, 0)
    assert result.project_results[0]["votes"] == 1


def test_a_verified_account_votes_counted_and_may_change_its_own_ballot(ctx: None) -> None:
    rnd, first = _register_round()
    second = make_project(rnd)
    entry = make_adult_register_entry(rnd)
    voter = make_user()
    _claim(voter, rnd, entry)
    register_matches.verify_register_matches(rnd.id)
    ballot, _ = ballots.cast_ballot(voter, rnd.id, [first.id])
    assert ballot.status == BallotStatus.COUNTED.value
    receipt = ballot.receipt_code
    again, created = ballots.cast_ballot(voter, rnd.id, [second.id])
    assert not created and again.receipt_code == receipt and again.project_ids == [second.id]
    assert ballots.current_ballot(voter, rnd.id) == again


def test_a_rejected_match_rejects_the_ballot_and_the_result_says_so(ctx: None) -> None:
    rnd, project = _register_round(min_age=16)
    # Fourteen or fifteen on the day voting opens: in the register, but too young for this round.
    opens = rnd.voting_open_at.date()
    young = make_adult_register_entry(rnd, house_number=3, birth_date=date(opens.year - 15, 6, 15))
    adult = make_adult_register_entry(rnd, house_number=4)
    teen, grown_up = make_user(), make_user()
    _claim(teen, rnd, young)
    _claim(grown_up, rnd, adult)
    ballots.cast_ballot(teen, rnd.id, [project.id])
    ballots.cast_ballot(grown_up, rnd.id, [project.id])

    summary = register_matches.verify_register_matches(rnd.id)
    assert (summary.verified, summary.rejected) == (1, 1)
    teen_match = register_matches.latest_match(teen.id, rnd.id)
    assert teen_match.status == MatchStatus.REJECTED.value
    assert "not old enough" in str(register_matches.rejection_text(teen_match))
    assert _ballot(rnd, young).status == BallotStatus.REJECTED.value
    assert _ballot(rnd, adult).status == BallotStatus.COUNTED.value
    with pytest.raises(NotAllowed, match="first link your account"):
        ballots.cast_ballot(teen, rnd.id, [project.id])

    _close(rnd)
    result = publish_round(rnd.id)
    assert (result.ballots_counted, result.ballots_rejected) == (1, 1)


def test_two_accounts_cannot_claim_one_entry(ctx: None) -> None:
    rnd, _ = _register_round(level="household")
    entry = make_adult_register_entry(rnd, birth_date=None)
    first, second = make_user(), make_user()
    _claim(first, rnd, entry, birth_date=None)
    with pytest.raises(RuleViolation, match="every household has one vote"):
        _claim(second, rnd, entry, birth_date=None)
    with pytest.raises(RuleViolation, match="already linked to an address"):
        _claim(first, rnd, entry, birth_date=None)
    # The database, not only the service, keeps one live claim per entry.
    with pytest.raises(IntegrityError):
        db.session.add(RegisterMatch(round_id=rnd.id, user_id=second.id, register_entry_id=entry.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.query(RegisterMatch).count() == 1


def test_person_register_matches_on_birth_date_and_tells_a_second_account(ctx: None) -> None:
    rnd, _ = _register_round(level="person")
    parent = make_adult_register_entry(rnd, house_number=7, birth_date=date(1970, 2, 3))
    child = make_adult_register_entry(rnd, house_number=7, birth_date=date(2005, 6, 7))
    match = _claim(make_user(), rnd, child)
    assert match.register_entry_id == child.id
    with pytest.raises(RuleViolation, match="Each resident can link one account"):
        _claim(make_user(), rnd, child)
    with pytest.raises(RuleViolation, match="could not find a resident"):
        _claim(make_user(), rnd, parent, birth_date=date(1970, 2, 4))
    with pytest.raises(RuleViolation) as no_birth_date:
        _claim(make_user(), rnd, parent, birth_date=None)
    assert no_birth_date.value.field == "birth_date"
    with pytest.raises(RuleViolation) as bad_postcode:
        _claim(make_user(), rnd, parent, postcode="12345")
    assert bad_postcode.value.field == "postcode"


def test_matched_account_then_paper_or_code_is_refused(ctx: None) -> None:
    rnd, project = _register_round()
    entry = make_adult_register_entry(rnd)
    voter = make_user()
    _claim(voter, rnd, entry)
    ballots.cast_ballot(voter, rnd.id, [project.id])
    key = voter_key_for_register_entry(rnd.id, entry.id)

    # A letter code of the same resident: the same key, and the code path never replaces a ballot.
    with pytest.raises(AlreadyVoted):
        store_ballot(rnd.id, key, [project.id], channel=BallotChannel.ONLINE_CODE.value, may_replace=NEVER)
    db.session.rollback()
    # A paper ballot: the poll book already says online.
    with pytest.raises(AlreadyVoted):
        mark_voted(entry.id, BallotChannel.PAPER.value)
    db.session.rollback()
    seal_every_urn()
    assert db.session.query(Ballot).count() == 1
    assert db.session.get(RegisterEntry, entry.id).voted_channel == BallotChannel.ONLINE_ACCOUNT.value


def test_paper_first_then_the_matched_account_is_refused_and_its_match_rejected(ctx: None) -> None:
    rnd, project = _register_round()
    entry = make_adult_register_entry(rnd)
    voter = make_user()
    _claim(voter, rnd, entry)
    key = voter_key_for_register_entry(rnd.id, entry.id)
    mark_voted(entry.id, BallotChannel.PAPER.value)
    store_ballot(rnd.id, key, [project.id], channel=BallotChannel.PAPER.value, may_replace=NEVER)
    db.session.commit()

    with pytest.raises(AlreadyVoted):
        ballots.cast_ballot(voter, rnd.id, [project.id])
    seal_every_urn()
    assert db.session.query(Ballot).one().channel == BallotChannel.PAPER.value
    assert ballots.current_ballot(voter, rnd.id) is None  # the paper ballot is not shown to the account

    register_matches.verify_register_matches(rnd.id)
    match = register_matches.latest_match(voter.id, rnd.id)
    assert match.status == MatchStatus.REJECTED.value
    assert "with a voting code or on paper" in str(register_matches.rejection_text(match))
    assert db.session.query(Ballot).one().status == BallotStatus.COUNTED.value  # the paper ballot stands


def test_verification_is_idempotent(ctx: None) -> None:
    rnd, project = _register_round()
    entries = [make_adult_register_entry(rnd, house_number=n) for n in (1, 2)]
    voters = [make_user(), make_user()]
    for voter, entry in zip(voters, entries, strict=True):
        _claim(voter, rnd, entry)
        ballots.cast_ballot(voter, rnd.id, [project.id])

    first = register_matches.verify_register_matches(rnd.id)
    state = _state(rnd)
    second = register_matches.verify_register_matches(rnd.id)
    assert (first.verified, first.rejected, first.ballots_settled) == (2, 0, 0)
    assert (second.verified, second.rejected, second.ballots_settled) == (0, 0, 0)
    assert _state(rnd) == state


def _state(rnd: Round) -> list[tuple[object, ...]]:
    matches = db.session.execute(
        select(RegisterMatch.id, RegisterMatch.status, RegisterMatch.reason, RegisterMatch.decided_at).where(
            RegisterMatch.round_id == rnd.id
        )
    ).all()
    ballot_rows = db.session.execute(select(Ballot.id, Ballot.status).where(Ballot.round_id == rnd.id)).all()
    return sorted(tuple(r) for r in matches) + sorted(tuple(r) for r in ballot_rows)


def test_a_ballot_whose_register_entry_is_gone_is_rejected(ctx: None) -> None:
    rnd, project = _register_round()
    entry = make_adult_register_entry(rnd)
    voter = make_user()
    _claim(voter, rnd, entry)
    ballot, _ = ballots.cast_ballot(voter, rnd.id, [project.id])
    with seeding(db.session):  # the freeze forbids this; the task must still cope if the entry is gone
        db.session.delete(db.session.get(RegisterEntry, entry.id))
        db.session.commit()
    assert db.session.query(RegisterMatch).count() == 0  # the claim went with its entry
    assert eligibility_work_pending(rnd.id).pending_ballots == 1

    summary = register_matches.verify_register_matches(rnd.id)
    assert summary.ballots_settled == 1
    key = voter_key_for_register_entry(rnd.id, entry.id)
    assert stored_ballot(rnd.id, key).status == BallotStatus.REJECTED.value
    assert register_matches.rounds_with_pending_verification() == []


def test_claims_only_in_register_rounds_and_before_close(ctx: None) -> None:
    open_round = make_round(phase=Phase.VOTING)
    entry = make_adult_register_entry(open_round)
    with pytest.raises(RuleViolation, match="do not need to link"):
        _claim(make_user(), open_round, entry)
    rnd, _ = _register_round()
    entry = make_adult_register_entry(rnd)
    _close(rnd)
    with pytest.raises(RuleViolation, match="no longer possible"):
        _claim(make_user(), rnd, entry)


def test_letter_code_rounds_take_no_account_votes(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING, eligibility=Eligibility.LETTER_CODES.value)
    project = make_project(rnd)
    voter = make_user(wijk=rnd.wijk)
    refusal = ballots.may_vote(voter, rnd)
    assert isinstance(refusal, NotAllowed) and "voting code from the letter" in str(refusal.message)
    assert "voting code from the letter" in str(ballots.may_vote(None, rnd).message)
    with pytest.raises(NotAllowed):
        ballots.cast_ballot(voter, rnd.id, [project.id])
    assert db.session.query(Ballot).count() == 0
