"""The turnout dashboard's numbers: by buurt, channel and age band, with every small group hidden."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from app.models import Buurt, Phase, Role, Round
from app.models.freeze import seeding
from app.services.errors import NotAllowed
from app.services.voting import turnout
from app.services.voting.ballots import store_ballot
from app.services.voting.turnout import MIN_GROUP, Count, Row, age_bands, protect
from tests.factories import make_register_entries, make_round, make_user, make_wijk

OPENED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # voting opened on Monday 2 March 2026 (Amsterdam time)


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context():
        yield


def _round(eligibility: str = "letter_codes") -> Round:
    wijk = make_wijk(buurten=("Noord", "Oost", "Zuid"))
    rnd = make_round(wijk, phase=Phase.VOTING, eligibility=eligibility, min_age=12)
    day = timedelta(days=1)
    with seeding(db.session):  # the calendar this round had from the start
        rnd.proposals_open_at, rnd.review_open_at = OPENED - 9 * day, OPENED - 5 * day
        rnd.voting_open_at, rnd.voting_close_at, rnd.results_at = OPENED, OPENED + 30 * day, OPENED + 31 * day
        db.session.commit()
    return rnd


def _buurt(rnd: Round, name: str) -> int:
    return db.session.scalars(
        db.select(Buurt.id).where(Buurt.wijk_id == rnd.wijk_id, Buurt.name == name)
    ).one()


def _shown(rows: list[Row] | None) -> dict[str, tuple[int | None, int | None]]:
    assert rows is not None
    return {
        row.name or row.key: (row.eligible.value if row.eligible else None, row.voted.value) for row in rows
    }


def test_small_groups_are_hidden_and_cannot_be_worked_out_from_the_total() -> None:
    assert protect([50, 3, 40]) == [Count(50), Count(None, small=True), Count(None)]
    assert protect([0, 0, 50, 60]) == [
        Count(None, small=True),
        Count(None, small=True),
        Count(None),
        Count(60),
    ]
    assert protect([5, 6, 40]) == [Count(None, small=True), Count(None, small=True), Count(40)]
    assert protect([12, 15, 40]) == [Count(12), Count(15), Count(40)]
    assert protect([3]) == [Count(None, small=True)]


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8))
def test_what_is_hidden_adds_up_to_at_least_ten_or_the_total_is_hidden(values: list[int]) -> None:
    counts = protect(values)
    hidden_sum = sum(v for v, c in zip(values, counts, strict=True) if c.hidden)
    assert all(c.hidden for v, c in zip(values, counts, strict=True) if v < MIN_GROUP)
    assert all(c.value == v for v, c in zip(values, counts, strict=True) if not c.hidden)
    total_hidden = sum(values) < MIN_GROUP
    assert hidden_sum == 0 and not any(c.hidden for c in counts) or hidden_sum >= MIN_GROUP or total_hidden


def test_age_bands_start_at_the_minimum_age() -> None:
    assert [label for label, _ in age_bands(12)] == ["12-17", "18-29", "30-44", "45-64", "65+"]
    assert [label for label, _ in age_bands(18)] == ["18-29", "30-44", "45-64", "65+"]


def test_turnout_by_buurt_channel_and_age(ctx: None) -> None:
    rnd = _round()
    noord, oost, zuid = _buurt(rnd, "Noord"), _buurt(rnd, "Oost"), _buurt(rnd, "Zuid")
    born_18 = date(2008, 3, 2)  # 18 on the day voting opened
    # Noord: 40 residents of 18, 25 of them voted (15 online, 10 on paper).
    make_register_entries(rnd, 15, buurt_id=noord, birth_date=born_18, voted_channel="online_code")
    make_register_entries(rnd, 10, buurt_id=noord, birth_date=born_18, voted_channel="paper")
    make_register_entries(rnd, 15, buurt_id=noord, birth_date=born_18)
    # Zuid: 30 residents of 70, 12 voted online. Oost: 20 residents who turn 18 a day late, 10 voted online.
    make_register_entries(rnd, 12, buurt_id=zuid, birth_date=date(1956, 1, 1), voted_channel="online_code")
    make_register_entries(rnd, 18, buurt_id=zuid, birth_date=date(1956, 1, 1))
    make_register_entries(
        rnd, 10, buurt_id=oost, birth_date=born_18 + timedelta(days=1), voted_channel="online_code"
    )
    make_register_entries(rnd, 10, buurt_id=oost, birth_date=born_18 + timedelta(days=1))

    result = turnout.round_turnout(make_user(Role.ORGANISER), rnd.id)

    assert result.has_register and result.age_on == date(2026, 3, 2)
    assert (result.total.eligible, result.total.voted) == (Count(90), Count(47))
    assert _shown(result.by_buurt) == {"Noord": (40, 25), "Oost": (20, 10), "Zuid": (30, 12)}
    assert result.by_buurt[0].share == Fraction(25, 40)  # type: ignore[index]
    # No assisted votes: "fewer than 10", so paper (the smallest shown) is hidden as well.
    assert [(r.key, r.voted) for r in result.by_channel] == [
        ("online_code", Count(37)),
        ("paper", Count(None)),
        ("assisted", Count(None, small=True)),
    ]
    # Nobody is 30-64: both bands are "fewer than 10" but add up to 0, so the smallest band shown goes too.
    assert _shown(result.by_age) == {
        "12-17": (None, None),
        "18-29": (40, 25),
        "30-44": (None, None),
        "45-64": (None, None),
        "65+": (30, 12),
    }
    assert result.by_age[0].eligible == Count(None) and result.by_age[2].eligible == Count(None, small=True)  # type: ignore[index]


def test_a_small_buurt_is_hidden_together_with_the_next_smallest(ctx: None) -> None:
    rnd = _round()
    noord, oost, zuid = _buurt(rnd, "Noord"), _buurt(rnd, "Oost"), _buurt(rnd, "Zuid")
    make_register_entries(rnd, 50, buurt_id=noord, voted_channel="online_code")
    make_register_entries(rnd, 4, buurt_id=oost, voted_channel="online_code")
    make_register_entries(rnd, 30, buurt_id=zuid, voted_channel="online_code")
    make_register_entries(rnd, 11, buurt_id=zuid)

    result = turnout.round_turnout(make_user(Role.ORGANISER), rnd.id)

    assert _shown(result.by_buurt) == {"Noord": (50, 50), "Oost": (None, None), "Zuid": (None, None)}
    assert result.total.eligible == Count(95) and result.total.voted == Count(84)
    assert result.by_age is None  # no birth dates in this register


def test_entries_without_buurt_or_birth_date_are_their_own_group(ctx: None) -> None:
    rnd = _round()
    noord = _buurt(rnd, "Noord")
    make_register_entries(rnd, 12, buurt_id=noord, birth_date=date(1990, 1, 1), voted_channel="online_code")
    make_register_entries(rnd, 8, buurt_id=noord, birth_date=date(1990, 1, 1))
    make_register_entries(rnd, 21, voted_channel="online_code")
    result = turnout.round_turnout(make_user(Role.ORGANISER), rnd.id)
    # Oost and Zuid are empty ("fewer than 10", adding up to 0), so Noord is hidden with them.
    assert _shown(result.by_buurt) == {
        "Noord": (None, None),
        "Oost": (None, None),
        "Zuid": (None, None),
        "unknown": (21, 21),
    }
    assert _shown(result.by_age)["unknown"] == (21, 21)
    assert _shown(result.by_age)["30-44"] == (None, None)


def test_a_round_without_register_shows_only_ballots_by_channel(ctx: None) -> None:
    rnd = _round(eligibility="open")
    for n in range(12):
        store_ballot(rnd.id, f"voter-{n}", [])
    db.session.commit()
    result = turnout.round_turnout(make_user(Role.ORGANISER), rnd.id)
    assert not result.has_register and result.by_buurt is None and result.by_age is None
    assert result.total == Row("total", "", Count(12))
    assert [(r.key, r.voted) for r in result.by_channel] == [("online_account", Count(12))]


def test_a_round_with_few_voters_hides_its_totals(ctx: None) -> None:
    rnd = _round()
    make_register_entries(rnd, 30, buurt_id=_buurt(rnd, "Noord"))
    make_register_entries(rnd, 3, buurt_id=_buurt(rnd, "Noord"), voted_channel="paper")
    result = turnout.round_turnout(make_user(Role.ORGANISER), rnd.id)
    assert result.total.eligible == Count(33) and result.total.voted == Count(None, small=True)
    assert all(r.voted.hidden for r in result.by_channel)


def test_only_organisers_see_turnout(ctx: None) -> None:
    rnd = _round()
    with pytest.raises(NotAllowed):
        turnout.round_turnout(make_user(Role.POLL_WORKER), rnd.id)
