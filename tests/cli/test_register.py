"""`wijkbudget register import ROUND_ID FILE.csv`: the same import from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.cli.register import register_command
from app.extensions import db
from app.models import Eligibility, Phase, RegisterEntry, RegisterImport
from app.services.eligibility import registers
from tests.factories import make_round


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(register_command, ["import", *args])


def test_imports_prints_progress_and_bad_lines(
    app: Flask, db_session: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registers, "CHUNK_SIZE", 5000)
    rnd = make_round(eligibility=Eligibility.LETTER_CODES.value)
    csv_file = tmp_path / "register.csv"
    lines = "".join(f"R{i},1234AB,{i}\n" for i in range(1, 6001))
    csv_file.write_text("reference,postcode,house number\n" + lines + "X,1234SS,1\n", encoding="utf-8-sig")
    result = run(app, str(rnd.id), str(csv_file))
    assert result.exit_code == 0, result.output + result.stderr
    assert "done: 6000 imported, 1 rejected" in result.output
    assert "5000/6001 lines read" in result.stderr
    assert "line 6002: “1234SS” is not a Dutch postcode: SA, SD and SS are never used." in result.stderr
    assert len(db.session.scalars(select(RegisterEntry.id)).all()) == 6000
    assert db.session.scalars(select(RegisterImport.source)).one() is None


def test_dutch_output_on_request(app: Flask, db_session: object, tmp_path: Path) -> None:
    rnd = make_round(eligibility=Eligibility.LETTER_CODES.value)
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("referentie;postcode;huisnummer\nR1;0123AB;1\n")
    result = run(app, str(rnd.id), str(csv_file), "--lang", "nl")
    assert result.exit_code == 0
    assert "“0123AB” is geen Nederlandse postcode" in result.stderr


def test_an_unusable_file_exits_with_1(app: Flask, db_session: object, tmp_path: Path) -> None:
    rnd = make_round(eligibility=Eligibility.LETTER_CODES.value)
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("referentie;achternaam;postcode;huisnummer\nR1;Jansen;1234AB;1\n")
    result = run(app, str(rnd.id), str(csv_file))
    assert result.exit_code == 1
    assert "holds names" in result.stderr
    not_utf8 = tmp_path / "latin.csv"
    not_utf8.write_bytes("referentie;postcode;huisnummer\nR1;1234AB;1 é\n".encode("latin-1"))
    assert run(app, str(rnd.id), str(not_utf8)).exit_code == 1
    assert db_session.query(RegisterImport).count() == 0  # type: ignore[attr-defined]


def test_refused_once_voting_opens(app: Flask, db_session: object, tmp_path: Path) -> None:
    rnd = make_round(phase=Phase.VOTING, eligibility=Eligibility.LETTER_CODES.value)
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("referentie;postcode;huisnummer\nR1;1234AB;1\n")
    result = run(app, str(rnd.id), str(csv_file))
    assert result.exit_code == 1
    assert "Voting has opened" in result.stderr
