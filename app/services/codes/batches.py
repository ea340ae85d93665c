"""Batches of letter codes: start one, generate its codes and printable letters, hand the files over once.

Rules and invariants:
- Only rounds whose eligibility is letter codes get batches, and only until voting opens (the register and
  its codes freeze with the kaders). One batch of a round runs at a time.
- A batch covers every register entry that has no live code and no confidential address (those get a code
  at the desk).
- The plain codes exist only in the printable files: the database gets their keyed hashes, and no log line
  or audit event holds a code. The files live in a private folder (0700, files 0600) under the instance
  path and are deleted once downloaded; each can be downloaded once.
- Generation commits its progress per chunk. Running it again for a batch that did not finish discards the
  earlier attempt's codes and files and starts over, so the files always hold exactly the batch's codes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import CursorResult, delete, exists, func, insert, select, update

from app.extensions import db
from app.models import (
    CodeBatch,
    CodeIssue,
    CodeStatus,
    Eligibility,
    JobStatus,
    RegisterEntry,
    Round,
    User,
    VotingCode,
)
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.codes.letters import Letter, LetterPrinter, write_csv
from app.services.errors import NotFound, RuleViolation
from app.services.jobs import enqueue_job
from app.services.rounds.wijken import require_organiser
from app.services.voting.voter_keys import new_compact_voting_code, voting_code_hasher
from app.translated import lazy_gettext as _l

GENERATE_TASK = "wijkbudget.generate_codes"
CHUNK_SIZE = 5000
FILE_KINDS = ("pdf", "csv")


@dataclass(frozen=True)
class BatchOutcome:
    """What a generation run did, with the time spent on codes (draw, hash, insert) and on the letters."""

    batch_id: int
    generated: int
    codes_seconds: float = 0.0
    letters_seconds: float = 0.0
    codes_cpu_seconds: float = 0.0  # CPU time of this process: what the wall time would be on an idle machine
    letters_cpu_seconds: float = 0.0


class FileGone(RuleViolation):
    """The printable file was already downloaded (or never made): the plain codes are gone for good."""


def letters_root() -> Path:
    """Where batch folders live: `LETTERS_DIR`, by default STORAGE_DIR's `letters`."""
    return Path(current_app.config["LETTERS_DIR"])


def batch_folder(batch_id: int) -> Path:
    return letters_root() / f"batch-{batch_id}"


def batch_file(batch_id: int, kind: str) -> Path:
    return batch_folder(batch_id) / f"letters.{kind}"


def letter_code_round(round_id: int) -> Round:
    """The round, which must use letter codes (NotFound / RuleViolation otherwise)."""
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(_l("This round does not exist."))
    if rnd.eligibility != Eligibility.LETTER_CODES.value:
        raise RuleViolation(_l("This round does not use letter codes."))
    return rnd


def entries_needing_letters(round_id: int) -> Any:
    """Register entries of the round without a live code and without a confidential address."""
    live = exists().where(
        VotingCode.register_entry_id == RegisterEntry.id, VotingCode.status != CodeStatus.REVOKED.value
    )
    return (RegisterEntry.round_id == round_id) & RegisterEntry.confidential.is_(False) & ~live


def start_code_batch(actor: User | None, round_id: int, *, in_background: bool = True) -> CodeBatch:
    """Create a batch for every entry that still needs a letter; with `in_background` the job
    `wijkbudget.generate_codes` makes it after this commit (else the caller does). `actor` None is the command line. Refused once voting opens, while another batch of the
    round is in progress, and when no entry needs a letter."""
    if actor is not None:
        require_organiser(actor)
    rnd = letter_code_round(round_id)
    if rnd.kaders_frozen:
        raise RuleViolation(
            _l("Voting has opened: new letters can no longer be made. Re-issue single codes.")
        )
    busy = db.session.scalar(
        select(func.count())
        .select_from(CodeBatch)
        .where(
            CodeBatch.round_id == rnd.id,
            CodeBatch.status.in_((JobStatus.QUEUED.value, JobStatus.RUNNING.value)),
        )
    )
    if busy:
        raise RuleViolation(_l("Letters for this round are already being made. Wait until they are ready."))
    total = db.session.scalar(
        select(func.count()).select_from(RegisterEntry).where(entries_needing_letters(rnd.id))
    )
    if not total:
        raise RuleViolation(_l("Every register entry already has a code (or gets one at the desk)."))
    batch = CodeBatch(round_id=rnd.id, created_by_id=actor.id if actor else None, total=total)
    db.session.add(batch)
    db.session.flush()
    record_event(
        actor, "codes.batch_started", round_id=rnd.id, subject=f"batch {batch.id}", details={"total": total}
    )
    if in_background:
        enqueue_job(GENERATE_TASK, batch.id, round_id=rnd.id)
    db.session.commit()
    return batch


