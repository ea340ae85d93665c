"""Organisers upload buurt outlines; proposal places must lie inside the wijk (point-in-polygon)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.models import Phase, Role
from app.services.errors import NotAllowed, RuleViolation
from app.services.proposals import submissions
from app.services.proposals.submissions import ProposalRejected
from app.services.rounds import buurt_maps
from tests.factories import make_round, make_user
from tests.geo_data import INSIDE_NOORD, INSIDE_ZUID, OUTSIDE, cbs_geojson
from tests.results_data import service_context


@pytest.fixture(autouse=True)
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with service_context(app, "en"):
        yield


def _mapped_round():  # type: ignore[no-untyped-def]
    rnd = make_round(phase=Phase.PROPOSALS)
    buurt_maps.upload_boundaries(make_user(Role.ORGANISER), rnd.wijk_id, cbs_geojson())
    return rnd


def _propose(rnd, place, buurt_id=None):  # type: ignore[no-untyped-def]
    return submissions.submit_proposal(
        make_user(wijk=rnd.wijk),
        rnd.id,
        title="Bankjes bij de Dom",
        description="Vier bankjes zodat ouderen onderweg kunnen uitrusten.",
        cost_cents=250_000,
        category="Groen",
        buurt_id=buurt_id,
        latitude=place[0],
        longitude=place[1],
    )


def test_outlines_are_matched_by_name_and_unknown_names_reported(db_session) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    upload = buurt_maps.upload_boundaries(
        make_user(Role.ORGANISER), rnd.wijk_id, cbs_geojson(("noord", "Oost"))
    )
    assert upload.matched == ["Noord"] and upload.unknown == ["Oost"]
    assert buurt_maps.has_map(rnd.wijk)


@pytest.mark.parametrize("data", [b"not json", b"\xff\xfe", b'{"type": "FeatureCollection", "features": []}'])
def test_a_file_that_is_not_geojson_outlines_is_refused(db_session, data: bytes) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    with pytest.raises(RuleViolation, match="not a GeoJSON file"):
        buurt_maps.upload_boundaries(make_user(Role.ORGANISER), rnd.wijk_id, data)
    assert not buurt_maps.has_map(rnd.wijk)


def test_only_organisers_upload_outlines(db_session) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    with pytest.raises(NotAllowed):
        buurt_maps.upload_boundaries(make_user(), rnd.wijk_id, cbs_geojson())


def test_a_place_inside_the_wijk_is_kept_and_gives_the_buurt(db_session) -> None:
    rnd = _mapped_round()
    project = _propose(rnd, INSIDE_ZUID)
    assert (project.latitude, project.longitude) == INSIDE_ZUID
    assert project.buurt is not None and project.buurt.name == "Zuid"


def test_a_place_outside_the_wijk_is_refused_and_nothing_is_stored(db_session) -> None:
    rnd = _mapped_round()
    with pytest.raises(ProposalRejected) as refused:
        _propose(rnd, OUTSIDE)
    assert "outside" in str(refused.value.problems[0].message)
    assert rnd.projects == []


def test_a_place_in_another_buurt_than_the_chosen_one_is_refused(db_session) -> None:
    rnd = _mapped_round()
    zuid = next(b for b in rnd.wijk.buurten if b.name == "Zuid")
    with pytest.raises(ProposalRejected) as refused:
        _propose(rnd, INSIDE_NOORD, buurt_id=zuid.id)
    assert refused.value.problems[0].field == "buurt_id"


def test_without_a_map_a_place_cannot_be_checked(db_session) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    with pytest.raises(ProposalRejected, match="no map yet"):
        _propose(rnd, INSIDE_NOORD)
