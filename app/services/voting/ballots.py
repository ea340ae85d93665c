"""Casting and checking ballots.

Rules (all checked on the server, every problem reported at once):
- Voting is possible only in the VOTING phase and before `voting_close_at`.
- Who may vote with an account depends on the round's eligibility (`app.services.eligibility.voting_rights`): open rounds
  check the self-declared postcode, age and confirmed e-mail; register-match rounds need a match to the voter
  register (the ballot waits, PENDING, until the match is verified); letter-code rounds take no account votes.
- Only feasible projects of the round are on the ballot; any other id makes the ballot invalid.
- The ballot has a part per budget (`app.services.rounds.parts`): the whole wijk's, and the voter's own buurt's
  when that buurt has a budget of its own. Every rule below applies per part; with several parts a part may be
  left empty, but not all of them.
- approval: between `min_choices` and `max_choices` projects (and at least one).
- knapsack: at least one project; the chosen projects together cost at most the part's budget and, when the
  kaders set `knapsack_min_spend_pct`, at least that share of it.
- points: whole numbers of points, at most `points_per_project` for one project and `points_total` in all.
- ranked: between `min_choices` and `max_choices` projects numbered 1, 2, 3, ... without gaps or repeats.
- One ballot per voter per round, changeable until voting closes; the ballot row holds only an anonymous
  voter key, and its receipt code stays the same when the ballot is changed. A cast ballot waits in the urn
  until the seal moves it into the ballot box (`app.services.voting.urn`, the why in docs/ballot-secrecy.md).

The arithmetic is `app.counting.ballots.validate`; this module supplies the round's rules, the projects on the
ballot, and the sentences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict

from sqlalchemy import select

from app.counting import ballots as counting_ballots
from app.counting.ballot_parts import (
    EMPTY_BALLOT,
    NOT_YOUR_PART,
    RANK_DUPLICATE,
    RANK_GAP,
    RANK_INVALID,
    BallotPart,
    Marks,
    check_marks,
)
from app.counting.ballots import BallotProblem
from app.counting.model import Project as CountingProject
from app.extensions import db
from app.models import (
    BallotChannel,
    BallotStatus,
    BallotType,
    Eligibility,
    Phase,
    Project,
    Round,
    User,
)
from app.money import euro_text
from app.services.eligibility.matches import live_match
from app.services.eligibility.open_round_seats import SEAT_TAKEN, take_seat
from app.services.eligibility.voting_rights import AccountVoter, account_ballot_key, account_voter
from app.services.errors import NotFound, RuleViolation
from app.services.proposals.submissions import MAX_ID
from app.services.rounds.parts import (
    RoundPart,
    ballot_projects,
    ballot_rules,
    register_buurt,
    round_parts,
    voter_parts,
)
from app.services.voting.urn import (
    NEVER,
    AlreadyInBallotBox,
    Replacement,
    StoredBallot,
    drop_in_urn,
    stored_ballot,
)
from app.translated import lazy_gettext as _l


@dataclass(frozen=True)
class BallotMarks:
    """What a voter marked, as entered: ticked project ids, points or a rank per project id (text), and for a
    round without a register the buurt they say they live in (the register says it in the other rounds)."""

    project_ids: tuple[str, ...] = ()
    points: Mapping[str, str] = field(default_factory=dict)
    ranks: Mapping[str, str] = field(default_factory=dict)
    buurt_id: str = ""

    @classmethod
    def of(cls, marks: BallotMarks | Iterable[object]) -> BallotMarks:
        """Marks as given, or ticked ids (the form of an approval or budget ballot) turned into marks."""
        return marks if isinstance(marks, BallotMarks) else cls(tuple(str(m) for m in marks))


@dataclass
class PartCheck:
    """One part of a checked ballot: the part, its valid chosen projects and their points or ranks."""

    part: RoundPart
    chosen: list[Project] = field(default_factory=list)
    values: dict[int, int] = field(default_factory=dict)  # points or rank per chosen project id

    @property
    def total_cents(self) -> int:
        return sum(p.cost_cents for p in self.chosen)

    @property
    def left_cents(self) -> int:
        return self.part.budget_cents - self.total_cents

    @property
    def points_used(self) -> int:
        return sum(self.values.values())


@dataclass
class BallotCheck:
    """A ballot measured against the kaders: the valid chosen projects (per part too), the running totals,
    what was typed (to show it again) and all problems."""

    budget_cents: int
    chosen: list[Project] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    parts: list[PartCheck] = field(default_factory=list)
    entered: dict[str, str] = field(default_factory=dict)  # points or rank text per project id
    marked: set[str] = field(default_factory=set)  # every project id marked, valid or not (to show again)
    buurt_id: int | None = None  # the voter's buurt part, when they vote in one

    @property
    def total_cents(self) -> int:
        return sum(p.cost_cents for p in self.chosen)

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.total_cents

    @property
    def chosen_ids(self) -> set[int]:
        return {p.id for p in self.chosen}

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def values(self) -> dict[int, int]:
        return {pid: value for part in self.parts for pid, value in part.values.items()}

    def stored_values(self, rnd: Round) -> StoredValues:
        """The values to store per choice (`store_ballot`'s `points` and `ranks`)."""
        return stored_values(rnd, self.values)


class StoredValues(TypedDict):
    """What `store_ballot` keeps next to each chosen project: its points, or its rank (or neither)."""

    points: dict[int, int] | None
    ranks: dict[int, int] | None


def stored_values(rnd: Round, values: Mapping[int, int]) -> StoredValues:
    """The points or ranks (by the round's ballot type) of `values`, as `store_ballot` takes them."""
    points = dict(values) if rnd.ballot_type == BallotType.POINTS.value else None
    ranks = dict(values) if rnd.ballot_type == BallotType.RANKED.value else None
    return {"points": points, "ranks": ranks}


class BallotRejected(RuleViolation):
    """The ballot breaks one or more rules; `check.problems` lists every one. Nothing was stored."""

    def __init__(self, check: BallotCheck) -> None:
        super().__init__(check.problems[0])
        self.check = check


def voting_open(rnd: Round, now: datetime | None = None) -> bool:
    """Voting is open in the VOTING phase until `voting_close_at`, even if the phase task runs late."""
    now = now or datetime.now(UTC)
    return rnd.phase == Phase.VOTING.value and now < rnd.voting_close_at


def may_vote(actor: User | None, rnd: Round) -> RuleViolation | None:
    """Why `actor` may not vote in `rnd` now (RuleViolation: phase; NotAllowed: who), or None when they may."""
    if not voting_open(rnd):
        return RuleViolation(_l("You can only vote while voting is open."))
    try:
        account_voter(actor, rnd)
    except RuleViolation as refusal:
        return refusal
    return None


def ballot_options(rnd: Round) -> list[Project]:
    """The projects on the ballot: the round's feasible projects, grouped by theme, then by title."""
    return ballot_projects(rnd)


def check_ballot(
    rnd: Round,
    marks: BallotMarks | Iterable[object],
    *,
    register_buurt_id: int | None = None,
    for_poll_worker: bool = False,
) -> BallotCheck:
    """Measure what a voter marked against the kaders, every part of the ballot at once; stores nothing.

    `marks`: ticked ids (ints or form strings, repeats ignored) or `BallotMarks`. The voter's buurt part is
    `register_buurt_id` (the register's buurt) in a round with a register, and the buurt the voter names in
    their marks in an open round (failing that, the one buurt whose projects they marked). The arithmetic is
    the counting core's `check_marks`; its problems are turned into sentences here, every one of them,
    addressed to the poll worker entering a paper ballot (`for_poll_worker`) or else to the voter.
    """
    given = BallotMarks.of(marks)
    parts = round_parts(rnd)
    in_round = {p.id: p for part in parts for p in part.projects}
    buurt_id = _voters_buurt(rnd, parts, given, register_buurt_id)
    allowed = voter_parts(parts, buurt_id)
    counted_parts = [
        BallotPart(
            part.key,
            ballot_rules(rnd, part.budget_cents),
            {str(p.id): CountingProject(str(p.id), p.cost_cents) for p in part.projects},
        )
        for part in parts
    ]
    checked = check_marks(counted_parts, _counting_marks(given), allowed=allowed)
    by_key = {part.key: part for part in parts}
    entered = _entered(rnd, given)
    marked = {_as_key(pid) for pid in given.project_ids} | set(entered)
    check = BallotCheck(rnd.budget_cents, entered=entered, marked=marked, buurt_id=buurt_id)
    for choice in checked.parts:
        part_check = PartCheck(by_key[choice.key])
        part_check.chosen = [in_round[int(pid)] for pid in choice.choices]
        part_check.values = _values(rnd, choice.choices, choice.points)
        check.parts.append(part_check)
        check.chosen += part_check.chosen
    if checked.problems:  # name projects that are not on the ballot too (a valid ballot needs no second look)
        in_round = {p.id: p for p in db.session.scalars(select(Project).where(Project.round_id == rnd.id))}
    check.problems = _sentences(list(checked.problems), in_round, by_key, rnd, for_poll_worker)
    return check


def page_parts(
    rnd: Round, check: BallotCheck, *, register_buurt_id: int | None = None, every_part: bool = False
) -> list[PartCheck]:
    """The parts a ballot page shows, each with what was marked in it: the wijk's part and the voter's own
    buurt's in a round with a register; every part in an open round (the voter says which buurt is theirs)
    and on a poll worker's form (`every_part`: the register's buurt is only known once the voter is found)."""
    parts = round_parts(rnd)
    if every_part or rnd.eligibility == Eligibility.OPEN.value:
        shown = {part.key for part in parts}
    else:
        shown = voter_parts(parts, register_buurt_id)
    checked = {part_check.part.key: part_check for part_check in check.parts}
    return [checked.get(part.key, PartCheck(part)) for part in parts if part.key in shown]


def _voters_buurt(
    rnd: Round, parts: list[RoundPart], marks: BallotMarks, register_buurt_id: int | None
) -> int | None:
    if rnd.eligibility != Eligibility.OPEN.value:
        return register_buurt_id
    declared = marks.buurt_id.strip()
    if declared.isdigit() and len(declared) < 12:
        return int(declared)
    marked = set(marks.project_ids) | {
        pid for pid, text in {**marks.points, **marks.ranks}.items() if text.strip()
    }
    buurten = {
        part.buurt_id for part in parts for p in part.projects if str(p.id) in marked and part.buurt_id
    }
    return buurten.pop() if len(buurten) == 1 else None


def _counting_marks(marks: BallotMarks) -> Marks:
    """Ids as the counting core compares them: the digits a form sent, anything else as "?" (unknown)."""
    return Marks(
        ticked=[_as_key(pid) for pid in marks.project_ids],
        points={_as_key(pid): text for pid, text in marks.points.items()},
        ranks={_as_key(pid): text for pid, text in marks.ranks.items()},
    )


def _as_key(value: object) -> str:
    text = str(value).strip()
    return str(int(text)) if text.isascii() and text.isdigit() and len(text) < 12 else "?"


def _entered(rnd: Round, marks: BallotMarks) -> dict[str, str]:
    raw = marks.points if rnd.ballot_type == BallotType.POINTS.value else marks.ranks
    return {_as_key(pid): str(text).strip()[:20] for pid, text in raw.items() if str(text).strip()}


def _values(rnd: Round, choices: tuple[str, ...], points: tuple[int, ...] | None) -> dict[int, int]:
    if rnd.ballot_type == BallotType.POINTS.value and points is not None:
        return {int(pid): pts for pid, pts in zip(choices, points, strict=True)}
    if rnd.ballot_type == BallotType.RANKED.value:
        return {int(pid): rank for rank, pid in enumerate(choices, start=1)}
    return {}


def _sentences(
    problems: list[BallotProblem],
    in_round: dict[int, Project],
    parts: Mapping[str, RoundPart],
    rnd: Round,
    for_poll_worker: bool = False,
) -> list[Any]:
    """The counting core's problem codes as sentences for the resident, unknown projects named once; with
    several parts, a part's problems name the part."""
    out: list[Any] = []
    unknown_said = False
    several = len(parts) > 1
    for problem in problems:
        pid = problem.project_id or ""
        known = in_round.get(int(pid)) if pid.isdigit() else None
        part = parts.get(problem.part or "")
        if problem.code == counting_ballots.UNKNOWN_PROJECT:
            if known is not None:
                out.append(_l("“%(title)s” is not on the ballot.", title=known.title))
            elif not unknown_said:
                out.append(_l("One or more of the chosen projects do not exist in this round."))
                unknown_said = True
        elif problem.code == NOT_YOUR_PART and part is not None:
            out.append(_not_your_part(rnd, part, known))
        elif several and part is not None:
            sentence = _sentence(problem.code, problem.details, known, for_poll_worker)
            out.append(_l("%(part)s: %(problem)s", part=_part_name(part), problem=sentence))
        else:
            out.append(_sentence(problem.code, problem.details, known, for_poll_worker))
    return out


def _part_name(part: RoundPart) -> Any:
    if part.is_wijk:
        return _l("The whole neighbourhood")
    return _l("Buurt %(name)s", name=part.name)


def _not_your_part(rnd: Round, part: RoundPart, project: Project | None) -> Any:
    title = project.title if project is not None else "?"
    if rnd.eligibility == Eligibility.OPEN.value:
        return _l(
            "“%(title)s” is a project of buurt %(buurt)s. Vote only for the projects of the buurt where you "
            "live, and choose that buurt.",
            title=title,
            buurt=part.name,
        )
    return _l(
        "“%(title)s” is a project of buurt %(buurt)s. You can vote for the projects of the whole "
        "neighbourhood and of your own buurt only.",
        title=title,
        buurt=part.name,
    )


def _sentence(
    code: str, details: Mapping[str, Any], project: Project | None = None, for_poll_worker: bool = False
) -> Any:
    title = project.title if project is not None else "?"
    if for_poll_worker and (about_the_paper := _paper_ballot_sentence(code, details, title)) is not None:
        return about_the_paper
    limit = details.get("limit")
    if code == counting_ballots.TOO_FEW:
        if limit == 1:
            return _l("Choose at least one project.")
        return _l("Choose at least %(min)d projects; you chose %(n)d.", min=limit, n=details["count"])
    if code == counting_ballots.TOO_MANY:
        if limit == 1:
            return _l("Choose only one project; you chose %(n)d.", n=details["count"])
        return _l("Choose at most %(max)d projects; you chose %(n)d.", max=limit, n=details["count"])
    if code == counting_ballots.OVER_BUDGET:
        total, budget = int(details["total"]), int(details["limit"])
        return _l(
            "Your choice costs %(total)s, which is %(over)s more than the budget of %(budget)s.",
            total=euro_text(total),
            over=euro_text(total - budget),
            budget=euro_text(budget),
        )
    if code == counting_ballots.UNDER_MIN_SHARE:
        return _l(
            "Your choice must use at least %(pct)d%% of the budget (%(min)s); it now uses %(total)s.",
            pct=int(details["share"] * 100),
            min=euro_text(math.ceil(details["required"])),
            total=euro_text(int(details["total"])),
        )
    if code == EMPTY_BALLOT:
        return _l("Choose at least one project.")
    points_or_ranks = _points_and_ranks_sentence(code, details, title)
    if points_or_ranks is not None:
        return points_or_ranks
    return _l("Your choice does not meet the rules of this round.")


def _paper_ballot_sentence(code: str, details: Mapping[str, Any], title: str) -> Any:
    """The problems said of the paper ballot, to the poll worker who enters it (never "you gave")."""
    limit = details.get("limit")
    if code == EMPTY_BALLOT or (code == counting_ballots.TOO_FEW and limit == 1):
        return _l("At least one project must be chosen; this ballot has none.")
    if code == counting_ballots.TOO_FEW:
        return _l(
            "At least %(min)d projects must be chosen; this ballot has %(n)d.", min=limit, n=details["count"]
        )
    if code == counting_ballots.TOO_MANY:
        return _l(
            "At most %(max)d projects may be chosen; this ballot has %(n)d.", max=limit, n=details["count"]
        )
    if code == counting_ballots.OVER_BUDGET:
        total, budget = int(details["total"]), int(details["limit"])
        return _l(
            "The choice on this ballot costs %(total)s, which is %(over)s more than the budget of %(budget)s.",
            total=euro_text(total),
            over=euro_text(total - budget),
            budget=euro_text(budget),
        )
    if code == counting_ballots.UNDER_MIN_SHARE:
        return _l(
            "The choice on this ballot must use at least %(pct)d%% of the budget (%(min)s); it uses %(total)s.",
            pct=int(details["share"] * 100),
            min=euro_text(math.ceil(details["required"])),
            total=euro_text(int(details["total"])),
        )
    return _paper_points_and_ranks_sentence(code, details, title)


def _paper_points_and_ranks_sentence(code: str, details: Mapping[str, Any], title: str) -> Any:
    if code == counting_ballots.POINTS_INVALID:
        return _l("Enter the points for “%(title)s” as a whole number, for example 2.", title=title)
    if code == counting_ballots.POINTS_PER_PROJECT:
        return _l(
            "This ballot gives “%(title)s” %(points)d points; one project can get at most %(max)d.",
            title=title,
            points=details["points"],
            max=details["limit"],
        )
    if code == counting_ballots.POINTS_TOTAL:
        return _l(
            "This ballot hands out %(total)d points; a voter has %(max)d.",
            total=details["total"],
            max=details["limit"],
        )
    if code == counting_ballots.POINTS_TOO_FEW:
        return _l("At least one project must get a point; this ballot gives none.")
    if code == RANK_INVALID:
        return _l(
            "Enter the place of “%(title)s” as a whole number: 1 for the voter's favourite, then 2, 3 and so on.",
            title=title,
        )
    if code == RANK_DUPLICATE:
        return _l(
            "This ballot gives place %(rank)d to more than one project; each place once.",
            rank=details["rank"],
        )
    if code == RANK_GAP:
        return _l(
            "Place %(rank)d is missing on this ballot: places go 1, 2, 3 without a gap.",
            rank=details["missing"],
        )
    return None


def _points_and_ranks_sentence(code: str, details: Mapping[str, Any], title: str) -> Any:
    if code == counting_ballots.POINTS_INVALID:
        return _l("Give “%(title)s” a whole number of points, for example 2.", title=title)
    if code == counting_ballots.POINTS_PER_PROJECT:
        return _l(
            "You gave “%(title)s” %(points)d points; one project can get at most %(max)d.",
            title=title,
            points=details["points"],
            max=details["limit"],
        )
    if code == counting_ballots.POINTS_TOTAL:
        return _l(
            "You handed out %(total)d points; you have %(max)d.", total=details["total"], max=details["limit"]
        )
    if code == counting_ballots.POINTS_TOO_FEW:
        return _l("Give at least one point to a project.")
    if code == RANK_INVALID:
        return _l(
            "Give “%(title)s” a place as a whole number: 1 for your favourite, then 2, 3 and so on.",
            title=title,
        )
    if code == RANK_DUPLICATE:
        return _l("You gave place %(rank)d to more than one project; each place once.", rank=details["rank"])
    if code == RANK_GAP:
        return _l(
            "Place %(rank)d is missing: number your choices 1, 2, 3 without skipping one.",
            rank=details["missing"],
        )
    return None


def cast_ballot(
    actor: User, round_id: int, marks: BallotMarks | Iterable[object]
) -> tuple[StoredBallot, bool]:
    """Store or replace the actor's ballot in one transaction; returns (ballot, created).

    The ballot goes into the urn (`app.services.voting.urn`) under the actor's anonymous voter key (from
    `voting_rights`: the account's own, or its register entry's), never their id. A register-matched account
    also marks its entry in the poll book, so a letter code or paper ballot of the same resident is refused
    afterwards (and the other way round); its ballot is PENDING until the match is verified. The account may
    replace its own online ballot until close, keeping the receipt code. The round row is share-locked so that
    closing the vote waits for ballots in flight. No audit event per ballot: the seal counts them.
    """
    rnd = lock_round_for_voting(round_id)  # one read: share-locked, and visible to residents
    if not voting_open(rnd):
        raise RuleViolation(_l("You can only vote while voting is open."))
    voter = account_voter(actor, rnd, lock=True)
    check = check_ballot(rnd, marks, register_buurt_id=register_buurt(voter.register_entry_id))
    if not check.ok:
        raise BallotRejected(check)
    try:
        ballot, created = _store_account_ballot(rnd, voter, check)
    except AlreadyVoted:
        db.session.rollback()
        raise
    db.session.commit()
    return ballot, created


def _store_account_ballot(rnd: Round, voter: AccountVoter, check: BallotCheck) -> tuple[StoredBallot, bool]:
    from app.services.voting.poll_book import mark_voted  # poll_book imports AlreadyVoted from this module

    online = BallotChannel.ONLINE_ACCOUNT.value
    if voter.person_key is not None and not take_seat(rnd, voter.person_key, voter.key):
        raise AlreadyVoted(SEAT_TAKEN)
    if voter.register_entry_id is not None:
        mark_voted(voter.register_entry_id, online, same_channel_ok=True)
    return store_ballot(
        rnd.id,
        voter.key,
        sorted(check.chosen_ids),
        **check.stored_values(rnd),
        channel=online,
        status=voter.ballot_status,
        may_replace=Replacement(online),
    )


def lock_round_for_voting(round_id: int) -> Round:
    """Share-lock the round for a ballot, so closing the vote waits for ballots in flight; NotFound for a round
    residents may not see (as `visible_round`)."""
    if not 0 < round_id <= MAX_ID:
        raise NotFound(_l("This round does not exist."))
    stmt = (
        select(Round).where(Round.id == round_id, Round.phase != Phase.DRAFT.value).with_for_update(read=True)
    )
    rnd = db.session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
    if rnd is None:
        raise NotFound(_l("This round does not exist."))
    return rnd


class AlreadyVoted(RuleViolation):
    """This voter (code, register entry or account) already has a ballot that may not be replaced this way."""

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _l("This voting code or resident has already been used to vote."))


