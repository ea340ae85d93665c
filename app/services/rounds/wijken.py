"""Wijken (neighbourhoods): their name, municipality, buurten and the PC4 postcode areas that belong to them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Buurt, Project, Role, Round, RoundBuurtBudget, RoundCap, User, Wijk
from app.models.freeze import is_frozen_phase
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.translated import lazy_gettext as _l
from app.typed_text import one_line

NAME_MAX = 120
# A Dutch PC4 area: four digits, never starting with 0 (1000-9999).
POSTCODE_PATTERN = re.compile(r"[1-9][0-9]{3}")


class InvalidFields(RuleViolation):
    """One or more fields break a rule; `errors` maps each field name to its message. Nothing was changed."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = dict(errors)


def require_organiser(actor: User) -> None:
    """Only organisers (and admins) manage wijken, rounds and phases."""
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_l("Only organisers may do this."))


@dataclass(frozen=True)
class WijkSettings:
    name: str
    municipality: str
    buurten: tuple[str, ...]
    postcodes: tuple[str, ...]


def _clean(text: str) -> str:
    return one_line(text)


def normalise(name: str, municipality: str, buurten: Sequence[str], postcodes: Sequence[str]) -> WijkSettings:
    """Trim whitespace, drop empty lines, sort postcodes and keep each postcode once."""
    return WijkSettings(
        name=_clean(name),
        municipality=_clean(municipality),
        buurten=tuple(b for b in (_clean(x) for x in buurten) if b),
        postcodes=tuple(sorted({p.strip() for p in postcodes if p.strip()})),
    )


def check_wijk(settings: WijkSettings, wijk_id: int | None = None) -> dict[str, Any]:
    """Every rule a wijk must meet, as {field: message}; empty when all is well.

    Name required, unique (ignoring case) and at most 120 characters; municipality required; buurt names
    unique within the wijk; at least one postcode and every postcode a 4-digit PC4 area (1000-9999).
    """
    errors: dict[str, Any] = {}
    if not settings.name:
        errors["name"] = _l("Fill in the name of the neighbourhood.")
    elif len(settings.name) > NAME_MAX:
        errors["name"] = _l("Use at most %(n)d characters.", n=NAME_MAX)
    elif _name_taken(settings.name, wijk_id):
        errors["name"] = _l("A neighbourhood with this name already exists.")
    if not settings.municipality:
        errors["municipality"] = _l("Fill in the municipality.")
    elif len(settings.municipality) > NAME_MAX:
        errors["municipality"] = _l("Use at most %(n)d characters.", n=NAME_MAX)
    buurt_error = _check_buurten(settings.buurten)
    if buurt_error is not None:
        errors["buurten"] = buurt_error
    postcode_error = _check_postcodes(settings.postcodes)
    if postcode_error is not None:
        errors["postcodes"] = postcode_error
    return errors


def _name_taken(name: str, wijk_id: int | None) -> bool:
    query = select(Wijk.id).where(func.lower(Wijk.name) == name.lower())
    if wijk_id is not None:
        query = query.where(Wijk.id != wijk_id)
    return db.session.scalar(query) is not None


def _check_buurten(buurten: Sequence[str]) -> Any:
    too_long = [b for b in buurten if len(b) > NAME_MAX]
    if too_long:
        return _l("A buurt name may have at most %(n)d characters: %(names)s", n=NAME_MAX, names=too_long[0])
    seen: set[str] = set()
    for buurt in buurten:
        if buurt.lower() in seen:
            return _l("The buurt “%(name)s” is listed twice.", name=buurt)
        seen.add(buurt.lower())
    return None


def _check_postcodes(postcodes: Sequence[str]) -> Any:
    if not postcodes:
        return _l("Fill in at least one postcode area (4 digits, for example 3512).")
    wrong = [p for p in postcodes if not POSTCODE_PATTERN.fullmatch(p)]
    if wrong:
        return _l(
            "These are not 4-digit postcode areas: %(codes)s. Use four digits, for example 3512.",
            codes=", ".join(wrong),
        )
    return None


def create_wijk(
    actor: User, *, name: str, municipality: str, buurten: Sequence[str], postcodes: Sequence[str]
) -> Wijk:
    """Create a wijk with its buurten and postcodes (rules: see `check_wijk`); audited as "wijk.created"."""
    require_organiser(actor)
    settings = normalise(name, municipality, buurten, postcodes)
    errors = check_wijk(settings)
    if errors:
        raise InvalidFields(errors)
    wijk = Wijk(name=settings.name, municipality=settings.municipality, postcodes=list(settings.postcodes))
    wijk.buurten = [Buurt(name=b) for b in settings.buurten]
    with _name_clash_explained():
        db.session.add(wijk)
        db.session.flush()
        _record_created(actor, wijk, settings)
        db.session.commit()
    return wijk


def _record_created(actor: User, wijk: Wijk, settings: WijkSettings) -> None:
    record_event(
        actor,
        "wijk.created",
        subject=f"wijk {wijk.id}: {wijk.name}"[:120],
        details={
            "wijk_id": wijk.id,
            "name": wijk.name,
            "municipality": wijk.municipality,
            "buurten": list(settings.buurten),
            "postcodes": list(settings.postcodes),
        },
    )


