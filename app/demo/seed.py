"""`wijkbudget demo`: seed a realistic demo wijk.

Lombok (Utrecht) gets a finished round of EUR 48,000 (13 proposals, three reviewed infeasible with public reasons,
a few hundred synthetic ballots, counted and published through the real services) with a cap for the theme
"Ontmoeten" and partial funding of the next project with the money left over; a current round in the voting
phase, so a visitor can log in as the demo resident and vote; a letter-code round; and a points round with a
budget of its own for one buurt. Demo accounts are listed in the README.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import click
import pyotp
from flask.cli import with_appcontext
from sqlalchemy import select

from app.demo.data import CATEGORIES, OUT_OF_SCOPE, PROPOSALS, SUPPORT, WIJK
from app.demo.proposal_phase import outline_buurten, seed_proposal_round
from app.extensions import db
from app.models import (
    Ballot,
    BallotChoice,
    BallotType,
    Buurt,
    CodeIssue,
    Commitment,
    Eligibility,
    LeftoverPolicy,
    LocationKind,
    Phase,
    PollingLocation,
    PollWorkerAssignment,
    Project,
    ProjectStatus,
    RegisterEntry,
    Role,
    Round,
    RoundBuurtBudget,
    RoundCap,
    User,
    VotingCode,
    Wijk,
)
from app.models.base import utcnow
from app.models.freeze import seeding
from app.models.user import WIJK_BOUND_ROLES
from app.services.accounts import two_step
from app.services.accounts import users as accounts
from app.services.audit import record_event
from app.services.codes.code_votes import cast_code_ballot
from app.services.commitments.progress import post_progress
from app.services.commitments.promises import update_commitment
from app.services.errors import RuleViolation
from app.services.results.publishing import publish_round
from app.services.voting.urn import seal_round
from app.services.voting.voter_keys import new_receipt_code, new_voting_code, voting_code_hash

DEMO_PASSWORD = "wijkbudget-demo"  # noqa: S105 - documented demo accounts, never for production data
# The demo organiser and admin log in in two steps like real ones; this published key (demo only, like the
# password) goes into any authenticator app. `wijkbudget demo` prints it with the code of the moment.
DEMO_TOTP_SECRET = "WIJKBUDGETDEMOTOTPKEYLOMBOK2ABCD"  # noqa: S105
DEMO_ACCOUNTS = (
    ("bewoner@demo.wijkbudget.nl", "Sanne de Vries", Role.RESIDENT),
    ("toetser@demo.wijkbudget.nl", "Ahmed El Amrani", Role.PROFESSIONAL),
    ("organisator@demo.wijkbudget.nl", "Marieke Jansen", Role.ORGANISER),
    ("admin@demo.wijkbudget.nl", "Beheer Gemeente", Role.ADMIN),
    ("stembureau@demo.wijkbudget.nl", "Kees Bakker", Role.POLL_WORKER),
)
LETTER_ROUND_REGISTER = 60  # residents on the letter-code round's register
LETTER_ROUND_VOTERS = 36  # of whom this many already voted with their code
PROPOSERS = (("fatima@demo.wijkbudget.nl", "Fatima Bakkali"), ("joost@demo.wijkbudget.nl", "Joost van Dijk"))
DEMO_VOTERS = 340
DAY = timedelta(days=1)
FINISHED_BUDGET = 4_800_000  # EUR 48,000: the Ontmoeten cap and the partial funding both show in the result
ONTMOETEN_CAP = 1_200_000
POINTS_ROUND_PROPOSALS = (0, 2, 4, 6, 7, 8, 10, 11)
POINTS_ROUND_BUURT = "Lombok-West"  # the buurt with a budget of its own in the points round
POINTS_ROUND_VOTERS = 30


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database holds no wijk yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Seed the demo wijk Lombok with a published round and a round in the voting phase."""
    if db.session.scalar(select(Wijk.id).limit(1)) is not None:
        if if_empty:
            click.echo("The database already holds data; the demo is not seeded again.")
            return
        raise click.ClickException("The database already holds data; the demo only seeds an empty database.")
    result = seed_demo()
    click.echo(f"Demo wijk {WIJK['name']} seeded: published round {result['published_round']}, ")
    click.echo(f"round in the voting phase {result['voting_round']}. Accounts: password '{DEMO_PASSWORD}'.")
    code, postcode = result["sample_code"]
    click.echo(
        f"Letter-code round {result['letter_round']}: vote at /stemmen/code with code {code} and postcode "
        f"{postcode} (a demo letter; real codes are only ever printed)."
    )
    click.echo(f"Points round with a budget for {POINTS_ROUND_BUURT}: {result['points_round']}.")
    click.echo(
        f"The organiser and admin log in in two steps: add the demo key {DEMO_TOTP_SECRET} to an authenticator "
        f"app (demo only; the code right now is {pyotp.TOTP(DEMO_TOTP_SECRET).now()})."
    )


