"""Test data for commitments: published rounds whose winners are known, and small real images."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from flask import Flask
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Commitment, Phase, Project, Round
from app.services.results.publishing import publish_round
from tests.factories import make_project, make_round
from tests.results_data import cast_votes, service_context


@dataclass
class PublishedGreedyRound:
    """€ 10.000 budget, greedy. A (40 votes, € 5.000), B (30, € 3.000), C (20, € 2.000) win and use it all;
    D (10, € 1.500) and E (5, € 1.000) lose."""

    round: Round
    a: Project
    b: Project
    c: Project
    d: Project
    e: Project

    @property
    def winners(self) -> list[Project]:
        return [self.a, self.b, self.c]


def published_greedy_round(app: Flask, **kaders: object) -> PublishedGreedyRound:
    rnd = make_round(
        phase=Phase.CLOSED,
        budget_cents=1_000_000,
        min_project_cost_cents=50_000,
        max_project_cost_cents=600_000,
        **kaders,
    )
    costs = {"a": 500_000, "b": 300_000, "c": 200_000, "d": 150_000, "e": 100_000}
    projects = {
        name: make_project(rnd, cost_cents=cost, title=f"Project {name.upper()}")
        for name, cost in costs.items()
    }
    cast_votes(
        rnd, {projects["a"]: 40, projects["b"]: 30, projects["c"]: 20, projects["d"]: 10, projects["e"]: 5}
    )
    with service_context(app):
        publish_round(rnd.id)
    return PublishedGreedyRound(rnd, **projects)


def commitment_of(project: Project) -> Commitment:
    return db.session.scalars(select(Commitment).where(Commitment.project_id == project.id)).one()


def image_bytes(image_format: str = "JPEG", size: tuple[int, int] = (8, 6), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = BytesIO()
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "PhoneMaker"  # Make
        info[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0)}  # GPS
        kwargs["exif"] = info.tobytes()
    image.save(out, format=image_format, **kwargs)
    return out.getvalue()
