"""Frozen kaders: once a round is in VOTING or later, nothing its ballots were cast against may change.

The services refuse such changes with a clear message; this module is the last line of defence. A
`before_flush` listener refuses, for every model registered with `frozen_with_round`, any insert, change
or delete of a row whose round is frozen, whatever code path tried it. Two ways through, both explicit:

- `amending(session)`: the amendment service corrects the `amendable` text columns (and nothing else);
- `seeding(session)`: demo data and test factories write a round's past in one go (e.g. the projects of a
  round that is already in voting). Services never use it.

A model joins the freeze with one line after its class, e.g. `frozen_with_round(RegisterEntry)`; by
default every column is frozen, `mutable` names the bookkeeping columns that may still change.

A wijk's areas freeze with its rounds too: while any round of the wijk is in VOTING or later, its postcode
areas and its buurten (adding, removing, renaming) are what ballots and registers were checked against, so
they may not change (`FrozenWijkError`); its name and municipality may.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.models.eligibility import CodeBatch, RegisterEntry, RegisterImport
from app.models.round import PHASE_ORDER, Phase, Round, RoundBuurtBudget, RoundCap
from app.models.wijk import Buurt, Wijk

FREEZE_MODE = "wijkbudget.freeze_mode"  # key in Session.info: "amendment" or "seeding" while active
AMENDMENT, SEEDING = "amendment", "seeding"
_FROZEN_FROM = PHASE_ORDER.index(Phase.VOTING)


class FrozenRoundError(RuntimeError):
    """Raised at flush time when something tries to change a frozen round or what belongs to it."""


class FrozenWijkError(FrozenRoundError):
    """Raised at flush time when something tries to change the areas of a wijk with a frozen round."""


FROZEN_PHASES = tuple(p.value for p in PHASE_ORDER[_FROZEN_FROM:])


@dataclass(frozen=True)
class _Rule:
    round_attr: str  # the attribute holding the round's id ("id" for Round itself)
    mutable: frozenset[str]  # may still change after the freeze
    amendable: frozenset[str]  # may change only inside `amending()`


_RULES: dict[type, _Rule] = {}


def frozen_with_round(
    model: type, *, round_attr: str = "round_id", mutable: Iterable[str] = (), amendable: Iterable[str] = ()
) -> None:
    """Freeze `model`'s rows together with their round (see the module docstring)."""
    _RULES[model] = _Rule(round_attr, frozenset(mutable), frozenset(amendable))


def is_frozen_phase(phase: str | None) -> bool:
    return phase is not None and PHASE_ORDER.index(Phase(phase)) >= _FROZEN_FROM


@contextmanager
def amending(session: Any) -> Iterator[None]:
    """Let the amendment service change the amendable columns of a frozen round for this block."""
    with _mode(session, AMENDMENT):
        yield


@contextmanager
def seeding(session: Any) -> Iterator[None]:
    """Let demo data and test factories build a round's history; never used by a service."""
    with _mode(session, SEEDING):
        yield


@contextmanager
def _mode(session: Any, mode: str) -> Iterator[None]:
    previous = session.info.get(FREEZE_MODE)
    session.info[FREEZE_MODE] = mode
    try:
        yield
    finally:
        session.info[FREEZE_MODE] = previous


# Round itself: its phase, the voting timestamps and the lot's single draw are the only writes after
# the freeze. The lot is written exactly once, in the flush that still sees the round before VOTING.
frozen_with_round(
    Round,
    round_attr="id",
    # register_deleted_at: the retention purge after publication is bookkeeping, not a kader.
    mutable=("phase", "voting_opened_at", "voting_closed_at", "register_deleted_at"),
    amendable=("title", "out_of_scope"),
)

# Caps and buurt budgets are kaders: they freeze with the round.
frozen_with_round(RoundCap)
frozen_with_round(RoundBuurtBudget)

# The register and the code batch freeze with the kaders. The poll book mark (`voted_channel`) and the
# jobs' own progress still change; letter codes themselves do not freeze (re-issue and desk codes are part
# of voting), and the retention purge deletes in bulk after publication.
frozen_with_round(RegisterEntry, mutable=("voted_channel",))
frozen_with_round(
    RegisterImport,
    mutable=(
        "status",
        "source",
        "processed_lines",
        "imported",
        "rejected",
        "errors",
        "failure",
        "finished_at",
    ),
)
frozen_with_round(
    CodeBatch,
    mutable=("status", "generated", "failure", "finished_at", "pdf_downloaded_at", "csv_downloaded_at"),
)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_rounds(session: Session, flush_context: Any, instances: Any) -> None:
    mode = session.info.get(FREEZE_MODE)
    if mode == SEEDING:
        return
    phases = _PhaseLookup(session)
    for obj in session.new:
        rule = _RULES.get(type(obj))
        if rule is not None and not isinstance(obj, Round) and phases.frozen(getattr(obj, rule.round_attr)):
            raise FrozenRoundError(f"cannot add {_name(obj)}: its round is frozen (voting has opened)")
    for obj in session.deleted:
        rule = _RULES.get(type(obj))
        if rule is not None and phases.frozen(_committed(obj, rule.round_attr)):
            raise FrozenRoundError(f"cannot delete {_name(obj)}: its round is frozen (voting has opened)")
    for obj in session.dirty:
        rule = _RULES.get(type(obj))
        if rule is not None and session.is_modified(obj):
            _check_update(obj, rule, phases, amendment=mode == AMENDMENT)
    _refuse_changes_to_frozen_wijken(session)


