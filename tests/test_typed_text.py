"""Names and titles lose control characters and direction overrides at input (one normaliser for all)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.models import Phase, Role
from app.services.accounts.users import register_resident
from app.services.paper import polling
from app.services.proposals.submissions import submit_proposal
from app.services.rounds.kaders import create_round
from app.services.rounds.wijken import create_wijk
from app.typed_text import multi_line, one_line
from tests.factories import make_round, make_user, make_wijk
from tests.services.rounds.test_rounds import settings

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
HIDDEN = f"{RLO}\x1b\x07{LRI}\x7f\u0085{PDI}\u200f"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"Speeltuin{RLO}gpj.exe", "Speeltuingpj.exe"),
        (f"  Oost\t{HIDDEN}west \n", "Oost west"),
        ("Café ’t Hoekje", "Café ’t Hoekje"),
        ("مدرسة", "مدرسة"),  # right-to-left text itself stays; only the invisible controls go
    ],
)
def test_one_line(typed: str, stored: str) -> None:
    assert one_line(typed) == stored


def test_multi_line_keeps_lines_and_tabs() -> None:
    assert multi_line(f" Eerst\r\nDan\t{RLO}dit\x00\x1b \n") == "Eerst\nDan\tdit"


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def test_names_and_titles_are_stored_without_hidden_characters(ctx: None) -> None:
    wijk = create_wijk(
        make_user(Role.ADMIN),  # only an admin makes a wijk
        name=f"Oost{RLO}",
        municipality=f"Utrecht{HIDDEN}",
        buurten=[f"No{LRI}ord"],
        postcodes=["3512"],
    )
    assert (wijk.name, wijk.municipality, [b.name for b in wijk.buurten]) == ("Oost", "Utrecht", ["Noord"])
    organiser = make_user(Role.ORGANISER, wijken=[wijk])
    rnd = create_round(
        organiser, wijk.id, settings(title=f"Budget{RLO} 2026", categories=(f"Gr{HIDDEN}oen",))
    )
    assert (rnd.title, rnd.categories) == ("Budget 2026", ["Groen"])
    user = register_resident(
        f"jan{RLO}@example.nl".replace(RLO, ""), f"Jan{RLO}nesnaJ", "lang genoeg wachtwoord"
    )
    assert user.name == "JannesnaJ"


def test_project_titles_and_location_names_too(ctx: None) -> None:
    wijk = make_wijk()
    rnd = make_round(wijk, phase=Phase.PROPOSALS)
    resident = make_user(wijk=wijk)
    project = submit_proposal(
        resident,
        rnd.id,
        title=f"Speeltuin{RLO}gpj.exe",
        description=f"Een plan{HIDDEN} voor de hele buurt, met bankjes.",
        cost_cents=100_000,
        category="Groen",
    )
    assert project.title == "Speeltuingpj.exe"
    assert HIDDEN not in project.description and RLO not in project.description
    location = polling.create_location(
        make_user(Role.ORGANISER), rnd.id, f"Buurthuis{RLO}", "community_centre"
    )
    assert location.name == "Buurthuis"
