"""Every GET route of the app as concrete URLs, with ids taken from a seeded demo site.

`urls_for(app, site)` turns each URL rule into the URLs to visit: a rule with a round in it is visited for every
round (the pages differ by phase), other ids take one suitable row. Routes that cannot be visited as a page are
listed in NOT_PAGES with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Commitment,
    HelpRequest,
    PollingLocation,
    Project,
    Reaction,
    RegisterImport,
    Round,
    User,
    Wijk,
)
from app.services.accounts.email_confirmation import confirmation_token
from app.services.accounts.password_links import Purpose, password_link_token

NOT_PAGES = {
    "static": "files, not pages (the stylesheets and fonts every page loads are checked with it)",
    "commitments.photo": "an image, shown on the commitment pages the crawl visits",
    "residents.picture": "an image, shown on the project pages the crawl visits",
}


@dataclass
class SiteIds:
    """The ids each URL argument can take on the seeded site."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    round_projects: dict[int, list[int]] = field(default_factory=dict)
    # Where one endpoint needs its own value for an argument (a token is signed for one purpose).
    by_endpoint: dict[str, dict[str, list[Any]]] = field(default_factory=dict)


def site_ids(resident_email: str) -> SiteIds:
    rounds = db.session.scalars(select(Round.id).order_by(Round.id)).all()
    projects = db.session.scalars(select(Project).order_by(Project.id)).all()
    resident = db.session.scalar(select(User).where(User.email == resident_email))
    own = [p.id for p in projects if resident is not None and p.author_id == resident.id]
    visible = db.session.scalars(
        select(Reaction).where(Reaction.hidden_at.is_(None)).order_by(Reaction.id)
    ).all()
    own_reactions = [r.id for r in visible if resident is not None and r.author_id == resident.id]
    others_reactions = [r.id for r in visible if r.id not in own_reactions]
    ids = SiteIds(
        values={
            "round_id": list(rounds),
            # The resident's own proposal (edit and withdraw) first, then one project of every round.
            "project_id": own[:1] + list({p.round_id: p.id for p in projects}.values()),
            "location_id": list(db.session.scalars(select(PollingLocation.id).order_by(PollingLocation.id)))[
                :1
            ],
            "commitment_id": list(db.session.scalars(select(Commitment.id).order_by(Commitment.id)))[:1],
            "wijk_id": list(db.session.scalars(select(Wijk.id).order_by(Wijk.id)))[:1],
            "import_id": list(db.session.scalars(select(RegisterImport.id).order_by(RegisterImport.id)))[:1],
            # The resident's own reaction (edit) and a neighbour's (report, hide).
            "reaction_id": own_reactions[:1] + others_reactions[:1],
            "request_id": list(db.session.scalars(select(HelpRequest.id).order_by(HelpRequest.id)))[:1],
            "kind": ["pb", "csv", "json"],
            "part": [],
            "lang": ["nl"],  # the language switch; Dutch keeps the rest of the crawl in Dutch
            "token": [confirmation_token(resident)] if resident is not None else [],
        },
    )
    if resident is not None:
        ids.by_endpoint = {
            "auth.reset_password": {"token": [password_link_token(resident, Purpose.RESET)]},
            "auth.accept_invitation": {"token": [password_link_token(resident, Purpose.INVITATION)]},
        }
    for p in projects:
        ids.round_projects.setdefault(p.round_id, []).append(p.id)
    return ids


@dataclass(frozen=True)
class Target:
    endpoint: str
    url: str


def targets(app: Flask, ids: SiteIds) -> tuple[list[Target], list[str]]:
    """The URLs to visit, and the GET endpoints that got none (no row to fill in their arguments)."""
    found: list[Target] = []
    unreached: list[str] = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
                continue
            urls = [
                url_for(rule.endpoint, **values)
                for values in _argument_sets(sorted(rule.arguments), _for_endpoint(ids, rule.endpoint))
            ]
            if not urls:
                unreached.append(rule.endpoint)
            found += [Target(rule.endpoint, url) for url in urls]
    return found, unreached


def _for_endpoint(ids: SiteIds, endpoint: str) -> SiteIds:
    own = ids.by_endpoint.get(endpoint)
    return replace(ids, values={**ids.values, **own}) if own else ids


def _argument_sets(names: list[str], ids: SiteIds) -> Iterator[dict[str, Any]]:
    if "round_id" in names and "project_id" in names:  # a project of that round
        rest = [n for n in names if n not in ("round_id", "project_id")]
        for round_id, project_ids in ids.round_projects.items():
            for values in _argument_sets(rest, ids):
                yield {"round_id": round_id, "project_id": project_ids[0], **values}
        return
    choices = [ids.values.get(name, []) for name in names]
    for combination in product(*choices):
        yield dict(zip(names, combination, strict=True))
