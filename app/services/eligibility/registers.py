"""The voter register of a round: import it from the municipality's CSV, summarise it, clear it.

Rules:
- Only rounds whose eligibility uses a register (letter codes, register match) have one; only organisers (or
  the command line, actor None) import or clear it, and only before voting opens: from then on it is frozen.
- The register holds no names: a file with a name or BSN column is refused as a whole (`app.register_csv`).
- Every bad line is reported with its line number and reason and the good lines are kept; a reference that
  is already in the register (from this file or an earlier upload) is reported, never stored twice (and the
  unique constraint (round, reference) is the last word). A second upload adds to the register.
- Persons younger than the round's minimum age on the day voting opens are left out with a reason; a
  person-level register of a register-match round needs every birth date.

`start_register_import` checks the header and stores the upload (one transaction); `process_register_import`
(the Celery task and the CLI) works through it in chunks, each chunk ONE transaction that inserts its rows and
advances `processed_lines` together, so a crashed run resumes after the last committed chunk without
duplicates and a finished import is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel.speaklater import LazyString
from sqlalchemy import String, Table, delete, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db
from app.models import (
    Buurt,
    Eligibility,
    JobStatus,
    RegisterEntry,
    RegisterImport,
    RegisterLevel,
    RegisterMatch,
    Round,
    User,
    VotingCode,
)
from app.models.base import utcnow
from app.register_csv import LineError, RegisterFile, RegisterFileError, RegisterRow, RegisterRules
from app.services.audit import record_event
from app.services.eligibility.open_rounds import voting_start_date
from app.services.eligibility.register_messages import reason_text
from app.services.errors import NotFound, RuleViolation
from app.services.jobs import enqueue_job
from app.services.rounds.wijken import require_organiser
from app.translated import lazy_gettext as _l

REGISTER_TABLE: Table = RegisterEntry.__table__
IMPORT_TASK = "wijkbudget.import_register"
MAX_REGISTER_MB = 20
MAX_REGISTER_CHARS = MAX_REGISTER_MB * 1024 * 1024
CHUNK_SIZE = 10_000  # lines per transaction: 10 progress steps for 100,000 lines
ERRORS_KEPT = 500  # rejected lines stored with their reason; `RegisterImport.rejected` has the full count
UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
FINISHED = (JobStatus.DONE.value, JobStatus.FAILED.value)


class RegisterFileRefused(RuleViolation):
    """The file cannot be used at all; `code` is the reason code from `app.register_csv`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(LazyString(reason_text, code, detail), field="file")
        self.code = code
        self.detail = detail


def uses_register(rnd: Round) -> bool:
    return rnd.eligibility in (Eligibility.LETTER_CODES.value, Eligibility.REGISTER_MATCH.value)


def rules_for(rnd: Round, buurten: dict[str, int]) -> RegisterRules:
    """What a line must meet in this round (see the module rules)."""
    person = rnd.register_level == RegisterLevel.PERSON.value
    return RegisterRules(
        person_level=person,
        min_age=rnd.min_age if person else 0,
        age_on=voting_start_date(rnd),
        birth_date_required=person and rnd.eligibility == Eligibility.REGISTER_MATCH.value,
        buurten=buurten,
    )


def refuse_register_change(rnd: Round) -> None:
    """Raise unless the round's register may still change: a register round before voting opens."""
    if rnd.kaders_frozen:
        raise RuleViolation(
            _l("Voting has opened, so the register of this round is fixed and can no longer change.")
        )
    if not uses_register(rnd):
        raise RuleViolation(
            _l(
                "This round does not use a register: anyone in the neighbourhood may vote. "
                "Change who may vote in the rules of the round first."
            )
        )


