"""The public resident pages: rounds, a round with its kaders, projects with review reasons, my proposals."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from app.extensions import db
from app.models import Notification, Phase, ProjectStatus, Round
from tests.factories import login, make_project, make_round, make_user, make_wijk


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_home_lists_rounds_with_the_residents_own_wijk_first(client: FlaskClient) -> None:
    other = make_round(wijk=make_wijk("Oost"), phase=Phase.VOTING, title="Ronde Oost")
    own = make_round(wijk=make_wijk("West"), phase=Phase.PROPOSALS, title="Ronde West")
    make_round(phase=Phase.DRAFT, title="Nog in voorbereiding")
    anonymous = _text(client.get("/"))
    assert "Ronde Oost" in anonymous and "Ronde West" in anonymous
    assert "Nog in voorbereiding" not in anonymous
    assert "Alle rondes" in anonymous
    login(client, make_user(wijk=own.wijk))
    page = _text(client.get("/"))
    page = page[page.index(">Je wijk<") :]  # the rounds, after what you can do now
    assert (
        page.index("Je wijk<")
        < page.index("Ronde West")
        < page.index("Andere wijken")
        < page.index("Ronde Oost")
    )
    assert "Voorstellen indienen kan nu." in page and "De stemming is open." in page
    assert "Stemmen kan tot" in page and other.title in page


def test_round_page_shows_phase_kaders_and_what_to_do(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS, knapsack_min_spend_pct=40)
    page = _text(client.get(f"/ronde/{rnd.id}"))
    assert rnd.title in page and rnd.wijk.name in page
    assert "Voorstellen indienen kan nu" in page
    assert "De spelregels van deze ronde" in page and "€ 50.000 voor de hele wijk" in page
    assert "Log in om een voorstel in te dienen." in page
    login(client, make_user(wijk=rnd.wijk))
    page = _text(client.get(f"/ronde/{rnd.id}"))
    assert f'href="/ronde/{rnd.id}/voorstel"' in page and f'href="/ronde/{rnd.id}/projecten"' in page


def test_round_page_in_voting_links_to_the_ballot_and_after_voting_to_the_receipt(
    client: FlaskClient,
) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    login(client, make_user(wijk=rnd.wijk))
    assert f'href="/ronde/{rnd.id}/stemmen"' in _text(client.get(f"/ronde/{rnd.id}"))
    client.post(f"/ronde/{rnd.id}/stemmen", data={"project_ids": [str(project.id)], "action": "cast"})
    page = _text(client.get(f"/ronde/{rnd.id}"))
    assert "Je hebt gestemd." in page and f'href="/ronde/{rnd.id}/stembewijs"' in page


def test_published_round_links_to_the_result(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PUBLISHED)
    assert f'href="/uitslag/{rnd.id}"' in _text(client.get(f"/ronde/{rnd.id}"))


def test_draft_and_unknown_rounds_are_not_found(client: FlaskClient) -> None:
    draft = make_round(phase=Phase.DRAFT)
    assert client.get(f"/ronde/{draft.id}").status_code == 404
    assert client.get("/ronde/999999").status_code == 404
    assert client.get("/ronde/999999/projecten").status_code == 404
    assert client.get("/project/999999").status_code == 404
    assert client.get("/ronde/99999999999").status_code == 404  # beyond a 32-bit id: not a database error
    assert client.get("/project/99999999999").status_code == 404


def _reviewed_round() -> Round:
    rnd = make_round(phase=Phase.VOTING)
    make_project(
        rnd, title="Speeltuin", status=ProjectStatus.FEASIBLE, review_reason="Past binnen de regels."
    )
    make_project(
        rnd,
        title="Kunstgrasveld",
        status=ProjectStatus.INFEASIBLE,
        review_reason="De grond is van het waterschap.",
    )
    make_project(
        rnd,
        title="Moestuin",
        cost_cents=900_000,
        original_cost_cents=600_000,
        cost_change_reason="Er is ook een hek nodig.",
    )
    make_project(rnd, title="Ingetrokken plan", status=ProjectStatus.WITHDRAWN)
    return rnd


def test_projects_page_shows_status_reasons_and_cost_changes_to_everyone(client: FlaskClient) -> None:
    rnd = _reviewed_round()
    page = _text(client.get(f"/ronde/{rnd.id}/projecten"))
    assert "Speeltuin" in page and "Haalbaar: staat op het stembiljet" in page
    assert "Kunstgrasveld" in page and "Niet haalbaar" in page and "De grond is van het waterschap." in page
    assert (
        "De indiener schatte € 6.000; bij de haalbaarheidstoets zijn de kosten aangepast naar € 9.000."
        in page
    )
    assert "Er is ook een hek nodig." in page
    assert "Ingetrokken plan" in page and "Ingetrokken door de indiener" in page
    assert "De spelregels van deze ronde" in page


def test_project_page_shows_reason_and_cost_change(client: FlaskClient) -> None:
    rnd = _reviewed_round()
    garden = next(p for p in rnd.projects if p.title == "Moestuin")
    page = _text(client.get(f"/project/{garden.id}"))
    assert "Moestuin" in page and "€ 9.000" in page and "Er is ook een hek nodig." in page


def test_my_proposals_shows_notifications_and_marks_them_read(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    author = make_user(wijk=rnd.wijk)
    project = make_project(
        rnd,
        title="Moestuin",
        author_id=author.id,
        cost_cents=900_000,
        original_cost_cents=600_000,
        cost_change_reason="Er is ook een hek nodig.",
        review_reason="Goed plan.",
    )
    other = make_user(wijk=rnd.wijk)
    db.session.add_all(
        [
            Notification(
                user_id=author.id,
                kind="proposal_reviewed",
                project_id=project.id,
                details={"status": "feasible", "reason": "Goed plan."},
            ),
            Notification(
                user_id=author.id,
                kind="cost_adjusted",
                project_id=project.id,
                details={
                    "old_cost_cents": 600_000,
                    "new_cost_cents": 900_000,
                    "reason": "Er is ook een hek nodig.",
                },
            ),
            Notification(user_id=other.id, kind="proposal_reviewed", project_id=project.id, details={}),
        ]
    )
    db.session.commit()
    login(client, author)
    page = _text(client.get("/mijn-voorstellen"))
    assert "“Moestuin” is getoetst: het is haalbaar en komt op het stembiljet." in page
    assert "De geschatte kosten van “Moestuin” zijn aangepast van € 6.000 naar € 9.000." in page
    assert "Er is ook een hek nodig." in page and "Goed plan." in page
    assert page.count(">Nieuw<") == 2
    db.session.expire_all()
    mine = db.session.query(Notification).filter_by(user_id=author.id).all()
    assert all(n.read_at is not None for n in mine)
    assert db.session.query(Notification).filter_by(user_id=other.id).one().read_at is None
    assert ">Nieuw<" not in _text(client.get("/mijn-voorstellen"))


def test_my_proposals_lists_only_own_proposals_with_status(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    author = make_user(wijk=rnd.wijk)
    make_project(rnd, title="Mijn plan", author_id=author.id, status=ProjectStatus.SUBMITTED)
    make_project(rnd, title="Plan van een ander", status=ProjectStatus.SUBMITTED)
    login(client, author)
    page = _text(client.get("/mijn-voorstellen"))
    assert "Mijn plan" in page and "Wacht op de haalbaarheidstoets" in page and "Wijzigen" in page
    assert "Plan van een ander" not in page


def test_my_proposals_needs_login(client: FlaskClient) -> None:
    response = client.get("/mijn-voorstellen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_pages_render_in_english(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    make_project(rnd, title="Speeltuin")
    login(client, make_user(wijk=rnd.wijk, language="en"))
    page = _text(client.get(f"/ronde/{rnd.id}/stemmen"))
    assert "Check my choice" in page and "Cast my vote" in page and "The rules of this round" in page