def _refuse_changes_to_frozen_wijken(session: Session) -> None:
    changed: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Buurt):
            changed.update(_buurt_wijk_ids(obj))
    for obj in session.dirty:
        if isinstance(obj, Buurt) and _buurt_identity_changed(obj):
            changed.update(_buurt_wijk_ids(obj))
        elif isinstance(obj, Wijk) and inspect(obj).attrs["postcodes"].history.has_changes():
            if sorted(_committed(obj, "postcodes") or []) != sorted(obj.postcodes or []):
                changed.add(obj.id)
    for wijk_id in sorted(changed):
        if wijk_has_frozen_round(session, wijk_id):
            raise FrozenWijkError(
                f"cannot change the postcodes or buurten of wijk {wijk_id}: a round is frozen"
            )


def _buurt_identity_changed(buurt: Buurt) -> bool:
    """A buurt renamed or moved to another wijk; its map outline is not an area of the vote and may change."""
    state: Any = inspect(buurt)
    return any(state.attrs[name].history.has_changes() for name in ("name", "wijk_id"))


def _buurt_wijk_ids(buurt: Buurt) -> set[int]:
    """The wijken a buurt belongs to before and after this flush (a new buurt may know only its wijk)."""
    ids = {_committed(buurt, "wijk_id"), buurt.wijk_id}
    if "wijk" not in inspect(buurt).unloaded and buurt.wijk is not None:
        ids.add(buurt.wijk.id)
    return {i for i in ids if i is not None}


def wijk_has_frozen_round(session: Any, wijk_id: int) -> bool:
    """Whether any round of the wijk is in VOTING or later (stored, or pending in this session)."""
    for obj in session.identity_map.values():
        if isinstance(obj, Round) and obj.wijk_id == wijk_id and is_frozen_phase(obj.phase):
            return True
    with session.no_autoflush:
        stmt = select(Round.id).where(Round.wijk_id == wijk_id, Round.phase.in_(FROZEN_PHASES)).limit(1)
        return session.scalar(stmt) is not None


def _check_update(obj: Any, rule: _Rule, phases: _PhaseLookup, *, amendment: bool) -> None:
    changed = [attr.key for attr in inspect(obj).attrs if attr.history.has_changes()]
    if isinstance(obj, Round):
        old_phase, new_phase = _committed(obj, "phase"), obj.phase
        was_frozen = is_frozen_phase(old_phase)
        frozen = was_frozen or is_frozen_phase(new_phase)
        if was_frozen and not is_frozen_phase(new_phase):
            raise FrozenRoundError(f"round {obj.id} cannot go back from {old_phase} to {new_phase}")
    else:
        was_frozen = frozen = any(phases.frozen(rid) for rid in _round_ids(obj, rule))
    for key in changed:
        if key in rule.mutable or (amendment and key in rule.amendable):
            continue
        if isinstance(obj, Round) and key == "tie_break_lot" and not was_frozen:
            continue  # the draw when voting opens
        if frozen:
            raise FrozenRoundError(f"cannot change {key} of {_name(obj)}: its round is frozen")


def _round_ids(obj: Any, rule: _Rule) -> set[int | None]:
    """The rounds a row belongs to before and after this flush (a move through the relationship counts)."""
    ids = {_committed(obj, rule.round_attr), getattr(obj, rule.round_attr)}
    for relationship in inspect(obj).mapper.relationships:
        if relationship.mapper.class_ is Round and relationship.direction.name == "MANYTOONE":
            related = getattr(obj, relationship.key)
            ids.add(related.id if related is not None else None)
    return ids


def _committed(obj: Any, key: str) -> Any:
    """The value as stored, before this flush's changes.

    A value set on an expired instance replaces it without loading it first, so the history may not
    know the stored value; then it is read from the database.
    """
    state = inspect(obj)
    history = state.attrs[key].load_history()
    stored = history.unchanged or history.deleted
    if stored:
        return stored[0]
    if state.identity is None:
        return getattr(obj, key)
    mapper = state.mapper
    where = [column == value for column, value in zip(mapper.primary_key, state.identity, strict=True)]
    session = state.session
    assert session is not None
    with session.no_autoflush:
        return session.scalar(select(mapper.columns[key]).where(*where))


def _name(obj: Any) -> str:
    return f"{type(obj).__name__} {inspect(obj).identity or '(new)'}"


class _PhaseLookup:
    """Whether a round is frozen, by its stored phase or the phase pending in this session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[int, bool] = {}

    def frozen(self, round_id: int | None) -> bool:
        if round_id is None:
            return False
        if round_id not in self.cache:
            self.cache[round_id] = self._lookup(round_id)
        return self.cache[round_id]

    def _lookup(self, round_id: int) -> bool:
        rnd = self.session.identity_map.get(self.session.identity_key(Round, round_id))
        if rnd is not None:
            return is_frozen_phase(_committed(rnd, "phase")) or is_frozen_phase(rnd.phase)
        with self.session.no_autoflush:
            stored = self.session.scalar(select(Round.phase).where(Round.id == round_id))
        return is_frozen_phase(stored)
