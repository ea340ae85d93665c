"""Which wijken a staff account holds, and the services that refuse staff of another wijk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Phase, Role, Round, User
from app.services.accounts.wijk_access import held_wijk_ids, holds_wijk, set_staff_wijken
from app.services.eligibility import registers
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.rounds import amendments, phases
from app.services.rounds.wijken import update_wijk
from app.services.voting import turnout
from tests.factories import make_round, make_user, make_wijk


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context(), force_locale("en"):
        yield


def test_an_admin_holds_every_wijk_a_resident_none_and_staff_their_own(ctx: None) -> None:
    mine, other = make_wijk(), make_wijk()
    organiser = make_user(Role.ORGANISER, wijken=[mine])
    assert holds_wijk(organiser, mine.id) and not holds_wijk(organiser, other.id)
    assert held_wijk_ids(make_user(Role.ADMIN)) is None
    assert held_wijk_ids(make_user(Role.RESIDENT)) == frozenset()


def test_set_staff_wijken_replaces_the_wijken_and_is_audited(ctx: None) -> None:
    first, second = make_wijk(), make_wijk()
    admin, professional = make_user(Role.ADMIN), make_user(Role.PROFESSIONAL, wijken=[first])
    set_staff_wijken(professional, [second.id, second.id], actor=admin)
    assert [w.id for w in professional.staff_wijken] == [second.id]
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.details["before"], event.details["after"]) == (
        "user.wijken_changed",
        admin.id,
        [first.id],
        [second.id],
    )
    set_staff_wijken(professional, [], actor=None)  # the command line
    assert professional.staff_wijken == []


def test_set_staff_wijken_refuses_unknown_wijken_and_non_admins(ctx: None) -> None:
    wijk = make_wijk()
    organiser = make_user(Role.ORGANISER, wijken=[wijk])
    with pytest.raises(RuleViolation, match="do not exist: 999999") as unknown:
        set_staff_wijken(organiser, [wijk.id, 999_999])
    assert unknown.value.field == "wijken"
    with pytest.raises(NotAllowed):
        set_staff_wijken(organiser, [make_wijk().id], actor=organiser)
    db.session.expire_all()
    assert [w.id for w in db.session.get_one(User, organiser.id).staff_wijken] == [wijk.id]
    assert db.session.scalars(select(AuditEvent)).all() == []


SERVICE_CALLS: dict[str, Callable[[User, Round], Any]] = {
    "advance_phase": lambda actor, rnd: phases.advance_phase(actor, rnd.id),
    "close_voting": lambda actor, rnd: phases.close_voting(actor, rnd.id),
    "request_count": lambda actor, rnd: phases.request_count(actor, rnd.id),
    "amend_round": lambda actor, rnd: amendments.amend_round(
        actor, rnd.id, field="title", new_value="Overgenomen", reason="Omdat het kan."
    ),
    "clear_register": lambda actor, rnd: registers.clear_register(actor, rnd.id),
    "round_turnout": lambda actor, rnd: turnout.round_turnout(actor, rnd.id),
    "update_wijk": lambda actor, rnd: update_wijk(
        actor, rnd.wijk_id, name="Overgenomen", municipality="X", buurten=[], postcodes=["3512"]
    ),
}


@pytest.mark.parametrize("call", sorted(SERVICE_CALLS))
def test_services_refuse_an_organiser_of_another_wijk(ctx: None, call: str) -> None:
    rnd = make_round(phase=Phase.VOTING, eligibility="letter_codes")
    outsider = make_user(Role.ORGANISER, wijken=[make_wijk()])
    before = (rnd.phase, rnd.title, rnd.wijk.name)
    with pytest.raises(NotFound):
        SERVICE_CALLS[call](outsider, rnd)
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get_one(Round, rnd.id)
    assert (stored.phase, stored.title, stored.wijk.name) == before
    assert db.session.scalars(select(AuditEvent)).all() == []
