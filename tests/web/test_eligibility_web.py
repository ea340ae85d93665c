"""Who may vote, through the web: linking an address, refusals with their fixes, results that say who voted."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Ballot, BallotStatus, Eligibility, MatchStatus, Phase, RegisterMatch, Round
from app.models.freeze import seeding
from app.services.eligibility import matches as register_matches
from app.services.results.publishing import publish_round
from app.services.voting import ballots
from tests.ballot_box import sealed_session
from tests.factories import login, make_adult_register_entry, make_project, make_round, make_user
from tests.results_data import service_context


def _text(response: Any) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page)).replace("\u00a0", " ")


def _register_round(level: str = "household") -> Round:
    rnd = make_round(phase=Phase.VOTING, eligibility=Eligibility.REGISTER_MATCH.value, register_level=level)
    make_project(rnd)
    return rnd


def _link(client: FlaskClient, rnd: Round, **data: Any) -> Any:
    return client.post(f"/ronde/{rnd.id}/adres-koppelen", data=data)


def test_a_resident_links_their_address_on_the_round_page_and_votes(client: FlaskClient) -> None:
    rnd = _register_round()
    make_adult_register_entry(rnd, postcode="3512AB", house_number=12, addition="bis", birth_date=None)
    login(client, make_user())
    page = client.get(f"/ronde/{rnd.id}")
    assert "Je adres in het kiezersregister" in _text(page)
    assert "eerst je account aan het kiezersregister" in _text(page)
    assert 'name="house_number"' in page.get_data(as_text=True)

    response = _link(client, rnd, postcode="3512 ab", house_number="12", addition="BIS")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    # Tasks run in-process here, so the check is done at once.
    assert "Je account is gekoppeld aan het kiezersregister. Je stem telt mee." in _text(page)
    assert "Nu stemmen" in _text(page)
    [match] = db.session.query(RegisterMatch).all()
    assert match.status == MatchStatus.VERIFIED.value


def test_a_second_account_on_the_same_household_gets_a_clear_message(client: FlaskClient) -> None:
    rnd = _register_round()
    entry = make_adult_register_entry(rnd, postcode="3512AB", house_number=5, birth_date=None)
    with service_context(client.application):
        register_matches.request_match(make_user(), rnd.id, postcode="3512AB", house_number=5)
    login(client, make_user())
    response = _link(client, rnd, postcode="3512AB", house_number="5")
    assert response.status_code == 400
    assert "In deze ronde heeft elk huishouden één stem" in _text(response)
    assert db.session.query(RegisterMatch).filter_by(register_entry_id=entry.id).count() == 1


def test_a_wrong_address_is_reported_next_to_the_field(client: FlaskClient) -> None:
    rnd = _register_round(level="person")
    make_adult_register_entry(rnd, postcode="3512AB", house_number=5)
    login(client, make_user())
    response = _link(client, rnd, postcode="3512AB", house_number="6", birth_date="1980-05-17")
    assert response.status_code == 400
    assert 'id="postcode-error"' in response.get_data(as_text=True)
    assert "We vinden geen bewoner met dit adres en deze geboortedatum" in _text(response)
    response = _link(client, rnd, postcode="3512AB", house_number="vijf")
    assert "Vul je huisnummer in, bijvoorbeeld 12." in _text(response)
    assert db.session.query(RegisterMatch).count() == 0


def test_pending_match_and_ballot_are_shown_as_pending(client: FlaskClient, held_jobs: list) -> None:
    rnd = _register_round()
    project = rnd.projects[0]
    make_adult_register_entry(rnd, postcode="3512AB", house_number=9, birth_date=None)
    login(client, make_user())
    _link(client, rnd, postcode="3512AB", house_number="9")
    assert "We controleren je adres in het kiezersregister." in _text(client.get(f"/ronde/{rnd.id}"))
    response = client.post(
        f"/ronde/{rnd.id}/stemmen", data={"project_ids": [str(project.id)], "action": "cast"}
    )
    assert response.status_code == 302
    assert sealed_session().query(Ballot).one().status == BallotStatus.PENDING.value
    receipt = client.get(f"/ronde/{rnd.id}/stembewijs")
    assert "Je stem telt mee zodra de controle klaar is." in _text(receipt)


def test_a_rejected_ballot_is_reported_on_the_results_page(
    app: Flask, client: FlaskClient, held_jobs: list
) -> None:
    rnd = _register_round(level="person")
    with seeding(db.session):  # the kaders from the start
        rnd.min_age = 18
        db.session.commit()
    project = rnd.projects[0]
    young = make_adult_register_entry(
        rnd, house_number=1, birth_date=date(rnd.voting_open_at.year - 12, 1, 1)
    )
    adult = make_adult_register_entry(rnd, house_number=2)
    with service_context(app):
        for entry in (young, adult):
            voter = make_user()
            register_matches.request_match(
                voter,
                rnd.id,
                postcode=entry.postcode,
                house_number=entry.house_number,
                birth_date=entry.birth_date,
            )
            ballots.cast_ballot(voter, rnd.id, [project.id])
        register_matches.verify_register_matches(rnd.id)
        rnd.phase = Phase.CLOSED.value
        db.session.commit()
        publish_round(rnd.id)
    text = _text(client.get(f"/uitslag/{rnd.id}"))
    assert "1 stembiljet is niet meegeteld, omdat de kiezer niet mocht stemmen." in text
    assert "gekoppeld was aan het kiezersregister van de gemeente (vanaf 18 jaar)" in text
    assert "laagste zekerheid" not in text
    data = client.get(f"/uitslag/{rnd.id}.json").get_json()
    assert (data["ballots_counted"], data["ballots_rejected_ineligible"]) == (1, 1)


def test_open_round_results_say_eligibility_was_self_declared(app: Flask, client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    with service_context(app):
        ballots.cast_ballot(make_user(wijk=rnd.wijk), rnd.id, [project.id])
        rnd.phase = Phase.CLOSED.value
        db.session.commit()
        publish_round(rnd.id)
    text = _text(client.get(f"/uitslag/{rnd.id}"))
    assert "Bewoners gaven dit zelf op" in text and "laagste zekerheid" in text
    assert "0 stembiljetten zijn niet meegeteld" in text


def test_refusals_link_to_what_fixes_them(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    make_project(rnd)
    login(client, make_user(wijk=rnd.wijk, email_confirmed_at=None, birth_date=None))
    page = client.get(f"/ronde/{rnd.id}/stemmen")
    assert page.status_code == 403
    body = page.get_data(as_text=True)
    assert 'href="/profiel#confirm-email"' in body and "Bevestig eerst je e-mailadres" in _text(page)
    assert "Vul je geboortedatum in bij je profiel." in _text(page)
    assert "Vul je geboortedatum in bij je profiel." in _text(client.get(f"/ronde/{rnd.id}"))


def test_letter_code_rounds_send_account_holders_to_their_letter(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING, eligibility=Eligibility.LETTER_CODES.value)
    make_project(rnd)
    assert "stem je met de stemcode uit de brief" in _text(client.get(f"/ronde/{rnd.id}"))
    login(client, make_user(wijk=rnd.wijk))
    page = client.get(f"/ronde/{rnd.id}/stemmen")
    assert page.status_code == 403
    assert "bij de balie van de organisatoren" in _text(page)
