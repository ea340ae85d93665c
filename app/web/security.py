"""Role and wijk checks for views: every staff route uses `role_required`, and every staff route that touches
a wijk, round, proposal, commitment, polling location or register loads it through `owned_or_404` (or calls
`require_wijk`), so a staff member of another wijk gets 404 and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Role, Round
from app.services.accounts import wijk_access

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def role_required(*roles: Role) -> Callable[[F], F]:
    """Log in first; then 403 unless the user has one of the roles (admins pass every check)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]  # marks a staff route (tests walk them)
        return wrapped  # type: ignore[return-value]

    return decorator


def require_wijk(wijk_id: int | None) -> None:
    """404 unless the signed-in staff member holds the wijk (an admin holds all)."""
    if not wijk_access.holds_wijk(current_user, wijk_id):
        abort(404)


def owned_or_404(model: type[T], object_id: int) -> T:
    """The object, if it exists and belongs to a wijk the signed-in staff member holds; else 404."""
    thing = db.get_or_404(model, object_id)
    require_wijk(wijk_access.wijk_id_of(thing))
    return thing


def round_or_404(round_id: int) -> Round:
    return owned_or_404(Round, round_id)


def holds_wijk_of_round(round_id: int) -> bool:
    """For templates: whether to show the signed-in user the staff links of something in this round."""
    rnd = db.session.get(Round, round_id)
    return bool(current_user.is_authenticated and rnd and wijk_access.holds_wijk(current_user, rnd.wijk_id))
