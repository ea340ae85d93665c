"""Finding proposals in a round: filter by theme, buurt and status, search the text, and sort.

Sorts: "newest" (default), "support" (most supports first, then newest), "random": an order fixed by the
visitor's own seed, so one visitor sees a stable order while no proposal always comes first for everyone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.models import Project, Round

SORTS = ("newest", "support", "random")


@dataclass(frozen=True)
class ProposalQuery:
    category: str = ""
    buurt_id: int | None = None
    status: str = ""
    text: str = ""
    sort: str = "newest"


def find_proposals(rnd: Round, query: ProposalQuery, supports: dict[int, int], seed: str) -> list[Project]:
    words = query.text.casefold().split()
    found = [
        p
        for p in rnd.projects
        if (not query.category or p.category == query.category)
        and (query.buurt_id is None or p.buurt_id == query.buurt_id)
        and (not query.status or p.status == query.status)
        and all(w in f"{p.title} {p.description}".casefold() for w in words)
    ]
    newest = sorted(found, key=lambda p: (p.created_at, p.id), reverse=True)
    if query.sort == "support":
        return sorted(newest, key=lambda p: supports.get(p.id, 0), reverse=True)  # stable: newest breaks ties
    if query.sort == "random":
        return sorted(found, key=lambda p: hashlib.sha256(f"{seed}:{p.id}".encode()).digest())
    return newest
