"""The demo round in the proposal phase: supports, reactions (one hidden with its reason), generated pictures,
places on the map with buurt outlines, and an open help request."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

from PIL import Image, ImageDraw

from app.extensions import db
from app.models import Buurt, Phase, Project, ProjectStatus, Reaction, Round, Support, User, Wijk
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.proposals import help_requests, pictures

DAY = timedelta(days=1)
SUPPORTERS = 8
THRESHOLD = 5
# Three buurten side by side around Lombok, Utrecht (WGS84: longitude, latitude), for the demo map.
_WEST, _EAST, _SOUTH, _NORTH = 5.0960, 5.1110, 52.0880, 52.0950
IDEAS = (
    ("Moestuin op het Cartesiusplein", "Een gezamenlijke moestuin met bakken op poten, ook voor buren in een rolstoel.", "Groen", (52.0915, 5.1075), 7),
    ("Speelbos achter de Kanaalweg", "Boomstammen, een klimnet en een zandbak voor kinderen van 4 tot 10 jaar.", "Spelen", (52.0920, 5.1010), 6),
    ("Bankjes langs de Leidsche Rijn", "Vijf bankjes met leuning langs het water, zodat ouderen onderweg kunnen rusten.", "Ontmoeten", (52.0900, 5.0975), 2),
)  # fmt: skip


def seed_proposal_round(wijk: Wijk, users: dict[str, User], now: datetime) -> int:
    """The wijk's buurten must have their outlines already (`outline_buurten`, when the wijk is made)."""
    rnd = _round(wijk, now)
    buurten = sorted(wijk.buurten, key=lambda b: b.name)
    authors = [users["resident"], users["proposer0"], users["proposer1"]]
    supporters = _supporters(wijk, users["resident"])
    projects = []
    for index, (title, text, theme, (lat, lon), supports) in enumerate(IDEAS):
        project = Project(
            round_id=rnd.id, title=title, description=text, cost_cents=(index + 1) * 400_000,
            original_cost_cents=(index + 1) * 400_000, category=theme, buurt_id=_buurt_at(buurten, lon).id,
            author_id=authors[index].id, status=ProjectStatus.SUBMITTED.value, latitude=lat, longitude=lon,
        )  # fmt: skip
        db.session.add(project)
        db.session.flush()
        db.session.add_all(
            Support(round_id=rnd.id, project_id=project.id, user_id=u.id) for u in supporters[:supports]
        )
        projects.append(project)
    db.session.commit()
    _reactions(projects[0], authors[0], users)
    for index, project in enumerate(projects):
        author = authors[index]
        pictures.add_picture(author, project.id, _generated_picture(index), f"Schets van: {project.title}")
    help_requests.ask_for_help(
        authors[1], projects[1].id, "cost_estimate", "Wat kost een klimnet ongeveer, met plaatsen erbij?"
    )
    return rnd.id


def _round(wijk: Wijk, now: datetime) -> Round:
    rnd = Round(
        wijk_id=wijk.id, title="Bewonersbudget Lombok 2028: ideeën gezocht", phase=Phase.PROPOSALS.value,
        proposals_open_at=now - 3 * DAY, review_open_at=now + 14 * DAY, voting_open_at=now + 35 * DAY,
        voting_close_at=now + 49 * DAY, results_at=now + 52 * DAY, budget_cents=4_000_000,
        min_project_cost_cents=100_000, max_project_cost_cents=2_000_000, categories=["Groen", "Spelen", "Ontmoeten"],
        ballot_type="knapsack", min_choices=1, max_choices=1000, counting_rule="greedy", tie_break="default",
        leftover_policy="next_round", out_of_scope="Onderhoud dat de gemeente al doet.", support_threshold=THRESHOLD,
    )  # fmt: skip
    db.session.add(rnd)
    db.session.flush()
    return rnd


def outline_buurten(wijk: Wijk) -> None:
    """Rectangles from west to east in the order of the buurten's names. Called when the wijk is made: a wijk's
    buurten freeze once one of its rounds is in voting, and the demo has such rounds before the proposal round."""
    buurten = sorted(wijk.buurten, key=lambda b: b.name)
    step = (_EAST - _WEST) / len(buurten)
    for index, buurt in enumerate(buurten):
        west, east = _WEST + index * step, _WEST + (index + 1) * step
        ring = [[west, _SOUTH], [east, _SOUTH], [east, _NORTH], [west, _NORTH], [west, _SOUTH]]
        buurt.boundary = {"type": "MultiPolygon", "coordinates": [[ring]]}


def _buurt_at(buurten: list[Buurt], longitude: float) -> Buurt:
    step = (_EAST - _WEST) / len(buurten)
    return buurten[min(int((longitude - _WEST) / step), len(buurten) - 1)]


def _supporters(wijk: Wijk, like: User) -> list[User]:
    """Neighbours who support proposals (they log in with the demo password too)."""
    people = []
    for n in range(SUPPORTERS):
        user = User(
            email=f"buur{n + 1}@demo.wijkbudget.nl", name=f"Buur {n + 1}", role="resident", language="nl",
            wijk_id=wijk.id, postcode=like.postcode, birth_date=like.birth_date, email_confirmed_at=utcnow(),
            password_hash=like.password_hash,
        )  # fmt: skip
        db.session.add(user)
        people.append(user)
    db.session.flush()
    return people


def _reactions(project: Project, author: User, users: dict[str, User]) -> None:
    neighbour, other = users["proposer0"], users["proposer1"]
    first = Reaction(
        project_id=project.id, author_id=neighbour.id, body="Goed idee! Ik wil wel helpen met water geven."
    )
    db.session.add(first)
    db.session.flush()
    db.session.add(
        Reaction(
            project_id=project.id,
            parent_id=first.id,
            author_id=author.id,
            body="Dank je! Zie ook https://www.utrecht.nl/",
        )
    )
    hidden = Reaction(
        project_id=project.id, author_id=other.id, body="(verborgen reactie)", hidden_at=utcnow(),
        hidden_reason="Beledigt een buurman.", hidden_by_id=users["organiser"].id,
    )  # fmt: skip
    db.session.add(hidden)
    db.session.flush()
    record_event(
        users["organiser"], "reaction.hidden", round_id=project.round_id, subject=f"reaction {hidden.id}",
        details={"reaction_id": hidden.id, "project_id": project.id, "reason": hidden.hidden_reason},
    )  # fmt: skip
    db.session.commit()


def _generated_picture(seed: int) -> bytes:
    """A simple drawn sketch (sky, grass, a sun) in a colour of its own: no real photos in the demo."""
    image = Image.new("RGB", (960, 640), (150 + 30 * seed, 200, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 960, 640), fill=(90, 160 - 20 * seed, 70))
    draw.ellipse((720, 60, 860, 200), fill=(250, 210, 60))
    draw.rectangle((200 + 80 * seed, 300, 420 + 80 * seed, 430), fill=(140, 90, 50))
    out = BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