def generate_codes(
    batch_id: int, *, pdf_path: Path | None = None, csv_path: Path | None = None
) -> BatchOutcome:
    """Generate the batch's codes and letters (the task's work). Idempotent: a finished batch is left alone,
    an unfinished one starts over. With explicit paths (the command line) the files are written there and
    count as handed over; otherwise into the batch's private folder. Commits per chunk."""
    batch = db.session.get(CodeBatch, batch_id)
    if batch is None:
        raise NotFound(_l("This batch of letters does not exist."))
    if batch.status == JobStatus.DONE.value:
        return BatchOutcome(batch.id, batch.generated)
    rnd = letter_code_round(batch.round_id)
    try:
        return _generate(batch, rnd, pdf_path, csv_path)
    except Exception as exc:
        db.session.rollback()
        _record_failure(batch_id, exc)
        for path in (pdf_path, csv_path):  # half-written files from the command line
            if path is not None and not isinstance(exc, RuleViolation):
                path.unlink(missing_ok=True)
        raise


def _generate(batch: CodeBatch, rnd: Round, pdf_path: Path | None, csv_path: Path | None) -> BatchOutcome:
    if rnd.kaders_frozen:
        raise RuleViolation(_l("Voting opened before the letters were made."))
    _discard_attempt(batch)
    direct = pdf_path is not None
    pdf_path = pdf_path or batch_file(batch.id, "pdf")
    if not direct:
        csv_path = batch_file(batch.id, "csv")
        _private_folder(batch_folder(batch.id))
    entries = db.session.execute(
        select(
            RegisterEntry.id,
            RegisterEntry.reference,
            RegisterEntry.postcode,
            RegisterEntry.house_number,
            RegisterEntry.house_number_addition,
        )
        .where(entries_needing_letters(rnd.id))
        .order_by(RegisterEntry.postcode, RegisterEntry.house_number, RegisterEntry.house_number_addition)
    ).all()
    batch.status, batch.total, batch.generated = JobStatus.RUNNING.value, len(entries), 0
    db.session.commit()
    watch = _Stopwatch()
    with ExitStack() as files:
        pdf: IO[bytes] = files.enter_context(_private_file(pdf_path, "wb"))
        csv_out = files.enter_context(_private_file(csv_path, "w")) if csv_path else None
        with watch("letters"):
            printer = LetterPrinter(rnd, pdf)
        for start in range(0, len(entries), CHUNK_SIZE):
            with watch("codes"):
                letters = _issue_chunk(batch, entries[start : start + CHUNK_SIZE])
            with watch("letters"):
                _print_chunk(printer, csv_out, letters, first=start == 0)
            batch.generated += len(letters)
            db.session.commit()  # progress, visible on the organiser's page
        with watch("letters"):
            printer.close()
    _finish(batch, handed_over=direct)
    wall, cpu = watch.wall, watch.cpu
    return BatchOutcome(
        batch.id, batch.generated, wall["codes"], wall["letters"], cpu["codes"], cpu["letters"]
    )


