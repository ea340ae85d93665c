from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Role(enum.StrEnum):
    RESIDENT = "resident"
    PROFESSIONAL = "professional"
    ORGANISER = "organiser"
    ADMIN = "admin"
    POLL_WORKER = "poll_worker"  # enters and confirms paper ballots at a polling location


ROLE_VALUES = tuple(r.value for r in Role)
LANGUAGES = ("nl", "en")


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

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role | str) -> bool:
        # Admins may do everything an organiser or professional may.
        return self.role == Role.ADMIN.value or self.role in {Role(r).value for r in roles}