def store_ballot(
    round_id: int,
    key: str,
    project_ids: list[int],
    *,
    points: Mapping[int, int] | None = None,
    ranks: Mapping[int, int] | None = None,
    channel: str = BallotChannel.ONLINE_ACCOUNT.value,
    status: str = BallotStatus.COUNTED.value,
    may_replace: Replacement = NEVER,
) -> tuple[StoredBallot, bool]:
    """Drop the ballot of voter `key` into the urn inside the caller's transaction; returns (ballot, created).

    `points` / `ranks` give each chosen project its points (points ballot) or rank (ranked ballot). The unique
    (round, voter key) constraints of the urn and the ballot box decide races (see `app.services.voting.urn`):
    a second cast of the same voter replaces the first when `may_replace` allows it (keeping its receipt code
    and channel), otherwise AlreadyVoted. Every channel goes through here, so the database, not Python, keeps
    one ballot per voter. No commit.
    """
    choices = [
        (
            pid,
            points.get(pid) if points is not None else None,
            ranks.get(pid) if ranks is not None else None,
        )
        for pid in project_ids
    ]
    try:
        return drop_in_urn(round_id, key, choices, channel=channel, status=status, may_replace=may_replace)
    except AlreadyInBallotBox:
        raise AlreadyVoted() from None


