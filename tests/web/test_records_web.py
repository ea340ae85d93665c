"""Downloads of the election record, the receipt list and the receipt check page."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter
from app.models import Ballot, Phase
from app.services.results.counting import tally_round
from app.services.results.publishing import publish_round
from app.services.results.record import published_record
from tests.conftest import database_url_for_tests
from tests.factories import make_project, make_round
from tests.results_data import RealisticRound, cast_votes, realistic_round, service_context

CODES = ("K7QM-9XRT-CAWF", "A3CD-EFGH-JKMN", "YYYY-XXXX-4444")


def _text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def _published(app: Flask) -> RealisticRound:
    data = realistic_round()
    ballots = db.session.scalars(select(Ballot).where(Ballot.round_id == data.round.id).order_by(Ballot.id))
    for ballot, code in zip(ballots, CODES, strict=False):
        ballot.receipt_code = code
    db.session.commit()
    with service_context(app):
        publish_round(data.round.id)
    return data


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("pb", "text/plain; charset=utf-8"), ("csv", "text/csv; charset=utf-8"), ("json", "application/json")],
)
def test_downloads_have_their_content_type_and_a_filename(
    app: Flask, client: FlaskClient, kind: str, content_type: str
) -> None:
    data = _published(app)
    response = client.get(f"/uitslag/{data.round.id}/record.{kind}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="round-{data.round.id}.{kind}"'
    record = published_record(data.round.id)
    stored = {"pb": record.pb_text, "csv": record.csv_text, "json": record.record_json}[kind]
    assert response.data == stored.encode("utf-8")
    if kind == "json":
        assert hashlib.sha256(response.data).hexdigest() == record.record_sha256


def test_csv_has_a_row_per_project_with_votes_and_reason(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    lines = client.get(f"/uitslag/{data.round.id}/record.csv").get_data(as_text=True).splitlines()
    assert lines[0].startswith("pb_project_id,project_id,title,category,buurt,cost_cents,votes,selected")
    assert len(lines) == 1 + 6
    assert any(",Groene daken,Groen,,3000000,30,no,did_not_fit," in line for line in lines)


def test_no_downloads_receipts_or_checks_before_publication(app: Flask, client: FlaskClient) -> None:
    data = realistic_round()
    with service_context(app):
        tally_round(data.round.id)
    rid = data.round.id
    for path in ("record.pb", "record.json", "record.csv", "stembewijzen", "stembewijzen.txt"):
        assert client.get(f"/uitslag/{rid}/{path}").status_code == 404
    assert client.get("/uitslag/999999/record.pb").status_code == 404
    page = client.get(f"/uitslag/stembewijs?round_id={rid}&code={CODES[0]}")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Ja, je stem is geteld" not in text and "niet gevonden" not in text
    assert data.round.title not in text


def test_results_page_shows_hash_downloads_and_recount_instructions(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    rid = data.round.id
    html = client.get(f"/uitslag/{rid}").get_data(as_text=True)
    text = _text(html)
    record = published_record(rid)
    assert record.record_sha256 in html
    for kind in ("pb", "csv", "json"):
        assert f'href="/uitslag/{rid}/record.{kind}"' in html
    assert "Zelf controleren en natellen" in text
    assert f"wijkbudget tally round-{rid}.pb" in text
    assert "greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=ties)" in html
    assert "pabutools zonder onze volgorde" in text  # why the snippet passes the tie-break order
    assert f'href="/uitslag/{rid}/stembewijzen"' in html

    client.post("/taal", data={"lang": "en", "next": f"/uitslag/{rid}"})
    english = _text(client.get(f"/uitslag/{rid}").get_data(as_text=True))
    assert "Check and recount it yourself" in english
    assert "Recount with pabutools" in english


def test_receipt_list_is_sorted_and_shows_no_choices(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    rid = data.round.id
    page = client.get(f"/uitslag/{rid}/stembewijzen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    codes = re.findall(r"<li>([^<]+)</li>", html[html.index('class="receipt-list"') :])
    stored = sorted(db.session.scalars(select(Ballot.receipt_code).where(Ballot.round_id == rid)))
    assert codes == stored and len(codes) == data.ballots
    assert all(project.title not in html for project in data.winners)
    assert "45 stembiljetten zijn geteld." in _text(html)

    download = client.get(f"/uitslag/{rid}/stembewijzen.txt")
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["Content-Disposition"] == f'attachment; filename="round-{rid}-receipts.txt"'
    assert download.get_data(as_text=True) == "".join(f"{code}\n" for code in stored)


@pytest.mark.parametrize("typed", ["K7QM-9XRT-CAWF", "k7qm 9xrt cawf", " k7qm9xrtcawf ", "K7QM–9XRT–CAWF"])
def test_check_page_confirms_a_counted_ballot(app: Flask, client: FlaskClient, typed: str) -> None:
    data = _published(app)
    page = client.get("/uitslag/stembewijs", query_string={"round_id": data.round.id, "code": typed})
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Ja, je stem is geteld" in text
    assert "K7QM-9XRT-CAWF" in text


def test_check_page_answers_not_found_for_an_unknown_code(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    other = make_round(phase=Phase.CLOSED)
    cast_votes(other, {make_project(other): 1})
    with service_context(app):
        publish_round(other.id)
    # A real code, but of another round's ballot, is not counted in this round.
    text = _text(
        client.get(
            "/uitslag/stembewijs", query_string={"round_id": other.id, "code": "K7QM-9XRT-CAWF"}
        ).get_data(as_text=True)
    )
    assert "Stembewijscode niet gevonden" in text
    assert "Ja, je stem is geteld" not in text
    assert data.round.title in _text(client.get("/uitslag/stembewijs").get_data(as_text=True))


@pytest.mark.parametrize("typed", ["", "K7QM-9XRT", "O0O0-1111-IIII", "K7QM-9XRT-CAWF-9"])
def test_check_page_explains_malformed_input(app: Flask, client: FlaskClient, typed: str) -> None:
    data = _published(app)
    page = client.get("/uitslag/stembewijs", query_string={"round_id": data.round.id, "code": typed})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert "Ja, je stem is geteld" not in _text(html) and "niet gevonden" not in _text(html)


def test_check_page_form_without_answer_preselects_the_round(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    html = client.get(f"/uitslag/stembewijs?round_id={data.round.id}").get_data(as_text=True)
    assert f'<option selected value="{data.round.id}">' in html
    assert 'method="get"' in html and "csrf_token" not in html.split('method="get"')[1].split("</form>")[0]
    assert "aria-invalid" not in html


def test_check_page_is_rate_limited(app: Flask, db_session) -> None:
    data = _published(app)
    config = TestConfig(database_url_for_tests())
    config.RATELIMIT_ENABLED = True  # the shared test app runs without limits
    limited = create_app(config)
    try:
        client = limited.test_client()
        query = {"round_id": data.round.id, "code": "AAAA-AAAA-AAAA"}
        statuses = [client.get("/uitslag/stembewijs", query_string=query).status_code for _ in range(21)]
        assert client.get("/uitslag/stembewijs").status_code == 200  # showing the empty form is not limited
    finally:
        limiter.enabled = False  # the limiter object is shared by every app in this process
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
