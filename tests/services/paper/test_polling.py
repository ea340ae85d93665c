"""Polling locations and the poll-worker role: organisers manage them, every change is audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Phase, Role
from app.postcodes import normalise_postcode
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.paper import polling
from app.services.rounds.wijken import InvalidFields
from tests.factories import make_location, make_round, make_user, make_wijk


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context(), force_locale("en"):  # the tests read the English messages
        yield


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_organisers_add_and_change_locations(ctx: None) -> None:
    organiser, rnd = make_user(Role.ORGANISER), make_round(phase=Phase.VOTING)
    school = polling.create_location(organiser, rnd.id, "  De  Regenboog ", "school")
    assert (school.name, school.kind) == ("De Regenboog", "school")
    polling.create_location(organiser, rnd.id, "Buurthuis Oost", "community_centre")
    polling.update_location(organiser, school.id, "Basisschool De Regenboog", "school")
    assert [loc.name for loc in polling.locations_of(rnd.id)] == [
        "Basisschool De Regenboog",
        "Buurthuis Oost",
    ]
    assert [(r.id, loc.name) for r, loc in polling.open_locations(organiser)][0] == (
        rnd.id,
        "Basisschool De Regenboog",
    )
    assert _actions() == ["polling_location.created", "polling_location.created", "polling_location.updated"]


def test_a_location_needs_a_unique_name_and_a_known_kind(ctx: None) -> None:
    organiser, rnd = make_user(Role.ORGANISER), make_round()
    polling.create_location(organiser, rnd.id, "Buurthuis", "community_centre")
    with pytest.raises(InvalidFields) as taken:
        polling.create_location(organiser, rnd.id, "Buurthuis", "school")
    assert taken.value.field == "name"
    with pytest.raises(InvalidFields) as unknown:
        polling.create_location(organiser, rnd.id, "Markt", "market")
    assert unknown.value.field == "kind"
    with pytest.raises(NotAllowed):
        polling.create_location(make_user(Role.POLL_WORKER), rnd.id, "Markt", "other")
    assert len(polling.locations_of(rnd.id)) == 1


def test_admins_give_and_take_the_poll_worker_role_and_it_records_who(ctx: None) -> None:
    admin, resident, wijk = make_user(Role.ADMIN), make_user(Role.RESIDENT), make_wijk()
    polling.set_poll_worker(admin, resident.id, grant=True, wijk_ids=[wijk.id])
    assert (resident.role, resident.poll_worker_granted_by_id) == ("poll_worker", admin.id)
    assert [w.id for w in resident.staff_wijken] == [wijk.id]
    polling.set_poll_worker(admin, resident.id, grant=False)
    assert (resident.role, resident.poll_worker_granted_by_id, resident.staff_wijken) == (
        "resident",
        None,
        [],
    )
    assert _actions() == ["user.poll_worker_granted", "user.poll_worker_revoked"]


def test_only_an_admin_makes_someone_a_poll_worker(ctx: None) -> None:
    resident, wijk = make_user(Role.RESIDENT), make_wijk()
    for role in (Role.ORGANISER, Role.POLL_WORKER, Role.PROFESSIONAL):
        with pytest.raises(NotAllowed):
            polling.set_poll_worker(make_user(role), resident.id, grant=True, wijk_ids=[wijk.id])
    with pytest.raises(RuleViolation, match="neighbourhood"):
        polling.set_poll_worker(make_user(Role.ADMIN), resident.id, grant=True)
    assert resident.role == "resident" and _actions() == []


def test_other_roles_are_never_changed_into_poll_workers(ctx: None) -> None:
    admin, professional, wijk = make_user(Role.ADMIN), make_user(Role.PROFESSIONAL), make_wijk()
    with pytest.raises(RuleViolation, match="Only residents"):
        polling.set_poll_worker(admin, professional.id, grant=True, wijk_ids=[wijk.id])
    with pytest.raises(RuleViolation, match="Only residents"):
        polling.set_poll_worker(admin, admin.id, grant=False)
    assert professional.role == "professional" and _actions() == []


def test_organisers_assign_poll_workers_of_their_wijk_to_its_locations(ctx: None) -> None:
    rnd, other = make_round(phase=Phase.VOTING), make_round(phase=Phase.VOTING)
    here, elsewhere = make_location(rnd), make_location(other)
    organiser = make_user(Role.ORGANISER, wijken=[rnd.wijk])
    worker = make_user(Role.POLL_WORKER, wijken=[rnd.wijk])
    assert polling.open_locations(worker) == []
    polling.assign_poll_worker(organiser, here.id, worker.id)
    assert [loc.id for _, loc in polling.open_locations(worker)] == [here.id]
    assert polling.works_at(worker, here) and not polling.works_at(worker, elsewhere)
    with pytest.raises(NotFound):  # another wijk's location
        polling.assign_poll_worker(organiser, elsewhere.id, worker.id)
    with pytest.raises(RuleViolation, match="poll worker of this neighbourhood"):
        polling.assign_poll_worker(organiser, here.id, make_user(Role.POLL_WORKER, wijken=[other.wijk]).id)
    polling.unassign_poll_worker(organiser, here.id, worker.id)
    assert polling.open_locations(worker) == []
    assert _actions()[-2:] == ["poll_worker.assigned", "poll_worker.unassigned"]


def test_users_are_found_by_part_of_their_e_mail_address(ctx: None) -> None:
    make_user(email="an.de.vries@example.nl")
    make_user(email="piet_100%@example.nl")
    assert [u.email for u in polling.users_by_email("DE.VRIES")] == ["an.de.vries@example.nl"]
    assert [u.email for u in polling.users_by_email("_100%")] == ["piet_100%@example.nl"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1234ab", "1234AB"),
        ("1234 AB", "1234AB"),
        (" 3512  cd ", "3512CD"),
        ("0123AB", None),
        ("12345", None),
    ],
)
def test_postcodes_are_normalised(typed: str, stored: str | None) -> None:
    assert normalise_postcode(typed) == stored
