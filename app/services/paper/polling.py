"""Polling locations and poll workers: where paper ballots are entered, and who may enter them.

Rules:
- Organisers (and admins) manage the polling locations of a round: a name, unique within the round, and a kind
  (school, community centre, door to door, other). Every change is audited.
- Organisers give a resident account the poll-worker role and take it back; other roles are never changed here
  (an organiser cannot be demoted by accident). Audited as "user.poll_worker_granted" / "..._revoked".
- Poll workers, organisers and admins may enter and confirm paper ballots (`require_poll_worker`).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import LocationKind, Phase, PollingLocation, Role, Round, User
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.rounds.wijken import InvalidFields, require_organiser
from app.translated import lazy_gettext as _l
from app.typed_text import one_line

NAME_MAX = 120
USERS_SHOWN = 50


def require_poll_worker(actor: User) -> None:
    """Only poll workers, organisers and admins handle paper ballots."""
    if not actor.has_role(Role.POLL_WORKER, Role.ORGANISER):
        raise NotAllowed(_l("Only poll workers may do this."))


def locations_of(round_id: int) -> list[PollingLocation]:
    """The polling locations of a round, by name."""
    stmt = select(PollingLocation).where(PollingLocation.round_id == round_id).order_by(PollingLocation.name)
    return list(db.session.scalars(stmt))


def open_locations() -> list[tuple[Round, PollingLocation]]:
    """The locations of every round in the voting phase: where a poll worker can work now."""
    stmt = (
        select(Round, PollingLocation)
        .join(PollingLocation, PollingLocation.round_id == Round.id)
        .where(Round.phase == Phase.VOTING.value)
        .order_by(Round.title, Round.id, PollingLocation.name)
    )
    return [(rnd, location) for rnd, location in db.session.execute(stmt).all()]


def create_location(actor: User, round_id: int, name: str, kind: str) -> PollingLocation:
    """Add a polling location to a round (name required, unique in the round); audited."""
    require_organiser(actor)
    if db.session.get(Round, round_id) is None:
        raise NotFound(_l("This round does not exist."))
    location = PollingLocation(round_id=round_id)
    _save(location, actor, "polling_location.created", name, kind)
    return location


def update_location(actor: User, location_id: int, name: str, kind: str) -> PollingLocation:
    """Rename a polling location or change its kind; audited."""
    require_organiser(actor)
    location = db.session.get(PollingLocation, location_id)
    if location is None:
        raise NotFound(_l("This polling location does not exist."))
    _save(location, actor, "polling_location.updated", name, kind)
    return location


def _save(location: PollingLocation, actor: User, action: str, name: str, kind: str) -> None:
    name = one_line(name)
    errors = {}
    if not name:
        errors["name"] = _l("Fill in the name of the location.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Use at most %(n)d characters.", n=NAME_MAX)
    if kind not in {k.value for k in LocationKind}:
        errors["kind"] = _l("Choose one of the options.")
    if errors:
        raise InvalidFields(errors)
    location.name, location.kind = name, kind
    try:
        db.session.add(location)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidFields({"name": _l("This round already has a location with this name.")}) from None
    details = {"location_id": location.id, "name": name, "kind": kind}
    record_event(
        actor, action, round_id=location.round_id, subject=f"location: {name}"[:120], details=details
    )
    db.session.commit()


def users_by_email(search: str) -> list[User]:
    """Accounts whose e-mail address contains `search` (all when empty), by e-mail; at most 50."""
    stmt = select(User).order_by(User.email).limit(USERS_SHOWN)
    search = search.strip().lower()
    if search:
        stmt = stmt.where(func.lower(User.email).contains(search, autoescape=True))
    return list(db.session.scalars(stmt))


def set_poll_worker(actor: User, user_id: int, *, grant: bool) -> User:
    """Give a resident the poll-worker role (grant) or make a poll worker a resident again; audited.

    Organisers, professionals and admins keep their role: they are refused here, not silently changed.
    """
    require_organiser(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("This account does not exist."))
    before, after = (Role.RESIDENT, Role.POLL_WORKER) if grant else (Role.POLL_WORKER, Role.RESIDENT)
    if user.role == after.value:
        return user
    if user.role != before.value:
        raise RuleViolation(_l("Only residents can become poll workers; this account has another role."))
    user.role = after.value
    action = "user.poll_worker_granted" if grant else "user.poll_worker_revoked"
    record_event(actor, action, subject=f"user {user.id}", details={"user_id": user.id})
    db.session.commit()
    return user
