"""Managing accounts of any role: create (CLI), invite (the admin's staff page), list, change the role,
deactivate. The actor is the admin doing it, or None for the operator at the command line; every change is
on the audit log.

A staff account works for the wijken named on it (`staff_wijken`, see wijk_access); the first one named is
also kept as the account's own `wijk_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User, Wijk
from app.models.base import utcnow
from app.services.accounts.password_links import Purpose, password_link_token
from app.services.accounts.passwords import check_password
from app.services.accounts.users import commit_new_account, find_user, normalise_email
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.notifications.mail import queue_email
from app.translated import lazy_gettext as _l
from app.typed_text import one_line

# An invited account has no password until the invitation is used: werkzeug never matches this.
NO_PASSWORD = "!unset"  # noqa: S105


def create_account(
    actor: User | None,
    email: str,
    name: str,
    role: Role,
    password: str,
    wijk_ids: Sequence[int] = (),
    language: str = "nl",
) -> User:
    """Create an account of any role with this password (the operator typed both, so the address counts as
    confirmed). One transaction."""
    check_password(password, personal=(email, name))
    user = _add_account(actor, email, name, role, wijk_ids, language)
    user.set_password(password)
    user.email_confirmed_at = utcnow()
    commit_new_account()
    return user


def invite_staff(
    actor: User, email: str, name: str, role: Role, language: str, link_for: Callable[[str], str]
) -> User:
    """Create a staff account without a password and mail it a link to choose one (works once, expires after
    INVITATION_MAX_AGE). One transaction: no account without its invitation, no invitation without it."""
    if role == Role.RESIDENT:
        raise RuleViolation(_l("Residents register themselves. Choose a staff role."), field="role")
    user = _add_account(actor, email, name, role, (), language)
    link = link_for(password_link_token(user, Purpose.INVITATION))
    with force_locale(language):
        queue_email(user.email, gettext("You are invited to wijkbudget"), _invitation_body(actor, user, link))
    commit_new_account()
    return user


def _add_account(
    actor: User | None, email: str, name: str, role: Role, wijk_ids: Sequence[int], language: str
) -> User:
    _require_admin(actor)
    email = normalise_email(email)
    name = one_line(name)
    if not email or "@" not in email:
        raise RuleViolation(_l("This is not a valid e-mail address."), field="email")
    if not name:
        raise RuleViolation(_l("Fill in a name."), field="name")
    if find_user(email) is not None:
        raise RuleViolation(_l("An account with this e-mail address already exists."), field="email")
    user = User(
        email=email,
        name=name,
        role=role.value,
        language=language,
        password_hash=NO_PASSWORD,  # until a password is set
    )
    _name_wijken(user, wijk_ids)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "account.created", subject=f"user:{user.id}", details={"role": role.value})
    return user


def _invitation_body(actor: User, user: User, link: str) -> str:
    return gettext(
        "Hello %(name)s,\n\n%(admin)s made an account for you on wijkbudget, with the role %(role)s. Choose "
        "your password with this link:\n\n%(link)s\n\nThe link works once, for %(days)d days. After that, "
        "ask %(admin)s for a new invitation.",
        name=user.name,
        admin=actor.name,
        role=role_name(user.role),
        link=link,
        days=max(1, int(current_app.config["INVITATION_MAX_AGE"]) // 86400),
    )


ROLE_NAMES = {
    Role.RESIDENT.value: _l("resident"),
    Role.PROFESSIONAL.value: _l("professional"),
    Role.ORGANISER.value: _l("organiser"),
    Role.POLL_WORKER.value: _l("poll worker"),
    Role.ADMIN.value: _l("admin"),
}


def is_invited(user: User) -> bool:
    """Invited and the invitation not used yet (no password chosen)."""
    return user.password_hash == NO_PASSWORD


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


def list_accounts(role: Role | None = None, *, staff_only: bool = False) -> list[User]:
    query = select(User).order_by(User.role, User.email)
    if role is not None:
        query = query.where(User.role == role.value)
    elif staff_only:
        query = query.where(User.role != Role.RESIDENT.value)
    return list(db.session.scalars(query))


def set_role(actor: User | None, user_id: int, role: Role, wijk_ids: Sequence[int] | None = None) -> User:
    """Give the account another role (and wijk, when `wijk_ids` is given). An admin cannot take away their own
    admin role, so there is always someone left to manage staff."""
    _require_admin(actor)
    user = _account(user_id)
    if actor is not None and actor.id == user.id and role != Role.ADMIN:
        raise RuleViolation(_l("You cannot take away your own admin role. Ask another admin."))
    previous = user.role
    user.role = role.value
    if wijk_ids is not None:
        _name_wijken(user, wijk_ids)
    if previous != role.value:
        user.session_version += 1  # pages opened with the old role's rights must be opened anew
    record_event(
        actor, "account.role_changed", subject=f"user:{user.id}", details={"from": previous, "to": role.value}
    )
    db.session.commit()
    return user


def deactivate(actor: User | None, user_id: int) -> User:
    """The account can no longer log in and every session of it ends; its history stays. Idempotent."""
    _require_admin(actor)
    user = _account(user_id)
    if actor is not None and actor.id == user.id:
        raise RuleViolation(_l("You cannot deactivate your own account. Ask another admin."))
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
        user.session_version += 1
        record_event(actor, "account.deactivated", subject=f"user:{user.id}")
    db.session.commit()
    return user


def find_account(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise NotFound(_l("There is no account with this e-mail address."))
    return user


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("There is no such account."))
    return user


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN.value:
        raise NotAllowed(_l("Only an admin may manage accounts."))


def _name_wijken(user: User, wijk_ids: Sequence[int]) -> None:
    """The wijken the account works for, in the order named; unknown numbers are refused, nothing changed."""
    ids = list(dict.fromkeys(wijk_ids))
    wijken = [db.session.get(Wijk, wijk_id) for wijk_id in ids]
    unknown = [wijk_id for wijk_id, wijk in zip(ids, wijken, strict=True) if wijk is None]
    if unknown:
        raise RuleViolation(_l("There is no wijk with number %(id)d.", id=unknown[0]), field="wijk")
    user.staff_wijken = [w for w in wijken if w is not None]
    user.wijk_id = ids[0] if ids else None
