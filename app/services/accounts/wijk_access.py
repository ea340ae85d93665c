"""Which wijken a staff account works for, and the one check every staff route and list uses.

Rules:
- Organisers, professionals and poll workers hold only the wijken named on their account (`user_wijken`); an
  admin holds every wijk; a resident holds none.
- Something of a wijk the actor does not hold is answered as if it did not exist (NotFound, views answer 404):
  a staff member of another wijk learns nothing about it, not even that it exists.
- Only an admin changes which wijken an account holds; audited as "user.wijken_changed".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from app.extensions import db
from app.models import Role, Round, User, Wijk
from app.models.user import WIJK_BOUND_ROLES
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.translated import lazy_gettext as _l


def held_wijk_ids(user: User) -> frozenset[int] | None:
    """The ids of the wijken `user` holds; None for an admin, who holds every wijk."""
    if user.role == Role.ADMIN.value:
        return None
    if user.role not in WIJK_BOUND_ROLES:
        return frozenset()
    return frozenset(wijk.id for wijk in user.staff_wijken)


def holds_wijk(user: User, wijk_id: int | None) -> bool:
    held = held_wijk_ids(user)
    return held is None or (wijk_id is not None and wijk_id in held)


def require_wijk(user: User, wijk_id: int | None) -> None:
    """NotFound unless `user` holds the wijk: for them, what belongs to another wijk does not exist."""
    if not holds_wijk(user, wijk_id):
        raise NotFound(_l("This page does not exist (any more)."))


def in_held_wijken(user: User, wijk_column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose `wijk_column` is a wijk `user` holds (every row for an admin)."""
    held = held_wijk_ids(user)
    if held is None:
        return true()
    return wijk_column.in_(sorted(held)) if held else false()


def held_round_ids(user: User) -> list[int] | None:
    """The ids of the rounds in the wijken `user` holds; None for an admin (every round)."""
    if held_wijk_ids(user) is None:
        return None
    return list(db.session.scalars(select(Round.id).where(in_held_wijken(user, Round.wijk_id))))


def wijk_id_of(thing: Any) -> int | None:
    """The wijk a wijk, a round, or anything that belongs to a round (it has `round_id`) is part of."""
    if isinstance(thing, Wijk):
        return thing.id
    if isinstance(thing, Round):
        return thing.wijk_id
    round_id = getattr(thing, "round_id", None)
    rnd = db.session.get(Round, round_id) if round_id is not None else None
    return rnd.wijk_id if rnd is not None else None


def set_staff_wijken(user: User, wijk_ids: Iterable[int], *, actor: User | None = None) -> User:
    """Let `user` work for exactly the wijken `wijk_ids` (replacing what they held); audited, one transaction.

    `actor` None is the command line (the server's operator); otherwise only an admin may do this. Unknown
    wijk ids are refused with RuleViolation (field "wijken"), nothing changed."""
    if actor is not None and actor.role != Role.ADMIN.value:
        raise NotAllowed(_l("Only an administrator may change which neighbourhoods an account works for."))
    wanted = sorted(set(wijk_ids))
    wijken = list(db.session.scalars(select(Wijk).where(Wijk.id.in_(wanted)))) if wanted else []
    if len(wijken) != len(wanted):
        unknown = sorted(set(wanted) - {w.id for w in wijken})
        raise RuleViolation(
            _l("These neighbourhoods do not exist: %(ids)s.", ids=", ".join(map(str, unknown))),
            field="wijken",
        )
    before = sorted(w.id for w in user.staff_wijken)
    user.staff_wijken = wijken
    if before != wanted:
        record_event(
            actor,
            "user.wijken_changed",
            subject=f"user {user.id}",
            details={"user_id": user.id, "before": before, "after": wanted},
        )
    db.session.commit()
    return user
