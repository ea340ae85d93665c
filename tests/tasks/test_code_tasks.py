"""The letter-code job and its command-line twin."""

from __future__ import annotations

from pypdf import PdfReader
from sqlalchemy import select

from app.cli.codes import codes_command
from app.extensions import db
from app.models import CodeBatch, Role
from app.services.codes import batches as code_batches
from tasks import codes as code_tasks
from tests.factories import make_letter_code_round, make_register_entry, make_user


def test_the_task_generates_a_batch_and_is_idempotent(app, db_session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(tmp_path))
    with app.app_context():
        rnd = make_letter_code_round()
        for _ in range(4):
            make_register_entry(rnd)
        batch = code_batches.start_code_batch(make_user(Role.ORGANISER), rnd.id)
        assert code_tasks.generate_codes(batch.id) == 4
        pdf_before = code_batches.batch_file(batch.id, "pdf").read_bytes()
        assert code_tasks.generate_codes(batch.id) == 4  # done: nothing changes
        assert code_batches.batch_file(batch.id, "pdf").read_bytes() == pdf_before
        assert code_tasks.generate_codes.name == "wijkbudget.generate_codes"


def test_the_command_writes_the_files_where_asked_and_never_in_the_instance_folder(
    app, db_session, tmp_path, monkeypatch
):
    letters_dir = tmp_path / "instance-letters"
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(letters_dir))
    with app.app_context():
        rnd = make_letter_code_round()
        for _ in range(3):
            make_register_entry(rnd)
        round_id = rnd.id
    out, csv_out = tmp_path / "letters.pdf", tmp_path / "letters.csv"
    result = app.test_cli_runner().invoke(
        codes_command, ["generate", str(round_id), "--out", str(out), "--csv", str(csv_out)]
    )
    assert result.exit_code == 0, result.output
    assert "3" in result.output
    assert len(PdfReader(out).pages) == 3
    assert len(csv_out.read_text().splitlines()) == 4
    assert not letters_dir.exists()
    with app.app_context():
        batch = db.session.scalars(select(CodeBatch).where(CodeBatch.round_id == round_id)).one()
        assert batch.pdf_downloaded_at is not None  # handed over: nothing to download on the web

    again = app.test_cli_runner().invoke(codes_command, ["generate", str(round_id), "--out", str(out)])
    assert again.exit_code != 0 and "al een code" in again.output
