"""Finding proposals: filter by theme, buurt and status, search the text, and sort (newest, most support,
random per visitor)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from app.models import Phase, ProjectStatus
from app.services.proposals import support
from tests.factories import make_project, make_round, make_user


def _titles(client: FlaskClient, url: str) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    return re.findall(r'<h2><a href="/project/\d+">([^<]+)</a></h2>', page)


def test_filters_search_and_sorts(app: Flask, client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    noord, zuid = rnd.wijk.buurten
    bankjes = make_project(
        rnd, title="Bankjes", category="Groen", buurt_id=noord.id, status=ProjectStatus.SUBMITTED
    )
    make_project(
        rnd,
        title="Speeltuin",
        category="Spelen",
        buurt_id=zuid.id,
        status=ProjectStatus.SUBMITTED,
        description="Een glijbaan voor kinderen.",
    )
    make_project(rnd, title="Buurtfeest", category="Ontmoeten", status=ProjectStatus.WITHDRAWN)
    with app.test_request_context():
        for _ in range(2):
            support.support_proposal(make_user(wijk=rnd.wijk), bankjes.id)
    base = f"/ronde/{rnd.id}/projecten"
    assert _titles(client, base) == ["Buurtfeest", "Speeltuin", "Bankjes"]  # newest first
    assert _titles(client, f"{base}?thema=Spelen") == ["Speeltuin"]
    assert _titles(client, f"{base}?buurt={noord.id}") == ["Bankjes"]
    assert _titles(client, f"{base}?status=withdrawn") == ["Buurtfeest"]
    assert _titles(client, f"{base}?zoek=GLIJBAAN") == ["Speeltuin"]
    assert _titles(client, f"{base}?sorteer=support")[0] == "Bankjes"
    shuffled = _titles(client, f"{base}?sorteer=random")
    assert sorted(shuffled) == ["Bankjes", "Buurtfeest", "Speeltuin"]
    assert _titles(client, f"{base}?sorteer=random") == shuffled  # the same visitor keeps their order
    assert "0 voorstellen getoond van 3" in client.get(f"{base}?zoek=xyz&buurt=abc&sorteer=%3Cx%3E").get_data(
        as_text=True
    )
