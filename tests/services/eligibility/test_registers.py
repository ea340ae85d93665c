"""The register import service: start, chunked processing, duplicates, idempotence, freeze, clearing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    Eligibility,
    JobStatus,
    Phase,
    RegisterEntry,
    RegisterImport,
    RegisterMatch,
    Role,
    Round,
    VotingCode,
)
from app.services.eligibility import registers
from app.services.eligibility.registers import (
    RegisterFileRefused,
    clear_register,
    process_register_import,
    register_summary,
    start_register_import,
)
from app.services.errors import NotAllowed, RuleViolation
from app.services.rounds.kaders import settings_of, update_round
from app.services.rounds.wijken import InvalidFields
from tests.factories import make_round, make_user, make_wijk

HEADER = "referentie;postcode;huisnummer;toevoeging;geboortedatum;buurt;geheim\n"


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def register_round(phase: Phase = Phase.PROPOSALS, **kaders: Any) -> Round:
    kaders.setdefault("eligibility", Eligibility.LETTER_CODES.value)
    return make_round(make_wijk(buurten=("Noord", "Zuid")), phase=phase, **kaders)


def lines(n: int, start: int = 1) -> str:
    return "".join(f"R{i};1234AB;{i};;1980-01-01;Noord;nee\n" for i in range(start, start + n))


def import_text(rnd: Round, text: str, **options: Any) -> RegisterImport:
    job = start_register_import(make_user(Role.ORGANISER), rnd.id, "register.csv", text, in_background=False)
    return process_register_import(job.id, **options)


def references(rnd: Round) -> list[str]:
    return sorted(db.session.scalars(select(RegisterEntry.reference).where(RegisterEntry.round_id == rnd.id)))


# --- starting an import -------------------------------------------------------------------------------


def test_start_queues_the_file_and_counts_its_lines(ctx: None) -> None:
    rnd = register_round()
    organiser = make_user(Role.ORGANISER)
    job = start_register_import(organiser, rnd.id, "wijk.csv", HEADER + lines(3) + "\n", in_background=False)
    assert (job.status, job.total_lines, job.processed_lines, job.uploaded_by_id) == (
        "queued",
        3,
        0,
        organiser.id,
    )
    assert job.source is not None
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.details["lines"]) == ("register.upload", 3)


def test_only_organisers_import(ctx: None) -> None:
    rnd = register_round()
    with pytest.raises(NotAllowed):
        start_register_import(
            make_user(Role.PROFESSIONAL), rnd.id, "r.csv", HEADER + lines(1), in_background=False
        )
    assert db.session.query(RegisterImport).count() == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("referentie;naam;postcode;huisnummer\nR1;Jan;1234AB;1\n", "names"),
        ("referentie;bsn;postcode;huisnummer\nR1;123456782;1234AB;1\n", "bsn"),
        ("referentie;postcode\nR1;1234AB\n", "column_missing"),
        (HEADER, "no_lines"),
    ],
)
def test_an_unusable_file_is_refused_and_nothing_stored(ctx: None, text: str, code: str) -> None:
    rnd = register_round()
    with pytest.raises(RegisterFileRefused) as exc:
        start_register_import(make_user(Role.ORGANISER), rnd.id, "r.csv", text, in_background=False)
    assert exc.value.code == code
    assert db.session.query(RegisterImport).count() == 0
    assert db.session.query(AuditEvent).count() == 0


def test_names_are_refused_with_a_clear_message(ctx: None) -> None:
    rnd = register_round()
    with pytest.raises(RegisterFileRefused) as exc:
        start_register_import(
            make_user(Role.ORGANISER),
            rnd.id,
            "r.csv",
            "referentie;Voornaam;postcode;huisnummer\n",
            in_background=False,
        )
    assert "Voornaam" in str(exc.value.message) and "namen" in str(exc.value.message)


def test_a_person_register_for_register_match_needs_the_birth_date_column(ctx: None) -> None:
    rnd = register_round(eligibility=Eligibility.REGISTER_MATCH.value)
    with pytest.raises(RegisterFileRefused) as exc:
        start_register_import(
            make_user(Role.ORGANISER),
            rnd.id,
            "r.csv",
            "referentie;postcode;huisnummer\nR1;1234AB;1\n",
            in_background=False,
        )
    assert exc.value.code == "birth_date_column_missing"


def test_a_too_large_file_is_refused(ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registers, "MAX_REGISTER_CHARS", 100)
    with pytest.raises(RegisterFileRefused) as exc:
        start_register_import(
            make_user(Role.ORGANISER), register_round().id, "r.csv", HEADER + lines(5), in_background=False
        )
    assert exc.value.code == "too_large"


def test_an_open_round_has_no_register(ctx: None) -> None:
    rnd = register_round(eligibility=Eligibility.OPEN.value)
    with pytest.raises(RuleViolation) as exc:
        start_register_import(
            make_user(Role.ORGANISER), rnd.id, "r.csv", HEADER + lines(1), in_background=False
        )
    assert "geen register" in str(exc.value.message)


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED])
def test_no_import_once_voting_opens(ctx: None, phase: Phase) -> None:
    rnd = register_round(phase=phase)
    with pytest.raises(RuleViolation) as exc:
        start_register_import(
            make_user(Role.ORGANISER), rnd.id, "r.csv", HEADER + lines(1), in_background=False
        )
    assert "ligt het register van deze ronde vast" in str(exc.value.message)
    assert db.session.query(RegisterImport).count() == 0


# --- processing -----------------------------------------------------------------------------------------


def test_good_lines_are_kept_and_bad_lines_reported_with_line_numbers(ctx: None) -> None:
    rnd = register_round()
    text = (
        HEADER
        + "R1;1234 ab;1;a;1980-01-01;noord;ja\n"
        + "R2;0123AB;2;;1980-01-01;;\n"
        + "R3;1234AB;3;;;;\n"
        + "R4;1234AB;4;;2020-01-01;;\n"
        + "R1;1234AB;5;;;;\n"
    )
    job = import_text(rnd, text)
    assert (job.status, job.imported, job.rejected, job.processed_lines) == ("done", 2, 3, 5)
    assert job.source is None and job.finished_at is not None
    assert [(e["line"], e["code"]) for e in job.errors] == [
        (3, "postcode_invalid"),
        (5, "too_young"),
        (6, "reference_twice"),
    ]
    entry = db.session.scalars(select(RegisterEntry).where(RegisterEntry.reference == "R1")).one()
    assert (entry.postcode, entry.house_number, entry.house_number_addition) == ("1234AB", 1, "A")
    assert (entry.buurt.name, entry.confidential, entry.voted_channel) == ("Noord", True, None)
    assert references(rnd) == ["R1", "R3"]


def test_progress_is_reported_per_chunk(ctx: None) -> None:
    rnd = register_round()
    seen: list[tuple[str, int]] = []
    job = import_text(
        rnd,
        HEADER + lines(25),
        chunk_size=10,
        on_progress=lambda j: seen.append((j.status, j.processed_lines)),
    )
    assert seen == [("running", 10), ("running", 20), ("done", 25)]
    assert job.imported == 25


def test_a_second_upload_adds_and_reports_references_already_stored(ctx: None) -> None:
    rnd = register_round()
    import_text(rnd, HEADER + lines(3))
    second = import_text(rnd, HEADER + lines(3, start=3))
    assert (second.imported, second.rejected) == (2, 1)
    assert second.errors == [{"line": 2, "code": "reference_stored", "detail": ""}]
    assert references(rnd) == ["R1", "R2", "R3", "R4", "R5"]


def test_only_the_first_errors_are_kept_but_all_are_counted(
    ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registers, "ERRORS_KEPT", 3)
    rnd = register_round()
    bad = "".join(f"B{i};0000AA;1;;;;\n" for i in range(7))
    job = import_text(rnd, HEADER + bad + lines(2), chunk_size=4)
    assert (job.rejected, len(job.errors), job.imported) == (7, 3, 2)
    assert [e["line"] for e in job.errors] == [2, 3, 4]


def test_a_finished_import_is_not_run_again(ctx: None) -> None:
    rnd = register_round()
    job = import_text(rnd, HEADER + lines(4))
    again = process_register_import(job.id)
    assert (again.status, again.imported, again.processed_lines) == ("done", 4, 4)
    assert len(references(rnd)) == 4
    assert db.session.query(AuditEvent).filter_by(action="register.imported").count() == 1


def test_a_crashed_run_resumes_without_duplicates(ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = register_round()
    job = start_register_import(
        make_user(Role.ORGANISER), rnd.id, "r.csv", HEADER + lines(30), in_background=False
    )
    real_check = registers._check_chunk
    calls = {"n": 0}

    def crash_on_third_chunk(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectionError("worker lost")
        return real_check(*args, **kwargs)

    monkeypatch.setattr(registers, "_check_chunk", crash_on_third_chunk)
    with pytest.raises(ConnectionError):
        process_register_import(job.id, chunk_size=10)
    db.session.rollback()
    half = db.session.get(RegisterImport, job.id)
    assert (half.status, half.processed_lines, half.imported) == ("running", 20, 20)
    assert half.source is not None

    monkeypatch.setattr(registers, "_check_chunk", real_check)
    done = process_register_import(job.id, chunk_size=10)
    assert (done.status, done.processed_lines, done.imported, done.rejected) == ("done", 30, 30, 0)
    assert references(rnd) == sorted(f"R{i}" for i in range(1, 31))


def test_an_import_stops_when_voting_has_opened_meanwhile(ctx: None) -> None:
    rnd = register_round()
    job = start_register_import(
        make_user(Role.ORGANISER), rnd.id, "r.csv", HEADER + lines(3), in_background=False
    )
    rnd.phase = Phase.VOTING.value
    db.session.commit()
    stopped = process_register_import(job.id)
    assert (stopped.status, stopped.failure, stopped.imported) == ("failed", "voting_opened", 0)
    assert stopped.source is None
    assert references(rnd) == []


def test_ages_count_on_the_day_voting_opens_in_dutch_time(ctx: None) -> None:
    # Voting opens 1 June 2026 at 00:30 Dutch time, which is still 31 May in UTC.
    rnd = register_round(min_age=16)
    dates = {"voting_open_at": datetime(2026, 5, 31, 22, 30, tzinfo=UTC)}
    dates["proposals_open_at"] = dates["voting_open_at"] - timedelta(days=20)
    dates["review_open_at"] = dates["voting_open_at"] - timedelta(days=10)
    for name, value in dates.items():
        setattr(rnd, name, value)
    db.session.commit()
    job = import_text(rnd, HEADER + "R1;1234AB;1;;2010-06-01;;\nR2;1234AB;2;;2010-06-02;;\n")
    assert references(rnd) == ["R1"]
    assert job.errors == [{"line": 3, "code": "too_young", "detail": "15"}]


def test_a_household_register_stores_no_birth_dates(ctx: None) -> None:
    rnd = register_round(register_level="household")
    import_text(rnd, HEADER + "H1;1234AB;1;;2020-01-01;;\n")
    assert db.session.scalars(select(RegisterEntry.birth_date)).one() is None


# --- summary, clearing and the kaders that depend on the register ----------------------------------------


def test_summary_by_buurt_and_confidential(ctx: None) -> None:
    rnd = register_round()
    import_text(
        rnd, HEADER + "R1;1234AB;1;;;Noord;ja\nR2;1234AB;2;;;Noord;\nR3;1234AB;3;;;Zuid;\nR4;1234AB;4;;;;\n"
    )
    summary = register_summary(rnd.id)
    assert (summary.entries, summary.confidential) == (4, 1)
    assert summary.by_buurt == [("Noord", 2), ("Zuid", 1), (None, 1)]


def test_clearing_deletes_entries_codes_and_matches_and_stops_running_imports(ctx: None) -> None:
    rnd = register_round()
    import_text(rnd, HEADER + lines(3))
    entry = db.session.scalars(select(RegisterEntry)).first()
    assert entry is not None
    db.session.add(VotingCode(round_id=rnd.id, register_entry_id=entry.id, code_hash="h" * 64))
    db.session.add(RegisterMatch(round_id=rnd.id, user_id=make_user().id, register_entry_id=entry.id))
    db.session.commit()
    waiting = start_register_import(
        make_user(Role.ORGANISER), rnd.id, "r.csv", HEADER + lines(2, start=10), in_background=False
    )

    assert clear_register(make_user(Role.ORGANISER), rnd.id) == 3
    for model in (RegisterEntry, VotingCode, RegisterMatch):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    stopped = db.session.get(RegisterImport, waiting.id)
    assert (stopped.status, stopped.failure, stopped.source) == ("failed", "cleared", None)
    assert process_register_import(waiting.id).imported == 0  # the cancelled upload adds nothing
    assert references(rnd) == []
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "register.cleared")).one()
    assert event.details == {"codes": 1, "matches": 1, "entries": 3}


def test_clearing_is_refused_once_voting_opens(ctx: None) -> None:
    rnd = register_round()
    import_text(rnd, HEADER + lines(2))
    rnd.phase = Phase.VOTING.value
    db.session.commit()
    with pytest.raises(RuleViolation):
        clear_register(make_user(Role.ORGANISER), rnd.id)
    assert len(references(rnd)) == 2
    with pytest.raises(NotAllowed):
        clear_register(make_user(Role.RESIDENT), rnd.id)


@pytest.mark.parametrize(
    ("name", "value"), [("eligibility", "open"), ("register_level", "household"), ("min_age", 16)]
)
def test_the_register_fixes_the_kaders_it_was_checked_against(ctx: None, name: str, value: Any) -> None:
    rnd = register_round()
    import_text(rnd, HEADER + lines(1))
    organiser = make_user(Role.ORGANISER)
    with pytest.raises(InvalidFields) as exc:
        update_round(organiser, rnd.id, dataclasses.replace(settings_of(rnd), **{name: value}))
    assert name in exc.value.errors
    clear_register(organiser, rnd.id)
    update_round(organiser, rnd.id, dataclasses.replace(settings_of(rnd), **{name: value}))
    assert getattr(db.session.get(Round, rnd.id), name) == value


# --- progress is committed per chunk, visible to another connection (the organiser's page) ---------------


def test_progress_is_committed_per_chunk(app: Flask, committed_db: None) -> None:
    with app.test_request_context():
        rnd = register_round()
        job = start_register_import(
            make_user(Role.ORGANISER), rnd.id, "r.csv", HEADER + lines(30), in_background=False
        )
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        seen: list[tuple[int, int]] = []

        def look_from_elsewhere(_: RegisterImport) -> None:
            with other.connect() as conn:
                processed = conn.scalar(
                    select(RegisterImport.processed_lines).where(RegisterImport.id == job.id)
                )
                stored = conn.scalar(select(func.count()).select_from(RegisterEntry))
            seen.append((processed, stored))

        try:
            process_register_import(job.id, chunk_size=10, on_progress=look_from_elsewhere)
        finally:
            other.dispose()
        assert seen == [(10, 10), (20, 20), (30, 30)]
        assert db.session.get(RegisterImport, job.id).status == JobStatus.DONE.value
