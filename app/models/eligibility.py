"""Who may vote in a round: the imported voter register, letter codes (stemcodes) and account matches.

Privacy rules the schema carries:
- The register holds only what eligibility needs (the municipality's reference, address, optional birth date and
  buurt), never names; it is deleted a set number of days after publication.
- Letter codes are stored only as a keyed hash (HMAC with a server secret), never in plain text.
- A register entry records THAT it voted and through which channel (the poll book, so a resident cannot vote
  twice through two channels), never when, and never which ballot: ballots carry no link back.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.wijk import Buurt


class Eligibility(enum.StrEnum):
    """How a round establishes who may vote (part of the kaders, frozen when voting opens)."""

    LETTER_CODES = "letter_codes"  # a one-time code per register entry, sent by letter; no account needed
    REGISTER_MATCH = "register_match"  # an account matched to the register by address (+ birth date)
    OPEN = "open"  # self-declared postcode in the wijk and minimum age, e-mail confirmed: lowest assurance


class RegisterLevel(enum.StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"


class BallotChannel(enum.StrEnum):
    """How a ballot reached the ballot box. Every ballot records one."""

    ONLINE_ACCOUNT = "online_account"
    ONLINE_CODE = "online_code"
    PAPER = "paper"
    ASSISTED = "assisted"  # entered on behalf of a resident, with their consent


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class CodeStatus(enum.StrEnum):
    ACTIVE = "active"
    USED = "used"
    REVOKED = "revoked"  # re-issued or withdrawn: refused from then on


class CodeIssue(enum.StrEnum):
    LETTER = "letter"  # in a printed batch
    DESK = "desk"  # handed over in person (e.g. a confidential address)
    REISSUE = "reissue"  # replaces a lost code


class MatchStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


def _values(enum_type: type[enum.StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


CHANNEL_VALUES = _values(BallotChannel)


class RegisterEntry(db.Model):  # type: ignore[name-defined,misc]
    """One eligible person (or household) from the municipality's register, for one round."""

    __tablename__ = "register_entries"
    __table_args__ = (
        UniqueConstraint("round_id", "reference"),
        CheckConstraint("length(postcode) = 6", name="postcode_normalised"),
        CheckConstraint("house_number > 0", name="house_number_positive"),
        CheckConstraint(
            f"voted_channel IS NULL OR voted_channel IN {CHANNEL_VALUES!r}", name="voted_channel_known"
        ),
        Index("ix_register_entries_address", "round_id", "postcode", "house_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(64))  # the municipality's own number, not a BSN
    postcode: Mapped[str] = mapped_column(String(6))  # normalised: "1234AB"
    house_number: Mapped[int] = mapped_column(Integer)
    house_number_addition: Mapped[str] = mapped_column(String(10), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    buurt_id: Mapped[int | None] = mapped_column(ForeignKey("buurten.id", ondelete="SET NULL"))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)  # no letter: a code only at the desk
    # The poll book: set once, by a conditional update, in the transaction that stores the ballot.
    voted_channel: Mapped[str | None] = mapped_column(String(20), nullable=True)

    buurt: Mapped[Buurt | None] = relationship()


class RegisterImport(db.Model):  # type: ignore[name-defined,misc]
    """One upload of a register CSV, processed by a task; its progress and every rejected line with the reason."""

    __tablename__ = "register_imports"
    __table_args__ = (CheckConstraint(f"status IN {_values(JobStatus)!r}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.QUEUED.value)
    # The uploaded file, kept only until the task has read it.
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    total_lines: Mapped[int] = mapped_column(Integer, default=0)
    processed_lines: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": 12, "code": "postcode_invalid", "detail": "0123AB"}], capped; `rejected` has the full count.
    # Reasons are codes so each reader sees them in their own language (app.services.eligibility.register_messages).
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)  # a reason code, as in `errors`
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CodeBatch(db.Model):  # type: ignore[name-defined,misc]
    """A batch of letter codes generated by a task. The printable files live outside the database and are
    deleted once downloaded: the plain codes exist only in what goes to the printer."""

    __tablename__ = "code_batches"
    __table_args__ = (CheckConstraint(f"status IN {_values(JobStatus)!r}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.QUEUED.value)
    total: Mapped[int] = mapped_column(Integer, default=0)
    generated: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    pdf_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    csv_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class VotingCode(db.Model):  # type: ignore[name-defined,misc]
    """A letter code, stored only as its keyed hash. At most one live (not revoked) code per register entry."""

    __tablename__ = "voting_codes"
    __table_args__ = (
        CheckConstraint(f"status IN {_values(CodeStatus)!r}", name="status_known"),
        CheckConstraint(f"issued_via IN {_values(CodeIssue)!r}", name="issued_via_known"),
        Index(
            "uq_voting_codes_one_live_code_per_entry",
            "register_entry_id",
            unique=True,
            postgresql_where=text("status <> 'revoked'"),
            sqlite_where=text("status <> 'revoked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    register_entry_id: Mapped[int] = mapped_column(ForeignKey("register_entries.id", ondelete="CASCADE"))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("code_batches.id", ondelete="SET NULL"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=CodeStatus.ACTIVE.value)
    issued_via: Mapped[str] = mapped_column(String(10), default=CodeIssue.LETTER.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    register_entry: Mapped[RegisterEntry] = relationship()


class RegisterMatch(db.Model):  # type: ignore[name-defined,misc]
    """A resident account's claim to a register entry; ballots count only once the match is verified.

    One live claim per account and per entry (partial unique indexes): two accounts cannot share an address.
    """

    __tablename__ = "register_matches"
    __table_args__ = (
        CheckConstraint(f"status IN {_values(MatchStatus)!r}", name="status_known"),
        Index(
            "uq_register_matches_one_live_claim_per_user",
            "round_id",
            "user_id",
            unique=True,
            postgresql_where=text("status <> 'rejected'"),
            sqlite_where=text("status <> 'rejected'"),
        ),
        Index(
            "uq_register_matches_one_live_claim_per_entry",
            "register_entry_id",
            unique=True,
            postgresql_where=text("status <> 'rejected'"),
            sqlite_where=text("status <> 'rejected'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    register_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entries.id", ondelete="CASCADE"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(10), default=MatchStatus.PENDING.value)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
