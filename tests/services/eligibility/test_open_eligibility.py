"""Open rounds: confirmed e-mail, postcode in the wijk, minimum age; and the confirmation link itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from itsdangerous import TimestampSigner

from app.ages import age_on
from app.extensions import db
from app.models import Ballot, Phase, Round, User
from app.postcodes import format_postcode, normalise_postcode
from app.services.accounts import email_confirmation
from app.services.accounts import users as accounts
from app.services.eligibility.open_rounds import open_round_problems, voting_start_date
from app.services.eligibility.refusal import EligibilityRefused, Fix
from app.services.errors import RuleViolation
from app.services.voting import ballots
from tests.factories import make_project, make_round, make_user, make_wijk, phase_dates
from tests.results_data import service_context


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with service_context(app, "en"):
        yield


def _messages(user: User, rnd: Round) -> list[tuple[str, Fix | None]]:
    return [(str(p.message), p.fix) for p in open_round_problems(user, rnd)]


def test_postcodes_are_normalised() -> None:
    assert normalise_postcode(" 3512ab ") == normalise_postcode("3512 AB") == "3512AB"
    assert format_postcode("3512AB") == "3512 AB"
    for wrong in ("0512 AB", "3512", "3512 A1", "35123 AB", ""):
        assert normalise_postcode(wrong) is None


def test_age_is_counted_in_whole_years_on_the_day() -> None:
    assert age_on(date(2012, 3, 15), date(2024, 3, 14)) == 11
    assert age_on(date(2012, 3, 15), date(2024, 3, 15)) == 12
    assert age_on(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert age_on(date(2008, 2, 29), date(2024, 3, 1)) == 16


def test_a_resident_who_meets_every_condition_votes(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    voter = make_user(wijk=make_wijk(), postcode=f"{rnd.wijk.postcodes[0]}XY")  # home wijk elsewhere
    assert ballots.may_vote(voter, rnd) is None
    ballot, _ = ballots.cast_ballot(voter, rnd.id, [project.id])
    assert ballot.status == "counted" and ballot.channel == "online_account"


def test_an_unconfirmed_e_mail_address_is_refused_with_the_way_to_confirm(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    voter = make_user(wijk=rnd.wijk, email_confirmed_at=None)
    assert _messages(voter, rnd) == [
        ("Confirm your e-mail address first: click the link in the e-mail we sent you.", Fix.CONFIRM_EMAIL)
    ]
    with pytest.raises(EligibilityRefused):
        ballots.cast_ballot(voter, rnd.id, [project.id])
    assert db.session.query(Ballot).count() == 0


def test_a_postcode_outside_the_wijk_is_refused(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    voter = make_user(wijk=rnd.wijk, postcode="9999ZZ")
    [(message, fix)] = _messages(voter, rnd)
    assert message.startswith(f"Only residents of {rnd.wijk.name} can vote in this round.")
    assert "9999 ZZ" in message and rnd.wijk.postcodes[0] in message
    assert fix is Fix.PROFILE


def test_too_young_on_the_day_voting_opens_is_refused(ctx: None) -> None:
    dates = phase_dates(Phase.VOTING, now=datetime(2024, 3, 20, 12, tzinfo=UTC))
    rnd = make_round(phase=Phase.CLOSED, min_age=16, **dates)
    assert voting_start_date(rnd) == date(2024, 3, 19)
    voter = make_user(wijk=rnd.wijk, birth_date=date(2008, 3, 19))
    assert _messages(voter, rnd) == []  # sixteen on the day itself
    voter.birth_date = date(2008, 3, 20)
    [(message, fix)] = _messages(voter, rnd)
    assert message == (
        "You must be at least 16 years old on 19 March 2024, the day voting opens, to vote in this round."
    )
    assert fix is None


def test_missing_details_are_each_named(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    voter = make_user(email_confirmed_at=None, birth_date=None)  # no wijk: no postcode
    assert [fix for _, fix in _messages(voter, rnd)] == [Fix.CONFIRM_EMAIL, Fix.PROFILE, Fix.PROFILE]
    refusal = ballots.may_vote(voter, rnd)
    assert isinstance(refusal, EligibilityRefused) and len(refusal.problems) == 3


def test_profile_details_are_checked_and_normalised(ctx: None) -> None:
    user = make_user()
    accounts.update_profile(user, postcode=" 3512ab", birth_date=date(1990, 1, 2))
    assert (user.postcode, user.birth_date) == ("3512AB", date(1990, 1, 2))
    with pytest.raises(RuleViolation) as bad:
        accounts.update_profile(user, postcode="3512", birth_date=None)
    assert bad.value.field == "postcode"
    with pytest.raises(RuleViolation) as future:
        accounts.update_profile(user, postcode="", birth_date=date(2999, 1, 1))
    assert future.value.field == "birth_date"
    db.session.refresh(user)
    assert user.postcode == "3512AB"  # bad input never loses stored data


def test_the_confirmation_link_confirms_once_and_only_its_own_address(ctx: None) -> None:
    user = make_user(email_confirmed_at=None)
    token = email_confirmation.confirmation_token(user)
    assert email_confirmation.confirm_email(token).email_confirmed_at is not None
    confirmed_at = user.email_confirmed_at
    assert email_confirmation.confirm_email(token).email_confirmed_at == confirmed_at  # idempotent
    user.email, user.email_confirmed_at = "new@example.nl", None
    db.session.commit()
    with pytest.raises(RuleViolation, match="not valid"):
        email_confirmation.confirm_email(token)  # sent to the old address


def test_an_expired_or_tampered_link_is_refused(ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(email_confirmed_at=None)
    four_days_ago = TimestampSigner.get_timestamp(TimestampSigner("x")) - 4 * 24 * 3600
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: four_days_ago)
        old_token = email_confirmation.confirmation_token(user)
    with pytest.raises(RuleViolation, match="expired"):
        email_confirmation.confirm_email(old_token)
    token = email_confirmation.confirmation_token(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(RuleViolation, match="not valid"):
        email_confirmation.confirm_email(tampered)
    assert db.session.get(User, user.id).email_confirmed_at is None


def test_the_confirmation_e_mail_goes_out_in_the_residents_language(ctx: None, outbox: list) -> None:  # type: ignore[type-arg]
    user = make_user(language="nl", email_confirmed_at=None)
    email_confirmation.send_confirmation_email(user, "https://example.nl/e-mail-bevestigen/abc")
    [message] = outbox
    assert message.to == [user.email] and message.subject == "Bevestig je e-mailadres voor wijkbudget"
    assert "https://example.nl/e-mail-bevestigen/abc" in message.body and "72 uur" in message.body
