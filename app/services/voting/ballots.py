"""Casting and checking ballots.

Rules (all checked on the server, every problem reported at once):
- Voting is possible only in the VOTING phase and before `voting_close_at`.
- Who may vote with an account depends on the round's eligibility (`app.services.eligibility.voting_rights`): open rounds
  check the self-declared postcode, age and confirmed e-mail; register-match rounds need a match to the voter
  register (the ballot waits, PENDING, until the match is verified); letter-code rounds take no account votes.
- Only feasible projects of the round are on the ballot; any other id makes the ballot invalid.
- approval: between `min_choices` and `max_choices` projects (and at least one).
- knapsack: at least one project; the chosen projects together cost at most the budget and, when the kaders
  set `knapsack_min_spend_pct`, at least that share of the budget.
- One ballot per voter per round, changeable until voting closes; the ballot row holds only an anonymous
  voter key, and its receipt code stays the same when the ballot is changed.

The arithmetic is `app.counting.ballots.validate`; this module supplies the round's rules, the projects on the
ballot, and the sentences.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.counting import ballots as counting_ballots
from app.counting.ballots import BallotProblem, BallotRules
from app.counting.model import Project as CountingProject
from app.extensions import db
from app.models import (
    Ballot,
    BallotChannel,
    BallotChoice,
    BallotStatus,
    BallotType,
    Phase,
    Project,
    ProjectStatus,
    Round,
    User,
)
from app.money import euro_text
from app.services.audit import record_event
from app.services.eligibility.voting_rights import AccountVoter, account_ballot_key, account_voter
from app.services.errors import RuleViolation
from app.services.proposals.submissions import visible_round
from app.services.voting.voter_keys import new_receipt_code

RECEIPT_ATTEMPTS = 5


@dataclass
class BallotCheck:
    """A ballot measured against the kaders: the valid chosen projects, the running total and all problems."""

    budget_cents: int
    chosen: list[Project] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)

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
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.round_id == rnd.id, Project.status == ProjectStatus.FEASIBLE.value)
            .order_by(Project.category, Project.title, Project.id)
        )
    )


def ballot_rules(rnd: Round) -> BallotRules:
    """The round's kaders as the counting core's ballot rules (every ballot names at least one project)."""
    if rnd.ballot_type == BallotType.APPROVAL.value:
        return BallotRules("approval", max(rnd.min_choices, 1), rnd.max_choices)
    pct = rnd.knapsack_min_spend_pct
    share = Fraction(pct, 100) if pct else None
    return BallotRules("knapsack", 1, None, budget_limit=rnd.budget_cents, min_spend_share=share)


def check_ballot(rnd: Round, project_ids: Iterable[object]) -> BallotCheck:
    """Measure a choice (ids as ints or form strings, repeats ignored) against the kaders; stores nothing.

    The arithmetic is the counting core's `validate`, with only the feasible projects on the ballot; its
    problems are turned into sentences here, every one of them at once.
    """
    wanted = _as_ids(project_ids)
    in_round = {p.id: p for p in db.session.scalars(select(Project).where(Project.round_id == rnd.id))}
    on_ballot = {str(i): CountingProject(str(i), p.cost_cents) for i, p in in_round.items() if p.on_ballot}
    choices = [str(i) if i is not None else "?" for i in wanted]
    problems = counting_ballots.validate(ballot_rules(rnd), choices, on_ballot)
    check = BallotCheck(budget_cents=rnd.budget_cents)
    check.chosen = [in_round[i] for i in wanted if i is not None and str(i) in on_ballot]
    check.problems = _sentences(problems, in_round)
    return check


def _as_ids(values: Iterable[object]) -> list[int | None]:
    """Ids in the order given without repeats; anything that is not a whole number becomes None (unknown)."""
    ids: dict[int | None, None] = {}
    for value in values:
        text = str(value).strip()
        ids[int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None] = None
    return list(ids)


def _sentences(problems: list[BallotProblem], in_round: dict[int, Project]) -> list[Any]:
    """The counting core's problem codes as sentences for the resident, unknown projects named once."""
    out: list[Any] = []
    unknown_said = False
    for problem in problems:
        pid = problem.project_id or ""
        known = in_round.get(int(pid)) if pid.isdigit() else None
        if problem.code == counting_ballots.UNKNOWN_PROJECT and known is not None:
            out.append(_l("“%(title)s” is not on the ballot.", title=known.title))
        elif problem.code == counting_ballots.UNKNOWN_PROJECT and not unknown_said:
            out.append(_l("One or more of the chosen projects do not exist in this round."))
            unknown_said = True
        elif problem.code != counting_ballots.UNKNOWN_PROJECT:
            out.append(_sentence(problem.code, problem.details))
    return out


def _sentence(code: str, details: Mapping[str, Any]) -> Any:
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
    return _l("Your choice does not meet the rules of this round.")