def start_register_import(
    actor: User | None, round_id: int, filename: str, text: str, *, in_background: bool = True
) -> RegisterImport:
    """Check the file's header and queue it for import (status QUEUED); audited as "register.upload".

    Refused (RegisterFileRefused, nothing stored) when the file is too large, is no usable CSV or has a name
    or BSN column; refused (RuleViolation) once voting opens or when the round uses no register.
    With `in_background` the job `wijkbudget.import_register` does the import after this commit; without it
    the caller imports (`process_register_import`, the command line).
    """
    if actor is not None:
        require_organiser(actor)
    rnd = _lock_round(round_id)
    try:
        refuse_register_change(rnd)
        register_file = _usable_file(rnd, text)
        total_lines = register_file.count_lines()
        if total_lines == 0:
            raise RegisterFileRefused("no_lines")
    except RuleViolation:
        db.session.rollback()
        raise
    job = RegisterImport(
        round_id=rnd.id,
        uploaded_by_id=actor.id if actor else None,
        filename=filename[:255],
        status=JobStatus.QUEUED.value,
        source=register_file.text,
        total_lines=total_lines,
        errors=[],
    )
    db.session.add(job)
    db.session.flush()
    record_event(
        actor,
        "register.upload",
        round_id=rnd.id,
        subject=f"register import {job.id}",
        details={"import_id": job.id, "filename": job.filename, "lines": job.total_lines},
    )
    if in_background:
        enqueue_job(IMPORT_TASK, job.id, round_id=rnd.id)
    db.session.commit()
    return job


def _usable_file(rnd: Round, text: str) -> RegisterFile:
    if len(text) > MAX_REGISTER_CHARS:
        raise RegisterFileRefused("too_large", str(MAX_REGISTER_MB))
    try:
        register_file = RegisterFile(text)
    except RegisterFileError as error:
        raise RegisterFileRefused(error.code, error.detail) from None
    rules = rules_for(rnd, {})
    if rules.birth_date_required and not register_file.has_column("birth_date"):
        raise RegisterFileRefused("birth_date_column_missing")
    return register_file


ProgressCallback = Callable[[RegisterImport], None]


def process_register_import(
    import_id: int, *, chunk_size: int | None = None, on_progress: ProgressCallback | None = None
) -> RegisterImport:
    """Import the lines of a queued upload in chunks (see the module docstring); returns the finished job.

    Idempotent: a DONE or FAILED import is returned untouched; a RUNNING one (a crashed run) resumes after
    the last committed chunk. Stops with status FAILED when voting opened or the register was cleared
    meanwhile. `source` is cleared when the import finishes either way.
    """
    job = db.session.get(RegisterImport, import_id)
    if job is None:
        raise NotFound(_l("This import does not exist."))
    if job.status in FINISHED:
        return job
    rnd = db.session.get(Round, job.round_id)
    assert rnd is not None  # the import row is deleted with its round
    try:
        register_file = RegisterFile(job.source or "")
    except RegisterFileError as error:
        return _fail(job.id, error.code)
    rules = rules_for(rnd, _buurt_ids(rnd))
    chunk_size = chunk_size or CHUNK_SIZE
    seen: dict[str, int] = {}
    chunk: list[tuple[int, list[str]]] = []
    for line in register_file.lines(skip=job.processed_lines):
        if len(chunk) == chunk_size:  # stored only once another line follows, so the last chunk knows it
            job = _store_chunk(job.id, register_file, rules, chunk, seen, last=False)
            chunk = []
            if job.status in FINISHED:
                return job
            if on_progress:
                on_progress(job)
        chunk.append(line)
    job = _store_chunk(job.id, register_file, rules, chunk, seen, last=True)
    if on_progress:
        on_progress(job)
    return job


def _store_chunk(
    import_id: int,
    register_file: RegisterFile,
    rules: RegisterRules,
    chunk: Sequence[tuple[int, list[str]]],
    seen: dict[str, int],
    *,
    last: bool,
) -> RegisterImport:
    """Check and insert one chunk and advance the progress, in one transaction under the round's lock."""
    # Round first, then the import: the order `clear_register` takes them in, so the two cannot deadlock.
    round_id = db.session.scalar(select(RegisterImport.round_id).where(RegisterImport.id == import_id))
    rnd = _lock_round(round_id if round_id is not None else -1)
    job = _lock_import(import_id)
    if job.status in FINISHED:  # cleared (cancelled) meanwhile
        db.session.rollback()
        return job
    if rnd.kaders_frozen:
        db.session.rollback()
        return _fail(import_id, "voting_opened")
    rows, errors = _check_chunk(register_file, rules, chunk, seen, rnd.id)
    if rows:
        _insert_entries(rnd.id, rows)
    job.status = JobStatus.RUNNING.value
    job.processed_lines += len(chunk)
    job.imported += len(rows)
    job.rejected += len(errors)
    room = ERRORS_KEPT - len(job.errors or [])
    if room > 0 and errors:
        job.errors = [*(job.errors or []), *(_stored_error(e) for e in errors[:room])]
    if last:
        _finish(job, JobStatus.DONE)
        record_event(
            None,
            "register.imported",
            round_id=rnd.id,
            subject=f"register import {job.id}",
            details={"import_id": job.id, "imported": job.imported, "rejected": job.rejected},
        )
    db.session.commit()
    return job


