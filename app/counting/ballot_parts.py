"""One resident's ballot in a round: what they marked, split over the ballot's parts, checked all at once.

A round's ballot has one part per budget: the whole wijk's, and one per buurt that has its own budget.  Every
part has the round's ballot rules (:class:`~app.counting.ballots.BallotRules`, with the part's own budget for
a knapsack ballot) and its own projects; a project is in exactly one part.  A resident may vote in the parts
named ``allowed`` (the wijk's and their own buurt's).

Rules, all checked at once by :func:`check_marks`:

- What was marked is read by the ballot kind: ticked projects (approval, knapsack, choose-1); points per
  project (cumulative: a whole number, empty or 0 means not chosen); a rank per project (ordinal: 1 is the
  favourite, empty means not ranked).
- A project of a part the resident may not vote in is refused (``not_your_part``); an unknown one too.
- Ranks within a part are 1, 2, 3, ... without gaps or repeats (``rank_invalid``, ``rank_duplicate``,
  ``rank_gap``); then the part is checked by :func:`~app.counting.ballots.validate` with its rules.
- With one part, that part is always checked (its minimum applies).  With several, a resident may leave a
  part empty (they do not vote in it); the minimum of a part applies once something is marked in it, and the
  ballot as a whole must name at least one project (``empty_ballot``).

Every problem carries the key of its part (``None`` when it belongs to no part).  Problem codes beyond those
of :mod:`app.counting.ballots`: ``not_your_part``, ``empty_ballot``, ``rank_invalid`` (``rank``: the text),
``rank_duplicate`` (``rank``, ``times``), ``rank_gap`` (``missing``: the first rank not given).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from .ballots import POINTS_INVALID, UNKNOWN_PROJECT, BallotProblem, BallotRules, validate
from .model import Project

NOT_YOUR_PART: Final = "not_your_part"
EMPTY_BALLOT: Final = "empty_ballot"
RANK_INVALID: Final = "rank_invalid"
RANK_DUPLICATE: Final = "rank_duplicate"
RANK_GAP: Final = "rank_gap"

MAX_NUMBER_TEXT: Final = 6  # digits: more is never a sensible number of points or a rank


@dataclass(frozen=True, slots=True)
class BallotPart:
    """One part of a round's ballot: its key, its rules and its projects (keyed by counting id)."""

    key: str
    rules: BallotRules
    projects: Mapping[str, Project]