def cast_ballot(actor: User, round_id: int, project_ids: Iterable[object]) -> tuple[Ballot, bool]:
    """Store or replace the actor's ballot in one transaction; returns (ballot, created).

    The ballot row gets the actor's anonymous voter key (from `voting_rights`: the account's own, or its
    register entry's), never their id. A register-matched account also marks its entry in the poll book, so
    a letter code or paper ballot of the same resident is refused afterwards (and the other way round); its
    ballot is PENDING until the match is verified. The account may replace its own online ballot until
    close, keeping the receipt code. The round row is share-locked so that closing the vote waits for ballots
    in flight. A new ballot appends one audit event holding only the hash of its receipt code.
    """
    rnd = visible_round(round_id)
    rnd = lock_round_for_voting(rnd.id)
    if not voting_open(rnd):
        raise RuleViolation(_l("You can only vote while voting is open."))
    voter = account_voter(actor, rnd, lock=True)
    check = check_ballot(rnd, project_ids)
    if not check.ok:
        raise BallotRejected(check)
    try:
        ballot, created = _store_account_ballot(rnd, voter, sorted(check.chosen_ids))
    except AlreadyVoted:
        db.session.rollback()
        raise
    if created:
        record_ballot_cast(rnd.id, ballot)
    db.session.commit()
    return ballot, created


def record_ballot_cast(round_id: int, ballot: Ballot, action: str = "ballot.cast") -> None:
    """The audit event of a ballot: only the SHA-256 of its receipt code, nothing about the voter or choice."""
    receipt_sha256 = hashlib.sha256(ballot.receipt_code.encode()).hexdigest()
    record_event(None, action, round_id=round_id, details={"receipt_sha256": receipt_sha256})


def _store_account_ballot(rnd: Round, voter: AccountVoter, project_ids: list[int]) -> tuple[Ballot, bool]:
    from app.services.voting.poll_book import mark_voted  # poll_book imports AlreadyVoted from this module

    online = BallotChannel.ONLINE_ACCOUNT.value
    if voter.register_entry_id is not None:
        mark_voted(voter.register_entry_id, online, same_channel_ok=True)
    ballot, created = store_ballot(
        rnd.id,
        voter.key,
        project_ids,
        channel=online,
        status=voter.ballot_status,
        may_replace=lambda existing: existing.channel == online,
    )
    return ballot, created


def lock_round_for_voting(round_id: int) -> Round:
    """Share-lock the round for a ballot, so closing the vote waits for ballots in flight."""
    stmt = select(Round).where(Round.id == round_id).with_for_update(read=True)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


class AlreadyVoted(RuleViolation):
    """This voter (code, register entry or account) already has a ballot that may not be replaced this way."""

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _l("This voting code or resident has already been used to vote."))


def store_ballot(
    round_id: int,
    key: str,
    project_ids: list[int],
    *,
    channel: str = BallotChannel.ONLINE_ACCOUNT.value,
    status: str = BallotStatus.COUNTED.value,
    may_replace: Callable[[Ballot], bool] = lambda existing: True,
) -> tuple[Ballot, bool]:
    """Insert the ballot of voter `key` inside the caller's transaction; returns (ballot, created). No commit.

    The unique (round, voter key) constraint decides races: a second insert fails inside a savepoint; then the
    existing ballot is locked and, when `may_replace(existing)` allows it, its choices and status are replaced
    (keeping its receipt code and channel: a replaced account ballot follows its match, which the verification
    may have decided since the first vote); otherwise AlreadyVoted is raised. Every channel goes through here, so the
    database, not Python, keeps one ballot per voter.
    """
    for _attempt in range(RECEIPT_ATTEMPTS):
        try:
            with db.session.begin_nested():
                ballot = Ballot(
                    round_id=round_id,
                    voter_key=key,
                    receipt_code=new_receipt_code(),
                    channel=channel,
                    status=status,
                )
                ballot.choices = [BallotChoice(project_id=p, round_id=round_id) for p in project_ids]
                db.session.add(ballot)
            return ballot, True
        except IntegrityError:
            existing = _locked_ballot(round_id, key)
            if existing is not None:
                if not may_replace(existing):
                    raise AlreadyVoted() from None
                _replace_choices(existing, project_ids)
                existing.status = status
                return existing, False
            # No ballot of this voter: the random receipt code was taken. Draw another one.
    raise RuntimeError("could not draw an unused receipt code")


def _locked_ballot(round_id: int, key: str) -> Ballot | None:
    stmt = select(Ballot).where(Ballot.round_id == round_id, Ballot.voter_key == key).with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _replace_choices(ballot: Ballot, project_ids: list[int]) -> None:
    wanted = set(project_ids)
    for choice in list(ballot.choices):
        if choice.project_id not in wanted:
            ballot.choices.remove(choice)
    have = {c.project_id for c in ballot.choices}
    for project_id in sorted(wanted - have):
        ballot.choices.append(BallotChoice(project_id=project_id, round_id=ballot.round_id))
    db.session.flush()


def current_ballot(actor: User, round_id: int) -> Ballot | None:
    """The actor's own online ballot in a round, found through their voter key (None when they have not voted).

    Only an online_account ballot: a letter-code ballot under the same register key may be a housemate's.
    """
    rnd = db.session.get(Round, round_id)
    key = account_ballot_key(actor, rnd) if rnd is not None else None
    if key is None:
        return None
    return db.session.scalar(
        select(Ballot).where(
            Ballot.round_id == round_id,
            Ballot.voter_key == key,
            Ballot.channel == BallotChannel.ONLINE_ACCOUNT.value,
        )
    )


def chosen_projects(ballot: Ballot) -> list[Project]:
    """The projects on a ballot, in ballot order (theme, then title)."""
    ids = ballot.project_ids
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Project).where(Project.id.in_(ids)).order_by(Project.category, Project.title, Project.id)
        )
    )
