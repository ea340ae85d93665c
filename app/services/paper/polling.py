"""Polling locations and poll workers: where paper ballots are entered, and who may enter them.

Rules:
- Organisers (and admins) manage the polling locations of a round: a name, unique within the round, and a kind
  (school, community centre, door to door, other). Every change is audited.
- Only an admin gives a resident account the poll-worker role (for one or more wijken) and takes it back; the
  account remembers which admin made it a poll worker. Other roles are never changed here (an organiser cannot
  be demoted by accident). Audited as "user.poll_worker_granted" / "..._revoked".
- Organisers of the wijk (and admins) assign poll workers who work for that wijk to its polling locations.
  Audited as "poll_worker.assigned" / "poll_worker.unassigned".
- Poll workers, organisers and admins may enter and confirm paper ballots (`require_poll_worker`): organisers
  at every location of their wijken, poll workers only at the locations they are assigned to
  (`require_location`).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import LocationKind, Phase, PollingLocation, PollWorkerAssignment, Role, Round, User, Wijk
from app.models.user import user_wijken
from app.services.accounts.wijk_access import holds_wijk, in_held_wijken, wijk_id_of
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


DETAIL_LIMITS = {"address": 200, "opening_hours": 1000, "accessibility": 1000}


def works_at(actor: User, location: PollingLocation) -> bool:
    """Organisers work at every location of their wijken, poll workers at the ones they are assigned to."""
    if not holds_wijk(actor, wijk_id_of(location)):
        return False
    if actor.role != Role.POLL_WORKER.value:
        return actor.has_role(Role.ORGANISER)
    key = {"location_id": location.id, "user_id": actor.id}
    return db.session.get(PollWorkerAssignment, key) is not None


def require_location(actor: User, location: PollingLocation) -> None:
    """NotFound unless the actor works at this location: to others it does not exist."""
    require_poll_worker(actor)
    if not works_at(actor, location):
        raise NotFound(_l("This polling location does not exist."))


def locations_of(round_id: int) -> list[PollingLocation]:
    """The polling locations of a round, by name."""
    stmt = select(PollingLocation).where(PollingLocation.round_id == round_id).order_by(PollingLocation.name)
    return list(db.session.scalars(stmt))


def open_locations(actor: User) -> list[tuple[Round, PollingLocation]]:
    """The locations the actor works at (see `works_at`) whose round is in the voting phase."""
    stmt = (
        select(Round, PollingLocation)
        .join(PollingLocation, PollingLocation.round_id == Round.id)
        .where(Round.phase == Phase.VOTING.value, in_held_wijken(actor, Round.wijk_id))
        .order_by(Round.title, Round.id, PollingLocation.name)
    )
    if actor.role == Role.POLL_WORKER.value:
        assigned = select(PollWorkerAssignment.location_id).where(PollWorkerAssignment.user_id == actor.id)
        stmt = stmt.where(PollingLocation.id.in_(assigned))
    return [(rnd, location) for rnd, location in db.session.execute(stmt).all()]


def create_location(actor: User, round_id: int, name: str, kind: str, **details: str) -> PollingLocation:
    """Add a polling location to a round (name required, unique in the round); audited."""
    rnd = db.session.get(Round, round_id)
    require_organiser(actor, rnd.wijk_id if rnd else None)
    if rnd is None:
        raise NotFound(_l("This round does not exist."))
    location = PollingLocation(round_id=round_id)
    _save(location, actor, "polling_location.created", name, kind, details)
    return location


def update_location(actor: User, location_id: int, name: str, kind: str, **details: str) -> PollingLocation:
    """Rename a polling location or change its kind; audited."""
    location = _location(actor, location_id)
    _save(location, actor, "polling_location.updated", name, kind, details)
    return location


def _save(
    location: PollingLocation, actor: User, action: str, name: str, kind: str, details: dict[str, str]
) -> None:
    """`details`: address, opening_hours, accessibility (optional texts; unknown keys are ignored)."""
    name = one_line(name)
    errors = {}
    texts = {key: (details.get(key) or "").replace("\x00", "").strip() for key in DETAIL_LIMITS}
    for key, limit in DETAIL_LIMITS.items():
        if len(texts[key]) > limit:
            errors[key] = _l("Use at most %(n)d characters.", n=limit)
    if not name:
        errors["name"] = _l("Fill in the name of the location.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Use at most %(n)d characters.", n=NAME_MAX)
    if kind not in {k.value for k in LocationKind}:
        errors["kind"] = _l("Choose one of the options.")
    if errors:
        raise InvalidFields(errors)
    location.name, location.kind = name, kind
    for key, text in texts.items():
        setattr(location, key, text)
    try:
        db.session.add(location)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidFields({"name": _l("This round already has a location with this name.")}) from None
    logged = {"location_id": location.id, "name": name, "kind": kind, **texts}
    record_event(actor, action, round_id=location.round_id, subject=f"location: {name}"[:120], details=logged)
    db.session.commit()


def users_by_email(search: str) -> list[User]:
    """Active accounts whose e-mail address contains `search` (all when empty), by e-mail; at most 50.
    Deactivated and removed accounts cannot log in, so they are not offered."""
    stmt = select(User).where(User.deactivated_at.is_(None)).order_by(User.email).limit(USERS_SHOWN)
    search = search.strip().lower()
    if search:
        stmt = stmt.where(func.lower(User.email).contains(search, autoescape=True))
    return list(db.session.scalars(stmt))


def _location(actor: User, location_id: int) -> PollingLocation:
    """The location, for an organiser of its wijk (NotFound otherwise)."""
    require_organiser(actor)
    location = db.session.get(PollingLocation, location_id)
    if location is None or not holds_wijk(actor, wijk_id_of(location)):
        raise NotFound(_l("This polling location does not exist."))
    return location


def set_poll_worker(actor: User, user_id: int, *, grant: bool, wijk_ids: Collection[int] = ()) -> User:
    """Give a resident the poll-worker role for the wijken `wijk_ids` (grant), or make a poll worker a resident
    again (which ends their wijken and location assignments); audited. The account records who granted it.

    Only an admin does this: an organiser who could make a second account of their own a poll worker could
    confirm their own paper ballots. Organisers, professionals and admins keep their role: they are refused
    here, not silently changed.
    """
    if actor.role != Role.ADMIN.value:
        raise NotAllowed(_l("Only an administrator may make someone a poll worker."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("This account does not exist."))
    before, after = (Role.RESIDENT, Role.POLL_WORKER) if grant else (Role.POLL_WORKER, Role.RESIDENT)
    if user.role == after.value:
        return user
    if user.role != before.value:
        raise RuleViolation(_l("Only residents can become poll workers; this account has another role."))
    if grant and not wijk_ids:
        raise RuleViolation(_l("Choose the neighbourhood this poll worker works for."), field="wijken")
    wijken = list(db.session.scalars(select(Wijk).where(Wijk.id.in_(list(wijk_ids)))))
    if len(wijken) != len(set(wijk_ids)):
        raise NotFound(_l("This neighbourhood does not exist."))
    user.role = after.value
    user.poll_worker_granted_by_id = actor.id if grant else None
    user.staff_wijken = wijken
    if not grant:
        db.session.execute(delete(PollWorkerAssignment).where(PollWorkerAssignment.user_id == user.id))
    action = "user.poll_worker_granted" if grant else "user.poll_worker_revoked"
    details = {"user_id": user.id, "wijk_ids": sorted(w.id for w in wijken)}
    record_event(actor, action, subject=f"user {user.id}", details=details)
    db.session.commit()
    return user


def assigned_poll_workers(location_id: int) -> list[User]:
    """The poll workers assigned to a location, by name."""
    stmt = (
        select(User)
        .join(PollWorkerAssignment, PollWorkerAssignment.user_id == User.id)
        .where(PollWorkerAssignment.location_id == location_id)
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


def poll_workers_of_wijk(wijk_id: int) -> list[User]:
    """The poll workers who work for a wijk: whom an organiser may assign to its locations."""
    stmt = (
        select(User)
        .join(user_wijken, user_wijken.c.user_id == User.id)
        .where(User.role == Role.POLL_WORKER.value, user_wijken.c.wijk_id == wijk_id)
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


def assign_poll_worker(actor: User, location_id: int, user_id: int) -> User:
    """An organiser of the wijk assigns one of the wijk's poll workers to a location; audited. Assigning
    twice changes nothing."""
    location = _location(actor, location_id)
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.POLL_WORKER.value or not holds_wijk(user, wijk_id_of(location)):
        raise RuleViolation(_l("Choose a poll worker of this neighbourhood."), field="user_id")
    key = {"location_id": location.id, "user_id": user.id}
    if db.session.get(PollWorkerAssignment, key) is None:
        db.session.add(PollWorkerAssignment(**key, assigned_by_id=actor.id))
        _record_assignment(actor, "poll_worker.assigned", location, user)
    db.session.commit()
    return user


def unassign_poll_worker(actor: User, location_id: int, user_id: int) -> None:
    """Take a poll worker off a location; audited."""
    location = _location(actor, location_id)
    assignment = db.session.get(PollWorkerAssignment, {"location_id": location.id, "user_id": user_id})
    if assignment is None:
        raise NotFound(_l("This poll worker does not work at this location."))
    db.session.delete(assignment)
    _record_assignment(actor, "poll_worker.unassigned", location, db.session.get_one(User, user_id))
    db.session.commit()


def _record_assignment(actor: User, action: str, location: PollingLocation, user: User) -> None:
    details = {"location_id": location.id, "user_id": user.id}
    record_event(actor, action, round_id=location.round_id, subject=f"user {user.id}", details=details)
