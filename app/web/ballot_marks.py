"""Reading a ballot form: what the voter (or poll worker) marked, for every ballot type and part.

The resident ballot, the letter-code ballot and the paper entry form share one markup (`_ballot_parts.html`):
ticked projects are `project_ids`, points are `points-<project id>`, places are `rank-<project id>`, and the
buurt a resident of an open round says they live in is `buurt_id`.
"""

from __future__ import annotations

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
