"""Test data for counting and results: ballots and a realistic closed round. Commits like tests/factories."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from flask_babel import force_locale

from app.extensions import db
from app.models import Ballot, BallotChoice, Phase, Project, ProjectStatus, Round
from tests.factories import make_project, make_round


@contextmanager
def service_context(app: Flask, locale: str = "nl") -> Iterator[None]:
    """An app context for calling services directly, with a fixed language for their messages."""
    with app.app_context(), force_locale(locale):
        yield


def cast_ballot(rnd: Round, projects: Sequence[Project]) -> Ballot:
    ballot = Ballot(round_id=rnd.id, voter_key=uuid.uuid4().hex, receipt_code=uuid.uuid4().hex[:16])
    ballot.choices = [BallotChoice(project_id=p.id, round_id=rnd.id) for p in projects]
    db.session.add(ballot)
    return ballot


def cast_votes(rnd: Round, votes: dict[Project, int], empty: int = 0) -> int:
    """Cast ballots so that each project gets exactly its number of votes; ballot i names every project with
    more than i votes. `empty` extra ballots name nothing. Returns the number of ballots cast."""
    most = max(votes.values(), default=0)
    for i in range(most):
        cast_ballot(rnd, [p for p, n in votes.items() if n > i])
    for _ in range(empty):
        cast_ballot(rnd, [])
    db.session.commit()
    return most + empty


@dataclass
class RealisticRound:
    """€ 50.000 budget, six feasible projects and one infeasible one; 45 ballots of which 5 are empty.

    Greedy: Speeltuin (40 votes, € 20.000) and Bankjes (35, € 5.000) win; Groene daken (30, € 30.000) does
    not fit in the € 25.000 left; Buurtfeest (20, € 15.000) and Moestuin (10, € 10.000) win and use the rest;
    Kunstwerk (5, € 8.000) finds nothing left.
    """

    round: Round
    speeltuin: Project
    bankjes: Project
    daken: Project
    feest: Project
    moestuin: Project
    kunst: Project
    infeasible: Project
    ballots: int

    @property
    def winners(self) -> list[Project]:
        return [self.speeltuin, self.bankjes, self.feest, self.moestuin]


def realistic_round(phase: Phase = Phase.CLOSED) -> RealisticRound:
    rnd = make_round(phase=phase, title="Bewonersbudget Lombok 2026", max_project_cost_cents=3_000_000)
    speeltuin = make_project(rnd, cost_cents=2_000_000, title="Speeltuin Noord")
    bankjes = make_project(rnd, cost_cents=500_000, title="Bankjes bij de vijver")
    daken = make_project(rnd, cost_cents=3_000_000, title="Groene daken")
    feest = make_project(rnd, cost_cents=1_500_000, title="Buurtfeest")
    moestuin = make_project(rnd, cost_cents=1_000_000, title="Moestuin")
    kunst = make_project(rnd, cost_cents=800_000, title="Kunstwerk")
    infeasible = make_project(rnd, cost_cents=900_000, title="Parkeergarage", status=ProjectStatus.INFEASIBLE)
    votes = {speeltuin: 40, bankjes: 35, daken: 30, feest: 20, moestuin: 10, kunst: 5}
    ballots = cast_votes(rnd, votes, empty=5)
    return RealisticRound(rnd, speeltuin, bankjes, daken, feest, moestuin, kunst, infeasible, ballots)
