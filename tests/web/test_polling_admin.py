"""Organisers: polling locations, the poll-worker role, and the turnout dashboard."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Buurt, Phase, PollingLocation, Role
from app.services.paper import polling
from tests.factories import login, make_location, make_register_entries, make_round, make_user, make_wijk


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_organisers_add_and_rename_polling_locations(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    login(client, make_user(Role.ORGANISER))
    url = f"/organiseren/ronde/{rnd.id}/stembureaus"
    added = client.post(url, data={"name": "OBS De Regenboog", "kind": "school"})
    assert added.status_code == 302
    assert "OBS De Regenboog (School)" in _text(client.get(url))
    twice = client.post(url, data={"name": "OBS De Regenboog", "kind": "school"})
    assert "Deze ronde heeft al een stembureau met deze naam." in _text(twice)
    empty = client.post(url, data={"name": " ", "kind": "school"})
    assert "Vul de naam van de plek in." in _text(empty)

    location = db.session.scalars(select(PollingLocation)).one()
    edited = client.post(
        f"/organiseren/stembureau/{location.id}/bewerken",
        data={"name": "Buurthuis Oost", "kind": "community_centre"},
    )
    assert edited.status_code == 302
    db.session.refresh(location)
    assert (location.name, location.kind) == ("Buurthuis Oost", "community_centre")
    assert "Stembureau gewijzigd" in _text(client.get(f"/organiseren/ronde/{rnd.id}/logboek"))


def test_admins_make_a_resident_a_poll_worker_of_a_wijk_and_back(client: FlaskClient) -> None:
    resident = make_user(Role.RESIDENT, email="hulp.bij.stemmen@example.nl")
    professional = make_user(Role.PROFESSIONAL, email="toetser.hulp@example.nl")
    wijk = make_wijk(name="Lombok")
    admin = make_user(Role.ADMIN)
    login(client, admin)
    listing = client.get("/organiseren/stembureauleden?q=hulp")
    assert "hulp.bij.stemmen@example.nl" in _text(listing) and "Niet mogelijk voor deze rol" in _text(listing)
    assert "Lombok" in _text(listing)

    client.post(f"/organiseren/stembureauleden/{resident.id}", data={"grant": "1", "wijk_id": wijk.id})
    db.session.refresh(resident)
    assert (resident.role, resident.poll_worker_granted_by_id) == ("poll_worker", admin.id)
    assert [w.name for w in resident.staff_wijken] == ["Lombok"]
    refused = client.post(
        f"/organiseren/stembureauleden/{professional.id}",
        data={"grant": "1", "wijk_id": wijk.id},
        follow_redirects=True,
    )
    assert "Alleen bewoners kunnen stembureaulid worden." in _text(refused)
    client.post(f"/organiseren/stembureauleden/{resident.id}", data={"grant": "0"})
    db.session.refresh(resident)
    assert resident.role == "resident"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.poll_worker_granted", "user.poll_worker_revoked"]


def test_organisers_cannot_make_anyone_a_poll_worker(client: FlaskClient) -> None:
    resident, wijk = make_user(Role.RESIDENT), make_wijk()
    login(client, make_user(Role.ORGANISER))
    assert client.get("/organiseren/stembureauleden").status_code == 403
    granted = client.post(
        f"/organiseren/stembureauleden/{resident.id}", data={"grant": "1", "wijk_id": wijk.id}
    )
    assert granted.status_code == 403
    db.session.refresh(resident)
    assert resident.role == "resident"


def test_organisers_assign_the_wijks_poll_workers_to_a_location(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    location = make_location(rnd, name="Buurthuis De Schakel")
    worker = make_user(Role.POLL_WORKER, wijken=[rnd.wijk], name="Kees Bakker")
    login(client, make_user(Role.ORGANISER, wijken=[rnd.wijk]))
    page = _text(client.get(f"/organiseren/ronde/{rnd.id}/stembureaus"))
    assert "Kees Bakker" in page and "nog niemand" in page
    assigned = client.post(
        f"/organiseren/stembureau/{location.id}/stembureauleden", data={"user_id": worker.id}
    )
    assert assigned.status_code == 302
    assert polling.assigned_poll_workers(location.id) == [worker]
    client.post(f"/organiseren/stembureau/{location.id}/stembureauleden/{worker.id}/weg")
    assert polling.assigned_poll_workers(location.id) == []


def test_the_turnout_dashboard_shows_groups_and_hides_small_ones(client: FlaskClient) -> None:
    wijk = make_wijk(buurten=("Noord", "Zuid"))
    rnd = make_round(wijk, phase=Phase.VOTING, eligibility="letter_codes")
    noord, zuid = (
        db.session.scalars(select(Buurt.id).where(Buurt.wijk_id == wijk.id, Buurt.name == n)).one()
        for n in ("Noord", "Zuid")
    )
    make_register_entries(rnd, 30, buurt_id=noord, voted_channel="online_code")
    make_register_entries(rnd, 10, buurt_id=noord)
    make_register_entries(rnd, 25, buurt_id=zuid, voted_channel="paper")
    make_register_entries(rnd, 15, buurt_id=zuid)
    login(client, make_user(Role.ORGANISER))

    page = _text(client.get(f"/organiseren/ronde/{rnd.id}/opkomst"))

    assert "<caption>Opkomst per buurt</caption>" in page
    assert '<th scope="row">Noord</th>' in page and "75,0%" in page and "62,5%" in page  # 30/40 and 25/40
    assert "68,8%" in page  # 55 of 80 in total
    # Nobody voted with help: "fewer than 10", so paper (the smallest shown) is hidden too.
    assert "minder dan 10" in page and "verborgen" in page
    assert ">25<" not in page.split('id="turnout-channel"')[1].split("</table>")[0]


def test_poll_workers_do_not_see_the_turnout(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    login(client, make_user(Role.POLL_WORKER))
    assert client.get(f"/organiseren/ronde/{rnd.id}/opkomst").status_code == 403


def test_an_open_round_shows_only_ballots(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING, eligibility="open")
    login(client, make_user(Role.ORGANISER))
    page = _text(client.get(f"/organiseren/ronde/{rnd.id}/opkomst"))
    assert "Deze ronde heeft geen kiezersregister" in page and "Opkomst per buurt" not in page