@dataclass(frozen=True, slots=True)
class Marks:
    """What one resident marked, as entered: ticked ids, or points / a rank per id as text."""

    ticked: Sequence[str] = ()
    points: Mapping[str, str] = field(default_factory=dict)
    ranks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PartChoice:
    """What the resident chose in one part: ids (ordinal: favourite first) with points (cumulative only)."""

    key: str
    choices: tuple[str, ...]
    points: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class CheckedBallot:
    """Every allowed part's choice (empty ones included) and every problem; valid when there are none."""

    parts: tuple[PartChoice, ...]
    problems: tuple[BallotProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def chosen(self) -> tuple[str, ...]:
        return tuple(pid for part in self.parts for pid in part.choices)


def check_marks(parts: Sequence[BallotPart], marks: Marks, *, allowed: Collection[str]) -> CheckedBallot:
    """Split ``marks`` over ``parts`` and check everything (see the module docstring); stores nothing."""
    kind = parts[0].rules.kind if parts else "approval"
    part_of = {pid: part.key for part in parts for pid in part.projects}
    problems: list[BallotProblem] = []
    marked = _read(kind, marks, problems)
    per_part: dict[str, list[tuple[str, int | None]]] = {part.key: [] for part in parts}
    for pid, value in marked:
        key = part_of.get(pid)
        if key is None:
            problems.append(BallotProblem(UNKNOWN_PROJECT, pid))
        elif key not in allowed:
            problems.append(BallotProblem(NOT_YOUR_PART, pid, part=key))
        else:
            per_part[key].append((pid, value))
    chosen: list[PartChoice] = []
    several = sum(1 for part in parts if part.key in allowed) > 1
    for part in parts:
        if part.key not in allowed:
            continue
        choice, part_problems = _check_part(part, per_part[part.key], skip_if_empty=several)
        chosen.append(choice)
        problems.extend(part_problems)
    if several and not any(choice.choices for choice in chosen) and not problems:
        problems.append(BallotProblem(EMPTY_BALLOT))
    return CheckedBallot(tuple(chosen), tuple(problems))


def _read(kind: str, marks: Marks, problems: list[BallotProblem]) -> list[tuple[str, int | None]]:
    """The marked ids with their number (points or rank; ``None`` when ticked), unreadable numbers reported."""
    if kind == "cumulative":
        return _numbers(marks.points, POINTS_INVALID, "points", problems)
    if kind == "ordinal":
        return _numbers(marks.ranks, RANK_INVALID, "rank", problems)
    return [(pid, None) for pid in dict.fromkeys(str(p) for p in marks.ticked)]


def _numbers(
    raw: Mapping[str, str], code: str, name: str, problems: list[BallotProblem]
) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for pid, text in raw.items():
        cleaned = str(text).strip()
        if not cleaned or (code == POINTS_INVALID and cleaned.strip("0") == ""):
            continue  # not chosen: empty, or 0 points
        if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > MAX_NUMBER_TEXT:
            problems.append(BallotProblem(code, str(pid), {name: cleaned[:20]}))
            continue
        number = int(cleaned)
        if code == RANK_INVALID and number < 1:
            problems.append(BallotProblem(code, str(pid), {name: cleaned}))
            continue
        out.append((str(pid), number))
    return out


def _check_part(
    part: BallotPart, marked: list[tuple[str, int | None]], *, skip_if_empty: bool
) -> tuple[PartChoice, list[BallotProblem]]:
    if not marked and skip_if_empty:
        return PartChoice(part.key, (), () if part.rules.kind == "cumulative" else None), []
    problems: list[BallotProblem] = []
    if part.rules.kind == "cumulative":
        ids = tuple(pid for pid, _ in marked)
        points = tuple(int(value or 0) for _, value in marked)
        found = validate(part.rules, dict(zip(ids, points, strict=True)), part.projects)
        choice = PartChoice(part.key, ids, points)
    elif part.rules.kind == "ordinal":
        problems.extend(_rank_problems(part.key, marked))
        ranking = tuple(pid for pid, _ in sorted(marked, key=lambda item: (item[1] or 0, item[0])))
        found = validate(part.rules, ranking, part.projects)
        choice = PartChoice(part.key, ranking)
    else:
        ids = tuple(pid for pid, _ in marked)
        found = validate(part.rules, ids, part.projects)
        choice = PartChoice(part.key, ids)
    problems.extend(_in_part(problem, part.key) for problem in found)
    return choice, problems


def _rank_problems(key: str, marked: list[tuple[str, int | None]]) -> list[BallotProblem]:
    """Ranks must be 1..n, each once: one problem per repeated rank, and one for the first missing rank."""
    problems: list[BallotProblem] = []
    times: dict[int, int] = {}
    for _, rank in marked:
        assert rank is not None
        times[rank] = times.get(rank, 0) + 1
    for rank in sorted(times):
        if times[rank] > 1:
            problems.append(BallotProblem(RANK_DUPLICATE, None, {"rank": rank, "times": times[rank]}, key))
    missing = next((r for r in range(1, len(times) + 1) if r not in times), None)
    if missing is not None:
        problems.append(BallotProblem(RANK_GAP, None, {"missing": missing}, key))
    return problems


def _in_part(problem: BallotProblem, key: str) -> BallotProblem:
    return BallotProblem(problem.code, problem.project_id, problem.details, key)
