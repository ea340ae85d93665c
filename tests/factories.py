"""Small builders for test data. They commit into the test's outer transaction, which rolls back."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import func, insert, literal, select

from app.extensions import db
from app.models import (
    Buurt,
    Phase,
    PollingLocation,
    PollWorkerAssignment,
    Project,
    ProjectStatus,
    RegisterEntry,
    Role,
    Round,
    User,
    VotingCode,
    Wijk,
)
from app.models.freeze import seeding
from app.models.user import WIJK_BOUND_ROLES, user_wijken
from app.services.voting.voter_keys import new_voting_code, normalise_voting_code, voting_code_hash

PASSWORD = "correct horse battery"  # noqa: S105
# Admins and organisers must log in in two steps; factory accounts of those roles have this TOTP secret.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
_seq = itertools.count(1)
_postcode_area = itertools.count(0)
ADULT_BIRTH_DATE = date(1980, 5, 17)
# Staff made with `wijken=` hold exactly those; other factory staff hold every wijk, also wijken made later
# (and such poll workers work at every polling location, also those made later).
_staff_with_fixed_wijken: set[int] = set()


def forget_staff_with_fixed_wijken() -> None:
    """After a test that emptied the tables with RESTART IDENTITY: the next users get the same ids again."""
    _staff_with_fixed_wijken.clear()


def next_postcode_area() -> str:
    """A PC4 area no other factory wijk has (within 8000 wijken), so wijken never share residents."""
    return str(1000 + next(_postcode_area) % 8000)


def make_wijk(
    name: str | None = None, buurten: tuple[str, ...] = ("Noord", "Zuid"), postcodes: tuple[str, ...] = ()
) -> Wijk:
    """A wijk with its own postcode area (unless `postcodes` names them), so wijken never share residents."""
    areas = list(postcodes) or [next_postcode_area()]
    wijk = Wijk(name=name or f"Wijk {next(_seq)}", municipality="Utrecht", postcodes=areas)
    wijk.buurten = [Buurt(name=b) for b in buurten]
    db.session.add(wijk)
    db.session.flush()
    _give_to_default_staff(wijk)
    db.session.commit()
    return wijk


def _default_staff(*roles: str) -> Any:
    return User.role.in_(roles) & User.id.not_in(sorted(_staff_with_fixed_wijken))


def _give_to_default_staff(wijk: Wijk) -> None:
    """Staff made without `wijken=` work for this new wijk too, so a test's staff hold the test's wijk."""
    staff = select(User.id, literal(wijk.id)).where(_default_staff(*WIJK_BOUND_ROLES))
    db.session.execute(insert(user_wijken).from_select(["user_id", "wijk_id"], staff))


def _assign_default_poll_workers(location: PollingLocation) -> None:
    workers = select(literal(location.id), User.id, func.now()).where(_default_staff(Role.POLL_WORKER.value))
    columns = ["location_id", "user_id", "created_at"]
    db.session.execute(insert(PollWorkerAssignment).from_select(columns, workers))


def make_user(
    role: Role = Role.RESIDENT,
    *,
    email: str | None = None,
    wijk: Wijk | None = None,
    wijken: Sequence[Wijk] | None = None,
    **kw: Any,
) -> User:
    """A user of `role`. By default an adult with a confirmed e-mail address and, when a home `wijk` is given,
    a postcode and house number inside it: the conditions of an open round, so a resident of the wijk may
    vote there.

    An organiser, professional or poll worker works for the wijken `wijken` only; without `wijken` for every
    wijk, including the wijken the test makes later (an admin always holds every wijk)."""
    defaults: dict[str, Any] = {"email_confirmed_at": datetime.now(UTC), "birth_date": ADULT_BIRTH_DATE}
    if role in (Role.ADMIN, Role.ORGANISER):
        defaults["totp_secret"] = TOTP_SECRET
    if wijk is not None:  # a house of their own: one ballot per person in an open round
        defaults["postcode"] = f"{wijk.postcodes[0]}AB"
        defaults["house_number"] = next(_seq) % 99_999 + 1
    user = User(
        email=email or f"{role.value}{next(_seq)}@example.nl",
        name=kw.pop("name", f"{role.value.title()} {next(_seq)}"),
        role=role.value,
        language=kw.pop("language", "nl"),
        wijk_id=wijk.id if wijk else None,
        **(defaults | kw),
    )
    user.set_password(PASSWORD)
    if role.value in WIJK_BOUND_ROLES:
        user.staff_wijken = list(wijken) if wijken is not None else list(db.session.scalars(select(Wijk)))
    db.session.add(user)
    db.session.flush()
    if wijken is not None:
        _staff_with_fixed_wijken.add(user.id)
    elif role is Role.POLL_WORKER:
        for location_id in db.session.scalars(select(PollingLocation.id)):
            db.session.add(PollWorkerAssignment(location_id=location_id, user_id=user.id))
    db.session.commit()
    return user


def assign_poll_worker(user: User, location: PollingLocation) -> None:
    """Let a poll worker (made with `wijken=`) work at this location."""
    db.session.add(PollWorkerAssignment(location_id=location.id, user_id=user.id))
    db.session.commit()


def phase_dates(phase: Phase, now: datetime | None = None) -> dict[str, datetime]:
    """Phase dates such that `phase` is the current one by the calendar."""
    now = now or datetime.now(UTC)
    day = timedelta(days=1)
    offsets = {  # days from now at which each phase starts
        Phase.DRAFT: 1,
        Phase.PROPOSALS: -1,
        Phase.REVIEW: -3,
        Phase.VOTING: -5,
        Phase.CLOSED: -7,
        Phase.PUBLISHED: -9,
    }
    start = now + offsets[phase] * day
    return {
        "proposals_open_at": start,
        "review_open_at": start + 2 * day,
        "voting_open_at": start + 4 * day,
        "voting_close_at": start + 6 * day,
        "results_at": start + 8 * day,
    }


def make_round(wijk: Wijk | None = None, phase: Phase = Phase.PROPOSALS, **kaders: Any) -> Round:
    wijk = wijk or make_wijk()
    values: dict[str, Any] = {
        "title": f"Bewonersbudget {next(_seq)}",
        "budget_cents": 5_000_000,
        "min_project_cost_cents": 50_000,
        "max_project_cost_cents": 2_000_000,
        "categories": ["Groen", "Spelen", "Ontmoeten"],
        "ballot_type": "knapsack",
        "min_choices": 1,
        "max_choices": 5,
        "counting_rule": "greedy",
        "tie_break": "default",
        "leftover_policy": "return",
        "out_of_scope": "Onderhoud dat de gemeente al doet.",
    }
    values.update(phase_dates(phase))
    values.update(kaders)
    rnd = Round(wijk_id=wijk.id, phase=phase.value, **values)
    db.session.add(rnd)
    db.session.commit()
    return rnd


def make_adult_register_entry(
    rnd: Round,
    *,
    postcode: str | None = None,
    house_number: int = 1,
    addition: str = "",
    birth_date: date | None = ADULT_BIRTH_DATE,
    **kw: Any,
) -> RegisterEntry:
    """One entry of the round's voter register (what the register import would create), by default an adult
    at house number 1 of a postcode in the round's wijk."""
    return make_register_entry(
        rnd,
        reference=kw.pop("reference", f"REF-{next(_seq)}"),
        postcode=postcode or f"{rnd.wijk.postcodes[0]}AB",
        house_number=house_number,
        house_number_addition=addition,
        birth_date=birth_date,
        **kw,
    )