def seed_demo(now: datetime | None = None, voters: int = DEMO_VOTERS) -> dict[str, Any]:
    """Create the demo data; returns the ids of the three rounds and one unused letter code with its postcode."""
    now = now or datetime.now(UTC)
    wijk = _wijk()
    users = _users(wijk)
    # The rounds' past (proposals and ballots of rounds already in voting) is written in one go.
    with seeding(db.session):
        finished = _round(wijk, "Bewonersbudget Lombok 2026", start=now - 60 * DAY, phase=Phase.CLOSED)
        finished.budget_cents = FINISHED_BUDGET
        finished.leftover_policy = LeftoverPolicy.NEXT_PROJECT_PARTIAL.value
        finished.caps = [RoundCap(category="Ontmoeten", cap_cents=ONTMOETEN_CAP)]
        projects = _proposals(finished, users)
        _ballots(finished, projects, voters)
        record_event(users["organiser"], "round.voting_closed", round_id=finished.id)
        db.session.commit()
    publish_round(finished.id, actor_id=users["organiser"].id)
    _deliveries(finished, users)

    with seeding(db.session):
        current = _round(
            wijk, "Bewonersbudget Lombok 2027: extra ronde groen", start=now - 5 * DAY, phase=Phase.VOTING
        )
        current_projects = _proposals(current, users, subset=(0, 4, 6, 10, 11))
        current.tie_break_lot = [
            p.id for p in random.Random(2027).sample(current_projects, len(current_projects))
        ]
        current.voting_opened_at = current.voting_open_at
        db.session.commit()
    letter_round, sample_code = _letter_code_round(wijk, users, now)
    points_round = _points_round(wijk, users, now)
    proposal_round = seed_proposal_round(wijk, users, now)
    return {
        "proposal_round": proposal_round,
        "published_round": finished.id,
        "voting_round": current.id,
        "letter_round": letter_round,
        "sample_code": sample_code,
        "points_round": points_round,
    }


def _points_round(wijk: Wijk, users: dict[str, User], now: datetime) -> int:
    """A round in the voting phase with a points ballot: 10 points per resident, at most 5 for one project, and
    a budget of its own for Lombok-West, so the ballot has a part for the whole wijk and one for that buurt.
    Some synthetic residents have voted already."""
    chance = random.Random(2029)
    with seeding(db.session):
        rnd = _round(
            wijk,
            "Bewonersbudget Lombok 2027: punten voor de pleinen",
            start=now - 3 * DAY,
            phase=Phase.VOTING,
        )
        rnd.budget_cents = 3_000_000
        rnd.ballot_type = BallotType.POINTS.value
        rnd.points_total, rnd.points_per_project = 10, 5
        west = next(b for b in wijk.buurten if b.name == POINTS_ROUND_BUURT)
        rnd.buurt_budgets = [RoundBuurtBudget(buurt_id=west.id, budget_cents=2_000_000)]
        projects = [p for p in _proposals(rnd, users, subset=POINTS_ROUND_PROPOSALS) if p.on_ballot]
        rnd.tie_break_lot = [p.id for p in chance.sample(projects, len(projects))]
        rnd.voting_opened_at = rnd.voting_open_at
        for _voter in range(POINTS_ROUND_VOTERS):
            _points_ballot(rnd, projects, west.id, chance)
        db.session.commit()
    return rnd.id


def _points_ballot(rnd: Round, projects: list[Project], west_id: int, chance: random.Random) -> None:
    """A synthetic resident's 10 points over a few projects of the wijk's part (and, for residents of
    Lombok-West, of their buurt's part), at most 5 each."""
    wijk_part = [p for p in projects if p.buurt_id != west_id]
    parts = (
        [wijk_part, [p for p in projects if p.buurt_id == west_id]] if chance.random() < 0.4 else [wijk_part]
    )
    ballot = Ballot(
        round_id=rnd.id, voter_key=f"{chance.getrandbits(256):064x}", receipt_code=new_receipt_code()
    )
    for part in parts:
        left = rnd.points_total or 10
        for project in chance.sample(part, k=min(3, len(part))):
            points = min(left, chance.randint(1, 5))
            if points:
                ballot.choices.append(BallotChoice(project_id=project.id, round_id=rnd.id, points=points))
                left -= points
    db.session.add(ballot)


