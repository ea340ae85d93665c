"""A resident asks for help on their proposal's page; a professional of the wijk picks it up and answers; the
resident sees who helps; organisers see what waits."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.extensions import db
from app.models import HelpRequest, Phase, ProjectStatus, Role
from tests.factories import login, make_project, make_round, make_user


def test_asking_picking_up_and_answering(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    author = make_user(wijk=rnd.wijk)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id)
    login(client, author)
    assert "Hulp vragen" in client.get(f"/project/{project.id}").get_data(as_text=True)
    empty = client.post(f"/voorstel/{project.id}/hulp", data={"topic": "permit", "question": ""})
    assert empty.status_code == 400 and "Schrijf je vraag" in empty.get_data(as_text=True)
    client.post(
        f"/voorstel/{project.id}/hulp", data={"topic": "permit", "question": "Welke vergunning heb ik nodig?"}
    )
    [request] = db.session.query(HelpRequest).all()
    assert "Welke vergunning" not in client.get(f"/project/{project.id}").get_data(
        as_text=True
    )  # never public
    client.post("/uitloggen")
    login(client, make_user(Role.PROFESSIONAL, wijk=rnd.wijk, name="Pim Professional"))
    assert "Welke vergunning" in client.get("/toets/hulp").get_data(as_text=True)
    client.post(f"/toets/hulp/{request.id}/oppakken")
    client.post(f"/toets/hulp/{request.id}", data={"answer": "Geen, voor bankjes niet."})
    client.post("/uitloggen")
    login(client, author)
    page = client.get(f"/voorstel/{project.id}/hulp").get_data(as_text=True)
    assert "Antwoord van Pim Professional" in page and "Geen, voor bankjes niet." in page
    client.post("/uitloggen")
    login(client, make_user())
    assert client.get(f"/voorstel/{project.id}/hulp").status_code == 403
