"""Registering and authenticating users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Role, User
from app.services.errors import RuleViolation

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register_resident(
    email: str, name: str, password: str, language: str = "nl", wijk_id: int | None = None
) -> User:
    """Create a resident account; e-mail addresses are unique regardless of case."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(
            _l("Choose a password of at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise RuleViolation(_l("An account with this e-mail address already exists."), field="email")
    user = User(email=email, name=name.strip(), role=Role.RESIDENT.value, language=language, wijk_id=wijk_id)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(
            _l("An account with this e-mail address already exists."), field="email"
        ) from None
    return user


def create_user(email: str, name: str, password: str, role: Role, language: str = "nl") -> User:
    """Create an account with any role (CLI and demo; organisers are not self-service)."""
    user = User(email=normalise_email(email), name=name, role=role.value, language=language)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.check_password(password):
        return None
    return user


def set_language(user: User, language: str) -> None:
    user.language = language
    db.session.commit()