def _letter_code_round(wijk: Wijk, users: dict[str, User], now: datetime) -> tuple[int, tuple[str, str]]:
    """A round in the voting phase where residents vote with the code from their letter, with a register, a
    polling location and some votes already cast, so the code, paper and turnout pages have something to show.
    Returns the round id and one unused code with its postcode (the demo's only plain code on screen)."""
    chance = random.Random(2028)
    codes: list[tuple[str, str]] = []
    with seeding(db.session):
        rnd = _round(
            wijk, "Speelplekken Lombok 2027 (stemmen met een brief)", start=now - 4 * DAY, phase=Phase.VOTING
        )
        rnd.eligibility = Eligibility.LETTER_CODES.value
        projects = _proposals(rnd, users, subset=(0, 4, 6, 10, 11))
        rnd.tie_break_lot = [p.id for p in chance.sample(projects, len(projects))]
        rnd.voting_opened_at = rnd.voting_open_at
        buurten = sorted(wijk.buurten, key=lambda b: b.name)
        for n in range(LETTER_ROUND_REGISTER):
            postcode = f"{WIJK['postcodes'][n % 2]}{'AB' if n % 3 else 'CD'}"
            entry = RegisterEntry(
                round_id=rnd.id,
                reference=f"LOM-{n + 1:05d}",
                postcode=postcode,
                house_number=n + 1,
                birth_date=date(
                    1940 + chance.randrange(70), chance.randrange(1, 13), chance.randrange(1, 29)
                ),
                buurt_id=buurten[n % len(buurten)].id,
            )
            db.session.add(entry)
            db.session.flush()
            code = new_voting_code()
            db.session.add(
                VotingCode(
                    round_id=rnd.id,
                    register_entry_id=entry.id,
                    code_hash=voting_code_hash(code.replace("-", "")),
                    issued_via=CodeIssue.LETTER.value,
                )
            )
            codes.append((code, postcode))
        location = PollingLocation(
            round_id=rnd.id, name="Buurthuis Lombok", kind=LocationKind.COMMUNITY_CENTRE.value
        )
        db.session.add(location)
        db.session.flush()
        worker = users[Role.POLL_WORKER.value]
        db.session.add(
            PollWorkerAssignment(
                location_id=location.id, user_id=worker.id, assigned_by_id=users[Role.ORGANISER.value].id
            )
        )
        db.session.commit()
    feasible = [p.id for p in projects if p.on_ballot and p.cost_cents <= rnd.budget_cents]
    for code, postcode in codes[:LETTER_ROUND_VOTERS]:
        choice = chance.sample(feasible, k=min(2, len(feasible)))
        try:
            cast_code_ballot(code, postcode, choice)
        except RuleViolation:  # a demo choice over the budget: this resident chose one project instead
            cast_code_ballot(code, postcode, choice[:1])
    seal_round(rnd.id)  # as the sweep would have by now
    db.session.commit()
    return rnd.id, codes[-1]


def _deliveries(rnd: Round, users: dict[str, User]) -> None:
    """The municipality's first steps on two winners, so the delivery timeline has something to show."""
    commitments = db.session.scalars(
        select(Commitment).where(Commitment.round_id == rnd.id).order_by(Commitment.id)
    ).all()
    steps = [
        ("in_progress", 120_000, "Het materiaal is besteld; de aannemer begint in het voorjaar."),
        ("delivered", 450_000, "Klaar: het project is opgeleverd en wordt al volop gebruikt."),
    ]
    for commitment, (status, spent, text) in zip(commitments, steps, strict=False):
        update_commitment(
            users["organiser"],
            commitment.id,
            department="Stadsbeheer, gemeente Utrecht",
            responsible_user_id=users["professional"].id,
            planned_delivery_on=None,
        )
        post_progress(
            users["professional"], commitment.id, status=status, spent_cents=spent, text=text, photo=None
        )


def _wijk() -> Wijk:
    wijk = Wijk(
        name=str(WIJK["name"]), municipality=str(WIJK["municipality"]), postcodes=list(WIJK["postcodes"])
    )
    wijk.buurten = [Buurt(name=name) for name in WIJK["buurten"]]
    outline_buurten(wijk)
    db.session.add(wijk)
    db.session.flush()
    return wijk


