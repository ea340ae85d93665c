"""Deterministic tie-breaking, recorded in the result.

Every rule breaks ties with one fixed *priority order* of all projects, computed before counting starts: when
two projects are equally good for the rule at hand, the one earlier in the priority order wins.  Because the
order is fixed in advance and written into the result, anyone can re-run the count and get the same outcome.

Modes:

``lexicographic``
    Project ids compared as text, smaller first.  This is pabutools' default tie-breaking, so results agree
    with pabutools one to one.

``default`` (for new rounds)
    Cheaper project first; then the one with more votes (more supporters); then a lot: a fixed order of the
    project ids drawn before voting opened and passed in as ``lot_order``.  Without a lot order the last step
    falls back to the id text order, and the record says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from .model import Money

TieBreakMode: TypeAlias = Literal["lexicographic", "default"]
TIE_BREAKS: Final[tuple[TieBreakMode, ...]] = ("lexicographic", "default")


@dataclass(frozen=True, slots=True)
class TieBreakRecord:
    """What was used to break ties, as stored with a result.

    ``order`` is the complete priority order that was applied (earlier wins a tie); ``lot_order`` the lot that
    was passed in (``None`` if none); ``fallback`` is true when the default mode had no lot order and fell back
    to the id text order; ``description`` says all of this in one English sentence for logs and the CLI.
    """

    mode: TieBreakMode
    order: tuple[str, ...]
    lot_order: tuple[str, ...] | None
    fallback: bool
    description: str

    def to_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "lot_order": list(self.lot_order) if self.lot_order is not None else None,
            "fallback_to_id_order": self.fallback,
            "order": list(self.order),
            "description": self.description,
        }


class TieBreakError(ValueError):
    """The tie-break mode is unknown or the lot order does not cover every project."""


def priority_order(
    mode: str,
    costs: Mapping[str, Money],
    supporters: Mapping[str, int],
    lot_order: Sequence[str] | None = None,
) -> TieBreakRecord:
    """Compute the tie-break priority order of all projects (the keys of ``costs``).

    ``lexicographic``: ids sorted as text.  ``default``: sorted by (cost ascending, supporters descending,
    position in ``lot_order``); without ``lot_order`` the last key is the id text and ``fallback`` is set.

    A lot order must name every project at least once; ids it names that are not in the election (a project
    withdrawn after the draw) are ignored.  The result is a total order, so counting never meets an unbroken
    tie.  Raises :class:`TieBreakError` for an unknown mode or an incomplete lot order.
    """
    ids = list(costs)
    if mode == "lexicographic":
        if lot_order is not None:
            raise TieBreakError("a lot order is only used by the 'default' tie-break mode")
        return TieBreakRecord(
            "lexicographic",
            tuple(sorted(ids)),
            None,
            False,
            "ties broken by project id compared as text, smaller first",
        )
    if mode != "default":
        raise TieBreakError(f"unknown tie-break mode {mode!r}; choose one of: {', '.join(TIE_BREAKS)}")
    if lot_order is None:
        order = sorted(ids, key=lambda pid: (costs[pid], -supporters.get(pid, 0), pid))
        return TieBreakRecord(
            "default",
            tuple(order),
            None,
            True,
            "ties broken by lower cost, then more votes, then (no lot order was drawn) "
            "project id compared as text",
        )
    position: dict[str, int] = {}
    for index, pid in enumerate(lot_order):
        position.setdefault(pid, index)  # a repeated id keeps its first draw
    missing = [pid for pid in ids if pid not in position]
    if missing:
        raise TieBreakError(f"the lot order does not name these projects: {', '.join(missing)}")
    order = sorted(ids, key=lambda pid: (costs[pid], -supporters.get(pid, 0), position[pid]))
    return TieBreakRecord(
        "default",
        tuple(order),
        tuple(lot_order),
        False,
        "ties broken by lower cost, then more votes, then the lot order drawn before voting",
    )


def draw_lot_order(project_ids: Iterable[str]) -> tuple[str, ...]:
    """Draw a lot order for the ``default`` tie-break: the project ids in a uniformly random order.

    Meant to be called once, when voting opens, and stored with the round (and published), so that the tie
    break is fixed before anyone votes.  Uses the operating system's randomness (``secrets``), not a seedable
    generator, so nobody can predict or replay the draw.
    """
    order = list(dict.fromkeys(project_ids))
    secrets.SystemRandom().shuffle(order)
    return tuple(order)
