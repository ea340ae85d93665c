"""Organiser pages for letter codes: make letters, download each file once, re-issue and desk codes."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CodeBatch, Phase, Role, VotingCode
from app.services.voting.voter_keys import voting_code_hash
from tests.factories import login, make_letter_code_round, make_register_entry, make_user


@pytest.fixture(autouse=True)
def _letters_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(tmp_path / "letters"))


@pytest.fixture
def organiser_client(client, db_session):
    login(client, make_user(Role.ORGANISER))
    return client


def test_make_letters_then_download_each_file_once(organiser_client, db_session):
    rnd = make_letter_code_round()
    for _ in range(3):
        make_register_entry(rnd)
    started = organiser_client.post(f"/organiseren/ronde/{rnd.id}/stemcodes/maken")
    assert started.status_code == 302  # the task ran in-process (no broker in tests)
    batch = db.session.scalars(select(CodeBatch).where(CodeBatch.round_id == rnd.id)).one()
    assert batch.status == "done"
    page = organiser_client.get(f"/organiseren/ronde/{rnd.id}/stemcodes").get_data(as_text=True)
    assert "Brieven (pdf)" in page and "Samenvoegbestand (csv)" in page

    pdf = organiser_client.post(f"/organiseren/stemcodes/batch/{batch.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.get_data())).pages) == 3
    assert pdf.headers["Cache-Control"] == "no-store"
    again = organiser_client.post(f"/organiseren/stemcodes/batch/{batch.id}/pdf")
    assert again.status_code == 410
    assert "Geef die bewoners dan een nieuwe code" in again.get_data(as_text=True)
    csv_file = organiser_client.post(f"/organiseren/stemcodes/batch/{batch.id}/csv")
    assert csv_file.status_code == 200 and csv_file.get_data(as_text=True).count("\n") == 4


def test_reissue_shows_the_new_code_once_and_prints_one_letter(app, organiser_client, db_session):
    rnd = make_letter_code_round(phase=Phase.VOTING)
    entry = make_register_entry(rnd, postcode="3512AB", house_number=5)
    found = organiser_client.get(f"/organiseren/ronde/{rnd.id}/stemcodes?postcode=3512+ab&house_number=5")
    assert entry.reference in found.get_data(as_text=True)

    shown = organiser_client.post(
        f"/organiseren/ronde/{rnd.id}/stemcodes/uitgeven", data={"reference": entry.reference, "via": "desk"}
    )
    assert shown.status_code == 200
    stored = db.session.scalars(select(VotingCode).where(VotingCode.register_entry_id == entry.id)).one()
    assert stored.issued_via == "desk"
    page = shown.get_data(as_text=True)
    printed = next(
        word
        for word in page.replace("<", " ").replace(">", " ").split()
        if word.count("-") == 4 and len(word) == 24
    )
    with app.app_context():
        assert voting_code_hash(printed.replace("-", "")) == stored.code_hash

    letter = organiser_client.post(
        f"/organiseren/ronde/{rnd.id}/stemcodes/brief", data={"entry_id": entry.id, "code": printed}
    )
    assert letter.status_code == 200
    assert printed in PdfReader(io.BytesIO(letter.get_data())).pages[0].extract_text()
    printed_events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.round_id == rnd.id, AuditEvent.action == "codes.letter_printed")
    ).all()
    assert [e.subject for e in printed_events] == [f"register {entry.reference}"]
    assert printed.replace("-", "") not in str(printed_events[0].details)
    forged = organiser_client.post(
        f"/organiseren/ronde/{rnd.id}/stemcodes/brief", data={"entry_id": entry.id, "code": "0" * 20}
    )
    assert forged.status_code in (400, 409)


def test_refusals_are_explained(organiser_client, db_session):
    rnd = make_letter_code_round(phase=Phase.VOTING)
    make_register_entry(rnd)
    refused = organiser_client.post(f"/organiseren/ronde/{rnd.id}/stemcodes/maken")
    assert refused.status_code == 409
    assert "Het stemmen is begonnen" in refused.get_data(as_text=True)
    unknown = organiser_client.post(
        f"/organiseren/ronde/{rnd.id}/stemcodes/uitgeven", data={"reference": "nobody", "via": "reissue"}
    )
    assert unknown.status_code == 404


def test_only_organisers(client, db_session):
    rnd = make_letter_code_round()
    login(client, make_user(Role.RESIDENT, wijk=rnd.wijk))
    assert client.get(f"/organiseren/ronde/{rnd.id}/stemcodes").status_code == 403
    assert client.post(f"/organiseren/ronde/{rnd.id}/stemcodes/maken").status_code == 403