def _users(wijk: Wijk) -> dict[str, User]:
    users: dict[str, User] = {}
    houses = itertools.count(1)
    for email, name, role in DEMO_ACCOUNTS:
        user = User(
            email=email,
            name=name,
            role=role.value,
            language="nl",
            wijk_id=wijk.id,
            **_resident(wijk, next(houses)),
        )
        user.set_password(DEMO_PASSWORD)
        if role.value in WIJK_BOUND_ROLES:
            user.staff_wijken = [wijk]  # the demo staff work for the demo wijk
        if two_step.required_for(user):
            user.totp_secret = DEMO_TOTP_SECRET
        db.session.add(user)
        users[role.value] = user
    db.session.flush()
    users[Role.POLL_WORKER.value].poll_worker_granted_by_id = users[Role.ADMIN.value].id
    for index, (email, name) in enumerate(PROPOSERS):
        user = User(
            email=accounts.normalise_email(email),
            name=name,
            role=Role.RESIDENT.value,
            wijk_id=wijk.id,
            **_resident(wijk, next(houses)),
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[f"proposer{index}"] = user
    db.session.flush()
    return users


def _resident(wijk: Wijk, house_number: int) -> dict[str, Any]:
    """What an open round checks: a confirmed e-mail address, an address in the wijk (a house each, as one
    person votes once) and an adult age."""
    return {
        "email_confirmed_at": utcnow(),
        "postcode": f"{wijk.postcodes[0]}AB",
        "house_number": house_number,
        "birth_date": date(1975, 6, 1),
    }


def _round(wijk: Wijk, title: str, *, start: datetime, phase: Phase) -> Round:
    rnd = Round(
        wijk_id=wijk.id,
        title=title,
        phase=phase.value,
        proposals_open_at=start,
        review_open_at=start + 1 * DAY if phase == Phase.VOTING else start + 20 * DAY,
        voting_open_at=start + 2 * DAY if phase == Phase.VOTING else start + 35 * DAY,
        voting_close_at=start + 16 * DAY if phase == Phase.VOTING else start + 50 * DAY,
        results_at=start + 18 * DAY if phase == Phase.VOTING else start + 55 * DAY,
        budget_cents=5_000_000 if phase != Phase.VOTING else 2_000_000,
        min_project_cost_cents=250_000,
        max_project_cost_cents=2_500_000 if phase != Phase.VOTING else 2_000_000,
        categories=list(CATEGORIES),
        ballot_type="knapsack",
        min_choices=1,
        max_choices=len(PROPOSALS),
        counting_rule="greedy",
        tie_break="default",
        leftover_policy="next_round",
        out_of_scope=OUT_OF_SCOPE,
    )
    if phase == Phase.CLOSED:
        rnd.voting_opened_at = rnd.voting_open_at
        rnd.voting_closed_at = rnd.voting_close_at
    db.session.add(rnd)
    db.session.flush()
    return rnd


def _proposals(rnd: Round, users: dict[str, User], subset: tuple[int, ...] | None = None) -> list[Project]:
    """Add the demo proposals with their review outcome; returns them in PROPOSALS order."""
    buurten = sorted(rnd.wijk.buurten, key=lambda b: WIJK["buurten"].index(b.name))
    authors = [users["resident"], users["proposer0"], users["proposer1"]]
    projects = []
    for index, item in enumerate(PROPOSALS):
        if subset is not None and index not in subset:
            continue
        verdict, reason = cast(tuple[str, str], item["review"])
        cost = cast(int, item["cost"]) * 100
        new_cost = cast(int, item.get("new_cost", item["cost"])) * 100
        project = Project(
            round_id=rnd.id,
            title=str(item["title"]),
            description=str(item["description"]),
            original_cost_cents=cost,
            cost_cents=new_cost,
            cost_change_reason=item.get("cost_reason") if new_cost != cost else None,
            category=str(item["category"]),
            buurt_id=buurten[cast(int, item["buurt"])].id,
            author_id=authors[index % len(authors)].id,
            status=ProjectStatus.FEASIBLE.value if verdict == "feasible" else ProjectStatus.INFEASIBLE.value,
            review_reason=reason,
            reviewer_id=users["professional"].id,
            reviewed_at=rnd.review_open_at + DAY,
        )
        if project.cost_cents == project.original_cost_cents:
            project.cost_change_reason = None
        db.session.add(project)
        projects.append(project)
    db.session.flush()
    for project in projects:
        record_event(
            users["professional"],
            "project.reviewed",
            round_id=rnd.id,
            subject=project.title,
            details={"status": project.status, "reason": project.review_reason},
            created_at=rnd.review_open_at + DAY,
        )
    return projects


def _ballots(rnd: Round, projects: list[Project], voters: int) -> None:
    """Synthetic knapsack ballots: each voter picks projects by their support and keeps what fits the budget."""
    rng = random.Random(2026)  # fixed seed: the demo result is the same every time
    support = {p.id: SUPPORT[i] for i, p in enumerate(projects)}
    feasible = [p for p in projects if p.status == ProjectStatus.FEASIBLE.value]
    for _voter in range(voters):
        wanted = [p for p in feasible if rng.random() < support[p.id]]
        rng.shuffle(wanted)
        chosen, spent = [], 0
        for project in wanted:
            if spent + project.cost_cents <= rnd.budget_cents:
                chosen.append(project)
                spent += project.cost_cents
        if not chosen:
            chosen = [rng.choice(feasible)]
        # Synthetic voters have no identity, so their anonymous key is just random.
        ballot = Ballot(round_id=rnd.id, voter_key=f"{rng.getrandbits(256):064x}")
        ballot.receipt_code = new_receipt_code()
        ballot.choices = [BallotChoice(project_id=p.id, round_id=rnd.id) for p in chosen]
        db.session.add(ballot)
    db.session.flush()
