"""Letter-code batches: which entries get codes, the printable files, and that plain codes stay out of the
database and the logs."""

from __future__ import annotations

import csv
import io
import logging
import stat
from pathlib import Path

import pytest
from flask import current_app
from pypdf import PdfReader
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent, CodeBatch, CodeStatus, Phase, Role, VotingCode
from app.services.codes import batches as code_batches
from app.services.codes.letters import CSV_HEADER
from app.services.errors import NotAllowed, RuleViolation
from app.services.voting.voter_keys import format_voting_code, normalise_voting_code, voting_code_hash
from tests.factories import give_code, make_letter_code_round, make_register_entry, make_round, make_user


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def letters_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(tmp_path / "letters"))
    return tmp_path / "letters"


@pytest.fixture
def organiser(db_session):
    return make_user(Role.ORGANISER)


def _codes_in_pdf(path: Path) -> list[str]:
    found = []
    for page in PdfReader(path).pages:
        for word in page.extract_text().split():
            compact = normalise_voting_code(word)
            if compact is not None and word == format_voting_code(compact):
                found.append(compact)
    return found


def _codes_in_csv(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["voting_code"].replace("-", "") for r in rows]


def test_a_batch_gives_every_entry_without_a_live_code_one_letter(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    entries = [make_register_entry(rnd) for _ in range(12)]
    make_register_entry(rnd, confidential=True)  # gets a code only at the desk
    give_code(entries[0])  # already has a live code: no second letter

    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    assert batch.total == 11
    outcome = code_batches.generate_codes(batch.id)

    assert outcome.generated == 11
    pdf_codes = _codes_in_pdf(code_batches.batch_file(batch.id, "pdf"))
    csv_codes = _codes_in_csv(code_batches.batch_file(batch.id, "csv"))
    stored = set(db.session.scalars(select(VotingCode.code_hash).where(VotingCode.batch_id == batch.id)))
    assert len(pdf_codes) == len(set(pdf_codes)) == 11  # every code exactly once
    assert sorted(csv_codes) == sorted(pdf_codes)
    assert {voting_code_hash(c) for c in pdf_codes} == stored
    assert len(PdfReader(code_batches.batch_file(batch.id, "pdf")).pages) == 11
    assert db.session.get(CodeBatch, batch.id).status == "done"


def test_each_letter_names_the_address_key_and_round_in_both_languages(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    make_register_entry(
        rnd, reference="GEM-0042", postcode="3512AB", house_number=7, house_number_addition="bis"
    )
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    code_batches.generate_codes(batch.id)

    page = PdfReader(code_batches.batch_file(batch.id, "pdf")).pages[0].extract_text()
    assert "GEM-0042" in page
    assert "3512 AB 7-bis" in page
    assert rnd.title in page and rnd.wijk.name in page
    assert "Zo stem je" in page and "How to vote" in page
    rows = list(csv.reader(io.StringIO(code_batches.batch_file(batch.id, "csv").read_text())))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1][:4] == ["GEM-0042", "3512AB", "7", "bis"]
    base = current_app.config["PUBLIC_BASE_URL"]
    assert rows[1][5] == f"{base}/stemmen/code?code={rows[1][4].replace('-', '')}"


def test_no_plain_code_reaches_the_database_or_the_logs(db_session, organiser, letters_dir, caplog):
    rnd = make_letter_code_round()
    for _ in range(20):
        make_register_entry(rnd)
    caplog.set_level(logging.DEBUG)
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    code_batches.generate_codes(batch.id)
    codes = _codes_in_csv(code_batches.batch_file(batch.id, "csv"))
    assert len(codes) == 20

    dump = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608 - our own table names
            dump.append(" ".join(str(value) for value in row))
    everything = "\n".join(dump).upper().replace("-", "")
    logs = "\n".join(record.getMessage() for record in caplog.records).upper().replace("-", "")
    for code in codes:
        assert code not in everything
        assert code not in logs
    assert voting_code_hash(codes[0]) in "\n".join(dump)  # the dump did include the codes table


def test_files_are_private(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    make_register_entry(rnd)
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    code_batches.generate_codes(batch.id)
    folder = code_batches.batch_folder(batch.id)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for kind in ("pdf", "csv"):
        assert stat.S_IMODE(code_batches.batch_file(batch.id, kind).stat().st_mode) == 0o600


def test_running_generation_again_keeps_one_set_of_codes(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    for _ in range(5):
        make_register_entry(rnd)
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    # An earlier attempt died half-way: its codes were committed but never handed over.
    batch.status = "running"
    db.session.commit()
    code_batches.generate_codes(batch.id)
    first = set(_codes_in_csv(code_batches.batch_file(batch.id, "csv")))
    db.session.get(CodeBatch, batch.id).status = "running"
    db.session.commit()
    code_batches.generate_codes(batch.id)  # starts over
    second = set(_codes_in_csv(code_batches.batch_file(batch.id, "csv")))
    assert len(second) == 5 and not first & second
    stored = set(db.session.scalars(select(VotingCode.code_hash).where(VotingCode.round_id == rnd.id)))
    assert stored == {voting_code_hash(c) for c in second}

    outcome = code_batches.generate_codes(batch.id)  # finished: left alone
    assert outcome.generated == 5
    assert set(_codes_in_csv(code_batches.batch_file(batch.id, "csv"))) == second


@pytest.mark.parametrize(
    ("kaders", "message"),
    [
        ({"eligibility": "open"}, "werkt niet met stemcodes"),
        ({"eligibility": "letter_codes", "phase": Phase.VOTING}, "Het stemmen is begonnen"),
    ],
)
def test_batches_only_for_letter_code_rounds_before_voting(db_session, organiser, kaders, message):
    phase = kaders.pop("phase", Phase.REVIEW)
    rnd = make_round(phase=phase, **kaders)
    make_register_entry(rnd)
    with pytest.raises(RuleViolation, match=message):
        code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    assert db.session.scalar(select(CodeBatch.id).where(CodeBatch.round_id == rnd.id)) is None


def test_one_batch_at_a_time_and_only_organisers(db_session, organiser):
    rnd = make_letter_code_round()
    make_register_entry(rnd)
    with pytest.raises(NotAllowed):
        code_batches.start_code_batch(make_user(Role.RESIDENT), rnd.id, in_background=False)
    code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    with pytest.raises(RuleViolation, match="worden al gemaakt"):
        code_batches.start_code_batch(organiser, rnd.id, in_background=False)


def test_voting_opening_before_generation_fails_the_batch_visibly(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    make_register_entry(rnd)
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    rnd.phase = Phase.VOTING.value
    db.session.commit()
    with pytest.raises(RuleViolation):
        code_batches.generate_codes(batch.id)
    failed = db.session.get(CodeBatch, batch.id)
    assert failed.status == "failed" and "Het stemmen begon" in failed.failure
    assert db.session.scalar(select(VotingCode.id).where(VotingCode.round_id == rnd.id)) is None


def test_each_file_is_handed_over_once_then_deleted(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    make_register_entry(rnd)
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    code_batches.generate_codes(batch.id)

    path = code_batches.take_batch_file(organiser, batch.id, "pdf")
    assert path.exists()
    code_batches.discard_sent_file(batch.id, "pdf")
    with pytest.raises(code_batches.FileGone, match="nieuwe code"):
        code_batches.take_batch_file(organiser, batch.id, "pdf")
    assert db.session.get(CodeBatch, batch.id).pdf_downloaded_at is not None
    code_batches.take_batch_file(organiser, batch.id, "csv")
    code_batches.discard_sent_file(batch.id, "csv")
    assert not code_batches.batch_folder(batch.id).exists()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.round_id == rnd.id)).all()
    assert {
        "codes.batch_started",
        "codes.batch_generated",
        "codes.pdf_downloaded",
        "codes.csv_downloaded",
    } <= set(actions)


def test_codes_are_active_letter_codes(db_session, organiser, letters_dir):
    rnd = make_letter_code_round()
    make_register_entry(rnd)
    batch = code_batches.start_code_batch(organiser, rnd.id, in_background=False)
    code_batches.generate_codes(batch.id)
    code = db.session.scalars(select(VotingCode).where(VotingCode.batch_id == batch.id)).one()
    assert (code.status, code.issued_via) == (CodeStatus.ACTIVE.value, "letter")