def update_wijk(
    actor: User,
    wijk_id: int,
    *,
    name: str,
    municipality: str,
    buurten: Sequence[str],
    postcodes: Sequence[str],
) -> Wijk:
    """Change a wijk (rules: see `check_wijk`); audited as "wijk.updated" with what changed.

    Buurten are matched by name: new names are added, missing names removed. A buurt that proposals or a
    round's kaders (a cap or a budget of its own) refer to cannot be removed: they would lose their place.
    While a round of the wijk is in voting or later, its postcode areas and buurten cannot change at all.
    The change is audited on the wijk and on the log of each of its rounds.
    """
    require_organiser(actor)
    wijk = db.session.get(Wijk, wijk_id)
    if wijk is None:
        raise NotFound(_l("This neighbourhood does not exist."))
    settings = normalise(name, municipality, buurten, postcodes)
    errors = check_wijk(settings, wijk_id=wijk.id)
    removed = [b for b in wijk.buurten if b.name.lower() not in {n.lower() for n in settings.buurten}]
    in_use = _buurten_in_use(removed)
    if in_use and "buurten" not in errors:
        errors["buurten"] = _l(
            "The buurt “%(name)s” has proposals or its own budget or cap in a round, so it cannot be removed.",
            name=in_use[0].name,
        )
    errors.update(_frozen_area_errors(wijk, settings, removed))
    if errors:
        raise InvalidFields(errors)
    with _name_clash_explained():
        changes = _apply(wijk, settings, removed)
        if changes:
            _record_updated(actor, wijk, changes)
        db.session.commit()
    return wijk


def frozen_by_round(wijk: Wijk) -> Round | None:
    """The first round of the wijk in voting or later: while there is one, its areas may not change."""
    return next((r for r in wijk.rounds if is_frozen_phase(r.phase)), None)


def _frozen_area_errors(wijk: Wijk, settings: WijkSettings, removed: Sequence[Buurt]) -> dict[str, Any]:
    """Refusals for changed postcode areas or buurten while a round of the wijk is in voting or later:
    ballots, registers and the published result were checked against them (the model refuses too)."""
    rnd = frozen_by_round(wijk)
    if rnd is None:
        return {}
    message = _l(
        "Voting has started in “%(round)s”, so the postcode areas and buurten of this neighbourhood can no "
        "longer change. You can still change its name and municipality.",
        round=rnd.title,
    )
    errors: dict[str, Any] = {}
    existing = {b.name.lower() for b in wijk.buurten}
    if removed or any(n.lower() not in existing for n in settings.buurten):
        errors["buurten"] = message
    if set(settings.postcodes) != set(wijk.postcodes or []):
        errors["postcodes"] = message
    return errors


def _record_updated(actor: User, wijk: Wijk, changes: dict[str, Any]) -> None:
    """The change on the wijk's own record and on the log of every round of the wijk: its rounds' voters
    and buurten follow the wijk, so each round's log must show it."""
    subject = f"wijk {wijk.id}: {wijk.name}"[:120]
    record_event(actor, "wijk.updated", subject=subject, details=changes)
    for rnd in wijk.rounds:
        record_event(actor, "wijk.updated", round_id=rnd.id, subject=subject, details=changes)


def _buurten_in_use(buurten: Sequence[Buurt]) -> list[Buurt]:
    ids = [b.id for b in buurten]
    if not ids:
        return []
    used: set[int | None] = set()
    for column in (Project.buurt_id, RoundCap.buurt_id, RoundBuurtBudget.buurt_id):
        used.update(db.session.scalars(select(column).where(column.in_(ids))).all())
    return [b for b in buurten if b.id in used]


def _apply(wijk: Wijk, settings: WijkSettings, removed: Sequence[Buurt]) -> dict[str, Any]:
    changes: dict[str, Any] = {"wijk_id": wijk.id}
    for attr in ("name", "municipality"):
        old, new = getattr(wijk, attr), getattr(settings, attr)
        if old != new:
            changes[attr] = [old, new]
            setattr(wijk, attr, new)
    existing = {b.name.lower() for b in wijk.buurten}
    added = [n for n in settings.buurten if n.lower() not in existing]
    for buurt in removed:
        wijk.buurten.remove(buurt)
    wijk.buurten.extend(Buurt(name=n) for n in added)
    if added or removed:
        changes["buurten"] = {"added": added, "removed": [b.name for b in removed]}
    old_codes, new_codes = set(wijk.postcodes or []), set(settings.postcodes)
    if old_codes != new_codes:
        changes["postcodes"] = {
            "added": sorted(new_codes - old_codes),
            "removed": sorted(old_codes - new_codes),
        }
        wijk.postcodes = list(settings.postcodes)
    return changes if len(changes) > 1 else {}


@contextmanager
def _name_clash_explained() -> Iterator[None]:
    # The unique name is checked above; a concurrent insert of the same name ends up here.
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise InvalidFields({"name": _l("A neighbourhood with this name already exists.")}) from None
