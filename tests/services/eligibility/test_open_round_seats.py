"""Open rounds: one mailbox is one voter, and one person (postcode, house number, birth date) one ballot.

The probe voted with `name+1@...`, `name+2@...` and so on, each a confirmed account: every one counted.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import scoped_session

from app.extensions import db
from app.models import FrozenRoundError, OpenRoundSeat, Phase, Project, Role, Round, User, Wijk
from app.services.eligibility.open_round_seats import normalised_mailbox
from app.services.eligibility.refusal import EligibilityRefused
from app.services.results.publishing import publish_round
from app.services.voting import ballots
from app.services.voting.urn import ballots_in_round
from tests.factories import login, make_project, make_round, make_user, make_wijk
from tests.results_data import cast_votes, service_context
from tests.web.test_organise_forms import round_form


@pytest.mark.parametrize(
    ("address", "mailbox"),
    [
        ("Jan@Example.NL", "jan@example.nl"),
        ("jan+1@example.nl", "jan@example.nl"),
        ("jan+stem+2@example.nl", "jan@example.nl"),
        ("j.a.n+x@gmail.com", "jan@gmail.com"),
        ("J.an@GoogleMail.com", "jan@gmail.com"),
        ("j.an@example.nl", "j.an@example.nl"),  # other providers may deliver dotted names elsewhere
        (" jan@example.nl ", "jan@example.nl"),
    ],
)
def test_mailbox_normalisation(address: str, mailbox: str) -> None:
    assert normalised_mailbox(address) == mailbox


def _open_round() -> tuple[Round, Project, Project]:
    rnd = make_round(make_wijk(), phase=Phase.VOTING)
    return rnd, make_project(rnd, cost_cents=1_000_000), make_project(rnd, cost_cents=500_000)


def _resident(wijk: Wijk, email: str, house_number: int, birth: date = date(1980, 5, 17)) -> User:
    return make_user(email=email, wijk=wijk, house_number=house_number, birth_date=birth)


def _ballots(rnd: Round) -> int:
    """Ballots in the box, waiting in the urn or sealed."""
    db.session.expire_all()
    return sum(n for _status, n in ballots_in_round(rnd.id, "status"))


def test_plus_addresses_of_one_mailbox_share_one_ballot(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd, a, b = _open_round()
        first = _resident(rnd.wijk, "jan+1@example.nl", 1)
        second = _resident(rnd.wijk, "jan+2@example.nl", 2)
        ballots.cast_ballot(first, rnd.id, [a.id])
        ballot, created = ballots.cast_ballot(second, rnd.id, [b.id])
        assert created is False  # the same voter changing their ballot, not a second one
        assert _ballots(rnd) == 1
        assert ballot.project_ids == [b.id]


def test_gmail_dots_are_one_mailbox(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd, a, _b = _open_round()
        for n, email in enumerate(
            ("jan.jansen@gmail.com", "janjansen+x@googlemail.com", "J.anjansen@gmail.com")
        ):
            ballots.cast_ballot(_resident(rnd.wijk, email, 10 + n), rnd.id, [a.id])
        assert _ballots(rnd) == 1


def test_one_ballot_per_postcode_house_number_and_birth_date(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd, a, _b = _open_round()
        ballots.cast_ballot(_resident(rnd.wijk, "jan@example.nl", 7), rnd.id, [a.id])
        with pytest.raises(ballots.AlreadyVoted) as refused:
            ballots.cast_ballot(_resident(rnd.wijk, "jan@elders.nl", 7), rnd.id, [a.id])
        assert "huisnummer en dezelfde geboortedatum" in str(refused.value.message)
        # Someone else in the same house (another birth date) and the neighbours still vote.
        ballots.cast_ballot(_resident(rnd.wijk, "piet@example.nl", 7, date(1990, 1, 2)), rnd.id, [a.id])
        ballots.cast_ballot(_resident(rnd.wijk, "klaas@example.nl", 9), rnd.id, [a.id])
        assert _ballots(rnd) == 3


def test_a_mailbox_changed_after_voting_finds_the_seat_taken(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd, a, b = _open_round()
        voter = _resident(rnd.wijk, "jan@example.nl", 7)
        ballots.cast_ballot(voter, rnd.id, [a.id])
        ballots.cast_ballot(voter, rnd.id, [b.id])  # changing one's own ballot keeps the seat
        voter.email = "jan@elders.nl"
        db.session.commit()
        with pytest.raises(ballots.AlreadyVoted):
            ballots.cast_ballot(voter, rnd.id, [a.id])
        assert _ballots(rnd) == 1


def test_an_organiser_may_allow_more_ballots_per_person(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round(make_wijk(), phase=Phase.VOTING, accounts_per_address=2)
        a = make_project(rnd)
        twins = [_resident(rnd.wijk, f"{name}@example.nl", 3) for name in ("anna", "bo", "cas")]
        ballots.cast_ballot(twins[0], rnd.id, [a.id])
        ballots.cast_ballot(twins[1], rnd.id, [a.id])
        with pytest.raises(ballots.AlreadyVoted):
            ballots.cast_ballot(twins[2], rnd.id, [a.id])
        assert _ballots(rnd) == 2


def test_without_a_house_number_the_round_asks_for_it(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd, a, _b = _open_round()
        voter = make_user(wijk=rnd.wijk, house_number=None)
        with pytest.raises(EligibilityRefused) as refused:
            ballots.cast_ballot(voter, rnd.id, [a.id])
        assert "Vul je huisnummer in" in " ".join(str(p.message) for p in refused.value.problems)


def test_the_database_holds_one_seat_per_mailbox_and_per_person_slot(
    app: Flask, db_session: scoped_session
) -> None:
    with app.app_context():
        rnd, _a, _b = _open_round()
        db.session.add(OpenRoundSeat(round_id=rnd.id, person_key="p" * 64, slot=1, voter_key="v" * 64))
        db.session.commit()
        for duplicate in (
            OpenRoundSeat(round_id=rnd.id, person_key="q" * 64, slot=1, voter_key="v" * 64),  # same mailbox
            OpenRoundSeat(round_id=rnd.id, person_key="p" * 64, slot=1, voter_key="w" * 64),  # same person
        ):
            with pytest.raises(IntegrityError), db.session.begin_nested():
                db.session.add(duplicate)


def test_the_limit_is_a_kader_frozen_when_voting_opens(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd, _a, _b = _open_round()
        rnd.accounts_per_address = 3
        with pytest.raises(FrozenRoundError):
            db.session.commit()
        db.session.rollback()


def test_organiser_sets_the_limit_in_the_kaders(client: FlaskClient) -> None:
    wijk = make_wijk()
    login(client, make_user(Role.ORGANISER))
    url = f"/organiseren/wijk/{wijk.id}/ronde/nieuw"
    assert client.post(url, data=round_form(accounts_per_address="0")).status_code != 302
    assert client.post(url, data=round_form(accounts_per_address="2")).status_code == 302
    assert db.session.query(Round).filter_by(wijk_id=wijk.id).one().accounts_per_address == 2


def test_the_results_page_states_the_remaining_risk(client: FlaskClient, app: Flask) -> None:
    rnd = make_round(make_wijk(), phase=Phase.CLOSED, accounts_per_address=2)
    project = make_project(rnd)
    cast_votes(rnd, {project: 3})
    with service_context(app):
        publish_round(rnd.id)
    client.post("/taal", data={"lang": "en", "next": "/"})
    page = " ".join(client.get(f"/uitslag/{rnd.id}").get_data(as_text=True).split())
    assert "could still vote more than once" in page
    assert "could vote at most 2 times" in page


def test_the_profile_takes_the_house_number(client: FlaskClient) -> None:
    user = make_user(postcode=None, birth_date=None)
    login(client, user)
    data = {"postcode": "3512 AB", "house_number": "12", "addition": " bis ", "birth_date": "1990-04-01"}
    assert client.post("/profiel", data=data).status_code == 302
    db.session.expire_all()
    assert (user.house_number, user.house_number_addition) == (12, "bis")
    assert client.post("/profiel", data=data | {"house_number": "0"}).status_code == 200
    db.session.expire_all()
    assert user.house_number == 12