def account_buurt(actor: User, rnd: Round) -> int | None:
    """The register's buurt of an account voter (register-match rounds): whose buurt part is theirs. None in an
    open round, where the voter says it on the ballot."""
    if rnd.eligibility != Eligibility.REGISTER_MATCH.value:
        return None
    match = live_match(actor.id, rnd.id)
    return register_buurt(match.register_entry_id if match is not None else None)


def current_ballot(actor: User, round_id: int) -> StoredBallot | None:
    """The actor's own online ballot in a round, found through their voter key (None when they have not voted).

    Only an online_account ballot: a letter-code ballot under the same register key may be a housemate's.
    """
    rnd = db.session.get(Round, round_id)
    key = account_ballot_key(actor, rnd) if rnd is not None else None
    if key is None:
        return None
    return stored_ballot(round_id, key, BallotChannel.ONLINE_ACCOUNT.value)


def stored_marks(ballot: StoredBallot | None) -> BallotMarks:
    """A stored ballot as marks again, so a voter changing their vote starts from what they chose."""
    if ballot is None:
        return BallotMarks()
    ids = tuple(str(pid) for pid, _, _ in ballot.choices)
    points = {str(pid): str(pts) for pid, pts, _ in ballot.choices if pts is not None}
    ranks = {str(pid): str(rank) for pid, _, rank in ballot.choices if rank is not None}
    return BallotMarks(ids, points, ranks)


def choice_values(ballot: StoredBallot) -> dict[int, int]:
    """Points or rank per chosen project of a stored ballot (empty for approval and budget ballots)."""
    values: dict[int, int] = {}
    for pid, points, rank in ballot.choices:
        value = points if points is not None else rank
        if value is not None:
            values[pid] = value
    return values


def chosen_projects(ballot: StoredBallot) -> list[Project]:
    """The projects on a ballot, in ballot order (theme, then title)."""
    ids = ballot.project_ids
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Project).where(Project.id.in_(ids)).order_by(Project.category, Project.title, Project.id)
        )
    )
