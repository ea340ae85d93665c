"""Verification work that must finish before a round may be counted, and the ballot figures the result reports.

A ballot of a register-matched account waits (PENDING) until the verification task has decided the match;
counting before that would leave out, or wrongly include, votes. Both counting paths (`tally_round` and
`publish_round`) go through `count_round`, which asks `refuse_count_while_verifying` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, BallotStatus, MatchStatus, RegisterMatch
from app.services.errors import RuleViolation
from app.translated import lazy_gettext as _l


@dataclass(frozen=True)
class EligibilityWork:
    pending_matches: int
    pending_ballots: int

    @property
    def pending(self) -> bool:
        return bool(self.pending_matches or self.pending_ballots)


def eligibility_work_pending(round_id: int) -> EligibilityWork:
    """How many register matches and ballots of the round still wait for verification."""
    matches = db.session.scalar(
        select(func.count())
        .select_from(RegisterMatch)
        .where(RegisterMatch.round_id == round_id, RegisterMatch.status == MatchStatus.PENDING.value)
    )
    return EligibilityWork(
        pending_matches=int(matches or 0),
        pending_ballots=ballots_by_status(round_id).get(BallotStatus.PENDING.value, 0),
    )


def refuse_count_while_verifying(round_id: int) -> None:
    """RuleViolation while verification work is pending: a count now would not be the final one."""
    work = eligibility_work_pending(round_id)
    if work.pending:
        raise RuleViolation(
            _l(
                "The votes cannot be counted yet: %(matches)d address checks and %(ballots)d ballots are still "
                "being verified. This happens automatically within a few minutes; try again after that.",
                matches=work.pending_matches,
                ballots=work.pending_ballots,
            )
        )


def ballots_by_status(round_id: int) -> dict[str, int]:
    """The number of the round's ballots per status (counted, pending, rejected)."""
    rows = db.session.execute(
        select(Ballot.status, func.count()).where(Ballot.round_id == round_id).group_by(Ballot.status)
    ).all()
    return {str(status): int(n) for status, n in rows}