def _check_chunk(
    register_file: RegisterFile,
    rules: RegisterRules,
    chunk: Sequence[tuple[int, list[str]]],
    seen: dict[str, int],
    round_id: int,
) -> tuple[list[RegisterRow], list[LineError]]:
    rows: list[RegisterRow] = []
    errors: list[LineError] = []
    for line, cells in chunk:
        checked = register_file.check_line(line, cells, rules)
        if isinstance(checked, LineError):
            errors.append(checked)
        elif checked.reference in seen:
            errors.append(LineError(line, "reference_twice", str(seen[checked.reference])))
        else:
            seen[checked.reference] = line
            rows.append(checked)
    stored = _stored_references(round_id, [row.reference for row in rows])
    if stored:
        errors.extend(LineError(row.line, "reference_stored") for row in rows if row.reference in stored)
        rows = [row for row in rows if row.reference not in stored]
        errors.sort(key=lambda e: e.line)
    return rows, errors


def _stored_references(round_id: int, references: list[str]) -> set[str]:
    if not references:
        return set()
    in_round = RegisterEntry.round_id == round_id
    if db.session.get_bind().dialect.name == "postgresql":
        # One array parameter instead of thousands of bound values: far cheaper to send and plan.
        match = RegisterEntry.reference == func.any(literal(references, ARRAY(String)))
    else:
        match = RegisterEntry.reference.in_(references)
    return set(db.session.scalars(select(RegisterEntry.reference).where(in_round, match)))


ENTRY_COLUMNS = (
    "round_id",
    "reference",
    "postcode",
    "house_number",
    "house_number_addition",
    "birth_date",
    "buurt_id",
    "confidential",
)


def _insert_entries(round_id: int, rows: Sequence[RegisterRow]) -> None:
    """Insert a chunk inside the session's transaction, the fastest way each database offers: COPY on
    PostgreSQL, one executemany on SQLite. SQLAlchemy's per-row parameter processing would cost more than
    the insert itself at 100,000 rows."""
    values = [
        (
            round_id,
            r.reference,
            r.postcode,
            r.house_number,
            r.addition,
            r.birth_date,
            r.buurt_id,
            r.confidential,
        )
        for r in rows
    ]
    connection = db.session.connection()
    columns = ", ".join(ENTRY_COLUMNS)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {REGISTER_TABLE.name} ({columns}) FROM STDIN") as copy,
        ):
            for value in values:
                copy.write_row(value)
        return
    # SQLAlchemy's Date stores ISO text on SQLite.
    sqlite_values = [(*v[:5], v[5].isoformat() if v[5] else None, *v[6:]) for v in values]
    markers = ", ".join("?" * len(ENTRY_COLUMNS))
    sql = f"INSERT INTO {REGISTER_TABLE.name} ({columns}) VALUES ({markers})"  # noqa: S608 - constants only
    connection.exec_driver_sql(sql, sqlite_values)


def _stored_error(error: LineError) -> dict[str, Any]:
    return {"line": error.line, "code": error.code, "detail": error.detail[:100]}


def _finish(job: RegisterImport, status: JobStatus, failure: str | None = None) -> None:
    job.status = status.value
    job.failure = failure
    job.source = None  # the uploaded file is kept only until it has been read
    job.finished_at = utcnow()


def _fail(import_id: int, code: str) -> RegisterImport:
    job = _lock_import(import_id)
    if job.status not in FINISHED:
        _finish(job, JobStatus.FAILED, code)
        record_event(
            None,
            "register.import_failed",
            round_id=job.round_id,
            subject=f"register import {job.id}",
            details={"import_id": job.id, "reason": code},
        )
    db.session.commit()
    return job


def give_up_import(import_id: int) -> None:
    """Leave a visible FAILED state when the task gives up after its retries."""
    db.session.rollback()
    if db.session.get(RegisterImport, import_id) is not None:
        _fail(import_id, "gave_up")


def _buurt_ids(rnd: Round) -> dict[str, int]:
    buurten = db.session.scalars(select(Buurt).where(Buurt.wijk_id == rnd.wijk_id)).all()
    return {" ".join(b.name.split()).lower(): b.id for b in buurten}


