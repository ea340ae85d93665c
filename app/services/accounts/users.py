"""Registering and authenticating users."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Role, User
from app.postcodes import normalise_postcode
from app.services.errors import RuleViolation
from app.translated import lazy_gettext as _l
from app.typed_text import one_line

MIN_PASSWORD_LENGTH = 10
OLDEST_BIRTH_YEAR = 1900
MAX_HOUSE_NUMBER = 99999  # the model's check constraint
MAX_ADDITION = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register_resident(
    email: str,
    name: str,
    password: str,
    language: str = "nl",
    wijk_id: int | None = None,
    *,
    postcode: str = "",
    birth_date: date | None = None,
) -> User:
    """Create a resident account; e-mail addresses are unique regardless of case. Postcode and date of birth
    are optional here (open rounds ask for them before voting) and checked as in `update_profile`. The
    e-mail address starts unconfirmed; the caller sends the confirmation link after this commit."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(
            _l("Choose a password of at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    stored_postcode = checked_postcode(postcode)
    check_birth_date(birth_date)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise RuleViolation(_l("An account with this e-mail address already exists."), field="email")
    user = User(
        email=email,
        name=one_line(name),
        role=Role.RESIDENT.value,
        language=language,
        wijk_id=wijk_id,
        postcode=stored_postcode,
        birth_date=birth_date,
    )
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


def update_profile(
    actor: User,
    *,
    postcode: str,
    birth_date: date | None,
    house_number: int | None = None,
    addition: str = "",
) -> User:
    """Store the actor's self-declared postcode (normalised, "1234AB"; empty clears it), house number and
    addition, and date of birth (not in the future, not before 1900): what open rounds check before a vote,
    and what makes one person one ballot there."""
    stored_postcode = checked_postcode(postcode)
    check_birth_date(birth_date)
    if house_number is not None and not 1 <= house_number <= MAX_HOUSE_NUMBER:
        raise RuleViolation(_l("Fill in your house number, for example 12."), field="house_number")
    addition = one_line(addition)
    if len(addition) > MAX_ADDITION:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=MAX_ADDITION), field="addition")
    actor.postcode = stored_postcode
    actor.birth_date = birth_date
    actor.house_number = house_number
    actor.house_number_addition = addition
    db.session.commit()
    return actor


def checked_postcode(text: str | None) -> str | None:
    """The postcode in stored form, None when empty; RuleViolation (field "postcode") when it is not one."""
    if not (text or "").strip():
        return None
    normalised = normalise_postcode(text or "")
    if normalised is None:
        raise RuleViolation(_l("Fill in a postcode like 1234 AB."), field="postcode")
    return normalised


def check_birth_date(birth_date: date | None) -> None:
    if birth_date is None:
        return
    if birth_date > date.today() or birth_date.year < OLDEST_BIRTH_YEAR:
        raise RuleViolation(_l("Fill in your real date of birth."), field="birth_date")
