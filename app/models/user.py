from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.wijk import Wijk


class Role(enum.StrEnum):
    RESIDENT = "resident"
    PROFESSIONAL = "professional"
    ORGANISER = "organiser"
    ADMIN = "admin"
    POLL_WORKER = "poll_worker"  # enters and confirms paper ballots at a polling location


ROLE_VALUES = tuple(r.value for r in Role)
LANGUAGES = ("nl", "en")
# Roles that hold only the wijken named on the account (an admin holds every wijk).
WIJK_BOUND_ROLES = (Role.ORGANISER.value, Role.PROFESSIONAL.value, Role.POLL_WORKER.value)

# Which wijken a staff account works for. Rows of a resident or an admin mean nothing (see `User.holds_wijk`).
user_wijken = Table(
    "user_wijken",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("wijk_id", Integer, ForeignKey("wijken.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role_known"),
        CheckConstraint(f"language IN {LANGUAGES!r}", name="language_known"),
        CheckConstraint(
            "house_number IS NULL OR house_number BETWEEN 1 AND 99999", name="house_number_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.RESIDENT.value)
    language: Mapped[str] = mapped_column(String(2), default="nl")
    wijk_id: Mapped[int | None] = mapped_column(ForeignKey("wijken.id", ondelete="SET NULL"))
    # Self-declared, for rounds with open eligibility (postcode in the wijk, minimum age, e-mail confirmed).
    postcode: Mapped[str | None] = mapped_column(String(6), nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # With postcode and birth date: one account per person in an open round (see open_round_seats).
    house_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    house_number_addition: Mapped[str] = mapped_column(String(10), default="", server_default="")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Which admin made this account a poll worker: they may not confirm each other's paper ballots.
    poll_worker_granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    # The wijken a staff account works for (not the resident's home wijk, which is `wijk_id`).
    staff_wijken: Mapped[list[Wijk]] = relationship(secondary=user_wijken, order_by="Wijk.name")
    # Raised at logout and at every password change: a session cookie carries the version it was made with
    # (see get_id), so copies of older cookies stop working everywhere at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A deactivated account cannot log in; the row stays so its history (audit log, reviews) keeps its actor.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The resident removed their account: the row stays (without any personal data) so that proposals,
    # reactions and the audit log keep an actor (a "removed resident").
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Two-step login: the TOTP secret (base32) once enrolment is confirmed, the last time step used (a code
    # works once) and the hashes of the unused one-time recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recovery_code_hashes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)

    def get_id(self) -> str:
        # Flask-Login stores this in the session; the loader refuses it once the version has moved on.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.deactivated_at is None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role | str) -> bool:
        # Admins may do everything an organiser or professional may.
        return self.role == Role.ADMIN.value or self.role in {Role(r).value for r in roles}
