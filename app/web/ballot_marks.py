"""Reading a ballot form: what the voter (or poll worker) marked, for every ballot type and part.

The resident ballot, the letter-code ballot and the paper entry form share one markup (`_ballot_parts.html`):
ticked projects are `project_ids`, points are `points-<project id>`, places are `rank-<project id>`, and the
buurt a resident of an open round says they live in is `buurt_id`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from werkzeug.datastructures import MultiDict

from app.services.voting.ballots import BallotMarks

MAX_FIELDS = 2000  # more inputs than any real ballot has: the rest is ignored, never a slow request


def marks_from(form: MultiDict[str, str]) -> BallotMarks:
    """The marks in a submitted ballot form (text as typed; the service checks it)."""
    points: dict[str, str] = {}
    ranks: dict[str, str] = {}
    for index, (name, value) in enumerate(form.items(multi=False)):
        if index >= MAX_FIELDS:
            break
        if name.startswith("points-"):
            points[name.removeprefix("points-")] = value
        elif name.startswith("rank-"):
            ranks[name.removeprefix("rank-")] = value
    ticked = tuple(form.getlist("project_ids")[:MAX_FIELDS])
    return BallotMarks(ticked, points, ranks, form.get("buurt_id", "")[:12])


# Post/Redirect/Get for a ballot that was checked or refused: the marks wait in the voter's own session (never
# in the database, never in a URL a log could keep) until the page shows them once more.
DRAFT_KEY = "ballot_draft"
MAX_DRAFT_MARKS = 300  # a session cookie holds about 4 kB


def remember_draft(session: MutableMapping[str, Any], page: str, marks: BallotMarks) -> None:
    """Keep what was marked on `page` (one ballot page) for the GET that follows the redirect."""
    session[DRAFT_KEY] = {
        "page": page,
        "project_ids": list(marks.project_ids[:MAX_DRAFT_MARKS]),
        "points": dict(list(marks.points.items())[:MAX_DRAFT_MARKS]),
        "ranks": dict(list(marks.ranks.items())[:MAX_DRAFT_MARKS]),
        "buurt_id": marks.buurt_id,
    }


def recall_draft(session: MutableMapping[str, Any], page: str) -> BallotMarks | None:
    """The marks kept for `page`, if any; they stay until the vote is cast or another ballot is checked."""
    draft = session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or draft.get("page") != page:
        return None
    return BallotMarks(
        tuple(str(i) for i in draft.get("project_ids", ())),
        {str(k): str(v) for k, v in draft.get("points", {}).items()},
        {str(k): str(v) for k, v in draft.get("ranks", {}).items()},
        str(draft.get("buurt_id", "")),
    )


def forget_draft(session: MutableMapping[str, Any]) -> None:
    session.pop(DRAFT_KEY, None)