def _lock_round(round_id: int) -> Round:
    rnd = db.session.scalar(
        select(Round).where(Round.id == round_id).with_for_update().execution_options(populate_existing=True)
    )
    if rnd is None:
        db.session.rollback()
        raise NotFound(_l("This round does not exist."))
    return rnd


def _lock_import(import_id: int) -> RegisterImport:
    job = db.session.scalar(
        select(RegisterImport)
        .where(RegisterImport.id == import_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job is None:
        db.session.rollback()
        raise NotFound(_l("This import does not exist."))
    return job


# --- clearing and summary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterSummary:
    entries: int
    confidential: int
    with_birth_date: int
    by_buurt: list[tuple[str | None, int]]  # (buurt name or None, entries), largest first
    codes: int
    matches: int


def register_summary(round_id: int) -> RegisterSummary:
    """How many entries the round's register holds, by buurt, and how many are confidential."""
    in_round = RegisterEntry.round_id == round_id
    entries, confidential, with_birth = db.session.execute(
        select(
            func.count(RegisterEntry.id),
            func.count(RegisterEntry.id).filter(RegisterEntry.confidential.is_(True)),
            func.count(RegisterEntry.birth_date),
        ).where(in_round)
    ).one()
    by_buurt = db.session.execute(
        select(Buurt.name, func.count(RegisterEntry.id))
        .select_from(RegisterEntry)
        .outerjoin(Buurt, Buurt.id == RegisterEntry.buurt_id)
        .where(in_round)
        .group_by(Buurt.name)
        .order_by(func.count(RegisterEntry.id).desc(), Buurt.name.is_(None), Buurt.name)
    ).all()
    codes = db.session.scalar(select(func.count(VotingCode.id)).where(VotingCode.round_id == round_id))
    matches = db.session.scalar(
        select(func.count(RegisterMatch.id)).where(RegisterMatch.round_id == round_id)
    )
    return RegisterSummary(
        entries=entries,
        confidential=confidential,
        with_birth_date=with_birth,
        by_buurt=[(name, n) for name, n in by_buurt],
        codes=codes or 0,
        matches=matches or 0,
    )


def recent_imports(round_id: int, limit: int = 20) -> list[RegisterImport]:
    return list(
        db.session.scalars(
            select(RegisterImport)
            .where(RegisterImport.round_id == round_id)
            .order_by(RegisterImport.id.desc())
            .limit(limit)
        )
    )


def register_in_use(round_id: int) -> bool:
    """True while the round has register entries or an unfinished import (its kaders depend on them)."""
    has_entries = db.session.scalar(
        select(RegisterEntry.id).where(RegisterEntry.round_id == round_id).limit(1)
    )
    unfinished = db.session.scalar(
        select(RegisterImport.id)
        .where(RegisterImport.round_id == round_id, RegisterImport.status.in_(UNFINISHED))
        .limit(1)
    )
    return has_entries is not None or unfinished is not None


def clear_register(actor: User | None, round_id: int) -> int:
    """Delete the round's whole register (with its letter codes and account matches) before voting opens.

    Unfinished imports are stopped (status FAILED, their file dropped), so nothing is added afterwards.
    Returns the number of entries deleted; audited as "register.cleared".
    """
    if actor is not None:
        require_organiser(actor)
    rnd = _lock_round(round_id)
    if rnd.kaders_frozen:
        db.session.rollback()
        raise RuleViolation(
            _l("Voting has opened, so the register of this round is fixed and can no longer change.")
        )
    for job in db.session.scalars(
        select(RegisterImport).where(RegisterImport.round_id == rnd.id, RegisterImport.status.in_(UNFINISHED))
    ):
        _finish(job, JobStatus.FAILED, "cleared")
    counts = delete_register_rows(rnd.id, keep_imports=True)
    record_event(actor, "register.cleared", round_id=rnd.id, subject=f"round {rnd.id}", details=counts)
    db.session.commit()
    return counts["entries"]


def delete_register_rows(round_id: int, *, keep_imports: bool) -> dict[str, int]:
    """Delete codes, matches and entries (and, unless kept, import rows) of a round; no commit."""
    counts = {}
    tables: list[tuple[str, Any]] = [
        ("codes", VotingCode),
        ("matches", RegisterMatch),
        ("entries", RegisterEntry),
    ]
    if not keep_imports:
        tables.append(("imports", RegisterImport))
    for name, model in tables:
        result = db.session.execute(
            delete(model).where(model.round_id == round_id).execution_options(synchronize_session=False)
        )
        counts[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return counts
