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
from app.services.errors import NotAllowed, RuleViolation
from app.services.paper import polling
from app.services.rounds.wijken import InvalidFields
from tests.factories import make_round, make_user


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
    assert [(r.id, loc.name) for r, loc in polling.open_locations()][0] == (
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


def test_organisers_give_and_take_the_poll_worker_role(ctx: None) -> None:
    organiser, resident = make_user(Role.ORGANISER), make_user(Role.RESIDENT)
    polling.set_poll_worker(organiser, resident.id, grant=True)
    assert resident.role == "poll_worker"
    polling.set_poll_worker(organiser, resident.id, grant=False)
    assert resident.role == "resident"
    assert _actions() == ["user.poll_worker_granted", "user.poll_worker_revoked"]


def test_other_roles_are_never_changed_into_poll_workers(ctx: None) -> None:
    organiser, professional = make_user(Role.ORGANISER), make_user(Role.PROFESSIONAL)
    with pytest.raises(RuleViolation, match="Only residents"):
        polling.set_poll_worker(organiser, professional.id, grant=True)
    with pytest.raises(RuleViolation, match="Only residents"):
        polling.set_poll_worker(organiser, organiser.id, grant=False)
    with pytest.raises(NotAllowed):
        polling.set_poll_worker(make_user(Role.POLL_WORKER), professional.id, grant=True)
    assert professional.role == "professional" and _actions() == []


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