class _Stopwatch:
    """Wall and CPU seconds per step, summed over the chunks."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {"codes": 0.0, "letters": 0.0}
        self.cpu: dict[str, float] = {"codes": 0.0, "letters": 0.0}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[step] += time.perf_counter() - began
            self.cpu[step] += time.process_time() - began_cpu


def _issue_chunk(batch: CodeBatch, chunk: Any) -> list[Letter]:
    """Draw a code per entry and insert only the hashes, in one statement."""
    letters = []
    rows = []
    hash_code = voting_code_hasher()
    now = utcnow()
    for entry_id, reference, postcode, number, addition in chunk:
        code = new_compact_voting_code()
        letters.append(Letter(reference, postcode, number, addition or "", code))
        rows.append(
            {
                "round_id": batch.round_id,
                "register_entry_id": entry_id,
                "batch_id": batch.id,
                "code_hash": hash_code(code),
                "status": CodeStatus.ACTIVE.value,
                "issued_via": CodeIssue.LETTER.value,
                "created_at": now,
            }
        )
    db.session.execute(insert(VotingCode.__table__), rows)  # Core executemany: no ORM bookkeeping per row
    return letters


def _print_chunk(
    printer: LetterPrinter, csv_out: IO[str] | None, letters: list[Letter], *, first: bool
) -> None:
    printer.add(letters)
    if csv_out is not None:
        write_csv(letters, csv_out, header=first)


def _finish(batch: CodeBatch, *, handed_over: bool) -> None:
    now = utcnow()
    batch.status, batch.finished_at, batch.failure = JobStatus.DONE.value, now, None
    if handed_over:
        batch.pdf_downloaded_at = batch.csv_downloaded_at = now
    record_event(
        None,
        "codes.batch_generated",
        round_id=batch.round_id,
        subject=f"batch {batch.id}",
        details={"generated": batch.generated},
    )
    db.session.commit()


def _discard_attempt(batch: CodeBatch) -> None:
    """Codes of an earlier, unfinished attempt were never handed over: remove them and their files."""
    db.session.execute(delete(VotingCode).where(VotingCode.batch_id == batch.id))
    _remove_folder(batch.id)


def _record_failure(batch_id: int, exc: Exception) -> None:
    """Leave a visible state; the message never holds a code (codes appear in no exception we raise)."""
    db.session.execute(delete(VotingCode).where(VotingCode.batch_id == batch_id))
    reason = exc.message if isinstance(exc, RuleViolation) else type(exc).__name__
    db.session.execute(
        update(CodeBatch)
        .where(CodeBatch.id == batch_id)
        .values(status=JobStatus.FAILED.value, failure=str(reason), generated=0)
    )
    db.session.commit()
    _remove_folder(batch_id)


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def _private_file(path: Path, mode: str) -> IO[Any]:
    """Open for writing with permissions 0600 from the start (never world-readable, not even briefly)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if "b" in mode:
        return os.fdopen(descriptor, mode)
    return os.fdopen(descriptor, mode, encoding="utf-8", newline="")


def _remove_folder(batch_id: int, kinds: tuple[str, ...] = FILE_KINDS) -> None:
    """Delete the batch's files of these kinds, and its folder once it is empty."""
    folder = batch_folder(batch_id)
    for kind in kinds:
        batch_file(batch_id, kind).unlink(missing_ok=True)
    if folder.exists() and not any(folder.iterdir()):
        folder.rmdir()


def discard_round_letters(round_id: int) -> None:
    """Delete every printable file of the round's batches that was never downloaded (they hold codes and
    addresses); used when the register is deleted after publication."""
    for batch_id in db.session.scalars(select(CodeBatch.id).where(CodeBatch.round_id == round_id)):
        _remove_folder(batch_id)


def take_batch_file(actor: User, batch_id: int, kind: str) -> Path:
    """Mark the batch's PDF or CSV as downloaded and return its path; the caller sends it and deletes it.

    The mark is a conditional update, so of two simultaneous downloads only one gets the file. A second
    attempt raises FileGone with the advice to re-issue codes for lost letters."""
    require_organiser(actor)
    if kind not in FILE_KINDS:
        raise NotFound(_l("This file does not exist."))
    batch = db.session.get(CodeBatch, batch_id)
    if batch is None or batch.status != JobStatus.DONE.value:
        raise NotFound(_l("This batch of letters does not exist or is not ready."))
    column = getattr(CodeBatch, f"{kind}_downloaded_at")
    marked: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(CodeBatch).where(CodeBatch.id == batch_id, column.is_(None)).values({column: utcnow()})
    )
    path = batch_file(batch_id, kind)
    if marked.rowcount != 1 or not path.exists():
        db.session.rollback()
        raise FileGone(
            _l(
                "This file has already been downloaded and was then deleted, so that no copy of the codes "
                "stays on the server. If letters are lost, re-issue the codes of those residents: their old "
                "codes then stop working."
            )
        )
    record_event(actor, f"codes.{kind}_downloaded", round_id=batch.round_id, subject=f"batch {batch_id}")
    db.session.commit()
    return path


def discard_sent_file(batch_id: int, kind: str) -> None:
    """Delete a file once it is being sent (and the folder when both are gone)."""
    _remove_folder(batch_id, (kind,))


def round_batches(round_id: int) -> list[CodeBatch]:
    return list(
        db.session.scalars(
            select(CodeBatch).where(CodeBatch.round_id == round_id).order_by(CodeBatch.id.desc())
        )
    )
