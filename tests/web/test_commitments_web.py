"""Commitments on the web: public delivery pages, progress by professionals, residents' responses,
organisers' settings and comply-or-explain drops, with role checks and clear messages for bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Commitment, CommitmentStatus, DeliveryFeedback, ProgressUpdate, Role, WinnerDrop
from tests.commitments_data import commitment_of, image_bytes, published_greedy_round
from tests.factories import login, make_round, make_user, make_wijk

REASON = "De bodem is vervuild, bouwen mag hier niet."


@pytest.fixture
def photo_dir(app: Flask, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "PROGRESS_PHOTO_DIR", str(tmp_path))
    return tmp_path


def _text(response) -> str:
    return response.get_data(as_text=True)


def _progress(client: FlaskClient, commitment_id: int, **overrides):
    data = {"status": "in_progress", "spent": "1.250", "text": "De tegels liggen erin."}
    data.update(overrides)
    return client.post(
        f"/toezeggingen/{commitment_id}/voortgang", data=data, content_type="multipart/form-data"
    )


# --- public pages ------------------------------------------------------------------------------------


def test_delivery_page_lists_every_commitment_with_status_and_money(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    commitment = commitment_of(data.a)
    commitment.responsible_department = "Stadsbeheer, team Groen"
    db.session.commit()
    page = _text(client.get(f"/uitslag/{data.round.id}/toezeggingen"))
    for project in data.winners:
        assert project.title in page
    assert data.d.title not in page
    assert "Stadsbeheer, team Groen" in page
    assert "€\xa00 besteed van €\xa05.000" in page
    assert "Gepland" in page
    assert "Te laat" not in page


def test_an_overdue_commitment_is_marked_in_words(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    commitment = commitment_of(data.a)
    commitment.planned_delivery_on = date(2027, 3, 1)
    commitment.overdue_since = datetime(2027, 3, 2, tzinfo=UTC)
    db.session.commit()
    overview = _text(client.get(f"/uitslag/{data.round.id}/toezeggingen"))
    assert overview.count("Te laat") == 1
    project_page = _text(client.get(f"/project/{data.a.id}"))
    assert "Te laat" in project_page
    assert "1 maart 2027" in project_page


def test_no_delivery_page_before_publication(app: Flask, client: FlaskClient) -> None:
    rnd = make_round()
    assert client.get(f"/uitslag/{rnd.id}/toezeggingen").status_code == 404


def test_results_page_links_to_delivery(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    page = _text(client.get(f"/uitslag/{data.round.id}"))
    assert f"/uitslag/{data.round.id}/toezeggingen" in page
    assert "Wijzigingen na de uitslag" not in page


def test_a_losing_project_page_shows_no_delivery(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    assert 'id="levering"' not in _text(client.get(f"/project/{data.d.id}"))
    assert 'id="levering"' in _text(client.get(f"/project/{data.a.id}"))


# --- progress ----------------------------------------------------------------------------------------


def test_professional_posts_progress_with_a_photo_shown_on_the_project_page(
    app: Flask, client: FlaskClient, photo_dir: Path
) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.PROFESSIONAL))
    commitment_id = commitment_of(data.a).id
    assert client.get(f"/toezeggingen/{commitment_id}/voortgang").status_code == 200
    response = _progress(
        client, commitment_id, status="delivered", photo=(BytesIO(image_bytes()), "speeltuin.jpg")
    )
    assert response.status_code == 302
    update = db.session.scalars(select(ProgressUpdate)).one()
    assert (update.status, update.spent_cents) == ("delivered", 125_000)
    assert commitment_of(data.a).status == CommitmentStatus.DELIVERED.value
    page = _text(client.get(f"/project/{data.a.id}"))
    assert "De tegels liggen erin." in page
    assert f'src="/toezeggingen/foto/{update.photo_name}"' in page
    assert 'alt="Foto: De tegels liggen erin."' in page
    assert "€\xa01.250 besteed van €\xa05.000" in page
    photo = client.get(f"/toezeggingen/foto/{update.photo_name}")
    assert photo.status_code == 200
    assert photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"


def test_photo_route_serves_only_published_photos(app: Flask, client: FlaskClient, photo_dir: Path) -> None:
    stray = "b" * 22 + ".jpg"
    (photo_dir / stray).write_bytes(image_bytes())
    assert client.get(f"/toezeggingen/foto/{stray}").status_code == 404
    assert client.get("/toezeggingen/foto/..%2Fsecret_key").status_code == 404


def test_a_resident_cannot_post_progress(app: Flask, client: FlaskClient, photo_dir: Path) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.RESIDENT, wijk=data.round.wijk))
    commitment_id = commitment_of(data.a).id
    assert client.get(f"/toezeggingen/{commitment_id}/voortgang").status_code == 403
    assert _progress(client, commitment_id).status_code == 403
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0


def test_progress_needs_a_login(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    response = client.get(f"/toezeggingen/{commitment_of(data.a).id}/voortgang")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"spent": "-50"}, "Het uitgegeven bedrag kan niet negatief zijn."),
        ({"spent": ""}, "Vul een bedrag in euro in."),
        ({"text": "  "}, "Beschrijf in een paar woorden wat er is gebeurd."),
        ({"photo": (BytesIO(b"%PDF-1.4 fake"), "plan.pdf")}, "Dit bestand is geen foto."),
    ],
)
def test_bad_progress_input_gives_a_clear_message(
    app: Flask, client: FlaskClient, photo_dir: Path, overrides, message: str
) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.PROFESSIONAL))
    response = _progress(client, commitment_of(data.a).id, **overrides)
    assert response.status_code == 200
    assert message in _text(response)
    assert 'aria-invalid="true"' in _text(response)
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0
    assert list(photo_dir.iterdir()) == []


def test_an_oversized_upload_is_refused_before_it_is_read(app: Flask, client: FlaskClient, photo_dir) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.PROFESSIONAL))
    huge = (BytesIO(b"\xff" * (6 * 1024 * 1024)), "groot.jpg")
    response = _progress(client, commitment_of(data.a).id, photo=huge)
    assert response.status_code == 413
    assert "maximaal 5 MB" in _text(response)


# --- residents' responses ----------------------------------------------------------------------------


def test_a_resident_reports_a_problem_shown_on_the_project_page(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    resident = make_user(Role.RESIDENT, wijk=data.round.wijk)
    login(client, resident)
    commitment_id = commitment_of(data.a).id
    page = _text(client.get(f"/project/{data.a.id}"))
    assert f'action="/toezeggingen/{commitment_id}/reactie"' in page
    response = client.post(
        f"/toezeggingen/{commitment_id}/reactie", data={"kind": "report_problem", "text": "Het hek is kapot."}
    )
    assert response.status_code == 302
    page = _text(client.get(f"/project/{data.a.id}"))
    assert "Het hek is kapot." in page
    assert "meldt een probleem" in page


def test_a_response_without_text_or_before_delivery_is_explained(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.RESIDENT, wijk=data.round.wijk))
    url = f"/toezeggingen/{commitment_of(data.a).id}/reactie"
    response = client.post(url, data={"kind": "report_problem", "text": ""})
    assert response.status_code == 200
    assert "Beschrijf het probleem in een paar woorden." in _text(response)
    response = client.post(url, data={"kind": "confirm_delivered", "text": ""})
    assert response.status_code == 409
    assert "als de gemeente het als opgeleverd meldt" in _text(response)
    assert db.session.scalar(select(func.count(DeliveryFeedback.id))) == 0


def test_a_resident_of_another_wijk_cannot_respond(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.RESIDENT, wijk=make_wijk()))
    assert 'action="/toezeggingen/' not in _text(client.get(f"/project/{data.a.id}"))
    response = client.post(
        f"/toezeggingen/{commitment_of(data.a).id}/reactie", data={"kind": "report_problem", "text": "Kapot."}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(DeliveryFeedback.id))) == 0


def test_responding_needs_a_login(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    assert "Log in om de oplevering te bevestigen" in _text(client.get(f"/project/{data.a.id}"))
    response = client.post(
        f"/toezeggingen/{commitment_of(data.a).id}/reactie", data={"kind": "report_problem"}
    )
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def test_responses_need_a_csrf_token(app: Flask, client: FlaskClient, monkeypatch) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.RESIDENT, wijk=data.round.wijk))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(
        f"/toezeggingen/{commitment_of(data.a).id}/reactie", data={"kind": "report_problem", "text": "Kapot."}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(DeliveryFeedback.id))) == 0


# --- organisers: responsible and date ----------------------------------------------------------------


def test_organiser_moves_the_date_with_a_public_reason(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    professional = make_user(Role.PROFESSIONAL, name="Pim Professional")
    login(client, make_user(Role.ORGANISER))
    commitment = commitment_of(data.a)
    url = f"/toezeggingen/{commitment.id}/instellen"
    form = {
        "department": "Stadsbeheer",
        "responsible_user_id": str(professional.id),
        "planned_delivery_on": "2031-05-01",
    }
    response = client.post(url, data=form)
    assert response.status_code == 200
    assert "Leg uit waarom de opleverdatum verschuift." in _text(response)
    assert commitment_of(data.a).planned_delivery_on != date(2031, 5, 1)
    response = client.post(url, data={**form, "date_reason": "De aannemer is failliet."})
    assert response.status_code == 302
    commitment = commitment_of(data.a)
    assert commitment.planned_delivery_on == date(2031, 5, 1)
    assert commitment.responsible_user_id == professional.id
    page = _text(client.get(f"/project/{data.a.id}"))
    assert "De aannemer is failliet." in page
    assert "1 mei 2031" in page
    assert "Pim Professional" not in page  # the public sees the department, not the civil servant


def test_a_bad_date_is_explained(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.ORGANISER))
    response = client.post(
        f"/toezeggingen/{commitment_of(data.a).id}/instellen",
        data={"department": "", "responsible_user_id": "", "planned_delivery_on": "31-02-2030"},
    )
    assert response.status_code == 200
    assert "Vul een datum in, bijvoorbeeld 01-03-2027." in _text(response)


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.RESIDENT])
def test_only_organisers_change_responsible_and_date(app: Flask, client: FlaskClient, role: Role) -> None:
    data = published_greedy_round(app)
    login(client, make_user(role))
    url = f"/toezeggingen/{commitment_of(data.a).id}/instellen"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"department": "X", "responsible_user_id": ""}).status_code == 403


# --- comply or explain -------------------------------------------------------------------------------


def test_organiser_drops_a_winner_and_both_projects_show_the_reason(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.ORGANISER))
    url = f"/toezeggingen/ronde/{data.round.id}/schrappen/{data.b.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 200
    assert "Leg uit waarom dit project niet wordt uitgevoerd." in _text(response)
    assert db.session.scalar(select(func.count(WinnerDrop.id))) == 0

    response = client.post(url, data={"reason": REASON})
    assert response.status_code == 302
    results = _text(client.get(f"/uitslag/{data.round.id}"))
    assert "Wijzigingen na de uitslag" in results
    assert f"Geschrapt: {data.b.title}" in results
    assert REASON in results
    assert f'href="/project/{data.d.id}"' in results and f'href="/project/{data.e.id}"' in results
    dropped_page = _text(client.get(f"/project/{data.b.id}"))
    assert REASON in dropped_page
    assert data.d.title in dropped_page and data.e.title in dropped_page
    added_page = _text(client.get(f"/project/{data.d.id}"))
    assert REASON in added_page
    assert f"toegevoegd nadat “{data.b.title}” is geschrapt" in added_page
    overview = _text(client.get(f"/uitslag/{data.round.id}/toezeggingen"))
    assert data.d.title in overview and REASON in overview
    as_data = client.get(f"/uitslag/{data.round.id}.json").get_json()
    [change] = as_data["changes_after_publication"]
    assert change["dropped_project_id"] == data.b.id and change["reason"] == REASON
    assert set(change["added_project_ids"]) == {data.d.id, data.e.id}
    assert data.b.id in as_data["selected_project_ids"]  # the published result itself never changes
    assert data.b.id not in as_data["winners_after_changes"]
    assert {data.d.id, data.e.id} <= set(as_data["winners_after_changes"])


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.RESIDENT])
def test_only_organisers_drop_a_winner(app: Flask, client: FlaskClient, role: Role) -> None:
    data = published_greedy_round(app)
    login(client, make_user(role))
    url = f"/toezeggingen/ronde/{data.round.id}/schrappen/{data.b.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"reason": REASON}).status_code == 403
    assert db.session.scalar(select(func.count(WinnerDrop.id))) == 0


def test_a_losing_project_has_no_drop_page(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    login(client, make_user(Role.ORGANISER))
    assert client.get(f"/toezeggingen/ronde/{data.round.id}/schrappen/{data.d.id}").status_code == 404
    assert (
        client.post(
            f"/toezeggingen/ronde/{data.round.id}/schrappen/{data.d.id}", data={"reason": REASON}
        ).status_code
        == 404
    )
    assert client.get(f"/toezeggingen/ronde/{data.round.id}/schrappen/99999999999").status_code == 404


def test_staff_see_their_links_residents_do_not(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    commitment_id = commitment_of(data.a).id
    login(client, make_user(Role.ORGANISER))
    page = _text(client.get(f"/uitslag/{data.round.id}/toezeggingen"))
    assert f"/toezeggingen/{commitment_id}/voortgang" in page
    assert f"/toezeggingen/ronde/{data.round.id}/schrappen/{data.a.id}" in page
    client.post("/uitloggen")
    login(client, make_user(Role.RESIDENT, wijk=data.round.wijk))
    page = _text(client.get(f"/uitslag/{data.round.id}/toezeggingen"))
    assert "/voortgang" not in page and "/schrappen/" not in page


def test_commitment_count_matches_winners_after_web_publication(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    assert db.session.scalar(select(func.count(Commitment.id))) == len(data.winners)