def make_project(
    rnd: Round, *, cost_cents: int = 500_000, status: ProjectStatus = ProjectStatus.FEASIBLE, **kw: Any
) -> Project:
    project = Project(
        round_id=rnd.id,
        title=kw.pop("title", f"Project {next(_seq)}"),
        description=kw.pop("description", "Een mooi plan voor de buurt."),
        cost_cents=cost_cents,
        original_cost_cents=kw.pop("original_cost_cents", cost_cents),
        category=kw.pop("category", "Groen"),
        status=status.value,
        review_reason=kw.pop(
            "review_reason", "Niet haalbaar." if status == ProjectStatus.INFEASIBLE else None
        ),
        **kw,
    )
    # A project of a round already in voting was there before voting opened: the factory writes that past.
    with seeding(db.session):
        db.session.add(project)
        db.session.commit()
    return project


def _register_entry(rnd: Round, **kw: Any) -> RegisterEntry:
    """An unsaved register entry with a unique reference and address unless `kw` names them."""
    n = next(_seq)
    return RegisterEntry(
        round_id=rnd.id,
        reference=kw.pop("reference", f"REF{n:07d}"),
        postcode=kw.pop("postcode", "3512AB"),
        house_number=kw.pop("house_number", n),
        house_number_addition=kw.pop("house_number_addition", ""),
        **kw,
    )


def make_register_entry(rnd: Round, **kw: Any) -> RegisterEntry:
    """A register entry written directly, as the import would; a unique address by default."""
    return make_register_entries(rnd, 1, **kw)[0]


def make_register_entries(rnd: Round, count: int, **kw: Any) -> list[RegisterEntry]:
    """`count` register entries alike but for their reference and house number, in one commit."""
    entries = [_register_entry(rnd, **kw) for _ in range(count)]
    with seeding(db.session):  # the register as imported before voting opened
        db.session.add_all(entries)
        db.session.commit()
    return entries


def make_voting_code(entry: RegisterEntry, **kw: Any) -> str:
    """Store a live letter code for `entry` (only its keyed hash, as the real generator does); returns the
    plain code as printed on the letter."""
    plain = new_voting_code()
    compact = normalise_voting_code(plain)
    assert compact is not None
    db.session.add(
        VotingCode(
            round_id=entry.round_id, register_entry_id=entry.id, code_hash=voting_code_hash(compact), **kw
        )
    )
    db.session.commit()
    return plain


def make_location(rnd: Round, name: str | None = None, kind: str = "community_centre") -> PollingLocation:
    location = PollingLocation(round_id=rnd.id, name=name or f"Buurthuis {next(_seq)}", kind=kind)
    db.session.add(location)
    db.session.flush()
    _assign_default_poll_workers(location)
    db.session.commit()
    return location


def login(client: FlaskClient, user: User) -> None:
    """Log in as a person would: the password, then (for an account with two-step login) the app's code."""
    response = client.post("/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/inloggen/code"):
        response = client.post("/inloggen/code", data={"code": current_totp_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)


def current_totp_code(user: User) -> str:
    """The app's code now. A code works once, so the account's last used step is forgotten first: tests log
    the same account in several times within one 30-second step."""
    account = db.session.get(User, user.id)
    assert account is not None and account.totp_secret
    account.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(account.totp_secret).now()


def make_letter_code_round(wijk: Wijk | None = None, phase: Phase = Phase.REVIEW, **kaders: Any) -> Round:
    """A round whose eligibility is letter codes (one code per register entry)."""
    return make_round(wijk, phase, eligibility="letter_codes", **kaders)


def give_code(entry: RegisterEntry, via: str = "letter") -> str:
    """`make_voting_code`, returning the compact code (as a resident may type it, without dashes)."""
    return make_voting_code(entry, issued_via=via).replace("-", "")
