"""Malformed input gets a clear 400 or 404, never a 500, and changes nothing.

A fuzz of the production shape found 500s for NUL bytes in form posts (also on the anonymous login form) and
for ids beyond PostgreSQL's integer in URLs (`/uitslag/99999999999999999999`). Here every route with a form
gets random bytes, every id route gets oversized ids, as every kind of visitor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, quote_from_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

from app.extensions import db
from app.models import Phase, Role
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import (
    give_code,
    login,
    make_adult_register_entry,
    make_letter_code_round,
    make_location,
    make_project,
    make_round,
    make_user,
)

HUGE_ID = 99_999_999_999_999_999_999
# Fields that views read from the request themselves rather than through a form class.
RAW_FIELDS = (
    "project_ids",
    "action",
    "buurt_id",
    "lang",
    "next",
    "grant",
    "q",
    "code",
    "postcode",
    "round_id",
)


def _form_fields() -> list[str]:
    import app.web  # noqa: F401 - every form class is defined once the blueprints are imported

    names: set[str] = set(RAW_FIELDS)
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names.update(n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField))
    return sorted(names)


@dataclass
class World:
    ids: dict[str, int]
    clients: list[FlaskClient]
    post_rules: list[Rule]
    id_rules: list[Rule]

    def url(self, rule: Rule, override: int | None = None) -> str:
        values: dict[str, object] = {}
        for arg in sorted(rule.arguments):
            converter = type(rule._converters[arg]).__name__  # noqa: SLF001 - which arguments are ids
            if "Integer" in converter or "Id" in converter:
                values[arg] = override if override is not None else self.ids.get(arg, 1)
            else:
                values[arg] = {"kind": "pdf", "part": "wijk", "name": "x.jpg", "token": "x"}.get(arg, "x")
        url = rule.rule
        for arg, value in values.items():
            url = re.sub(rf"<(?:[^<>:]+:)?{arg}>", str(value), url)
        return url


def _ids(app: Flask) -> dict[str, int]:
    published = published_greedy_round(app)
    voting = make_round(phase=Phase.VOTING)
    project = make_project(voting)
    coded = make_letter_code_round(phase=Phase.VOTING)
    entry = make_adult_register_entry(coded)
    give_code(entry)
    location = make_location(voting)
    return {
        "round_id": voting.id,
        "project_id": project.id,
        "wijk_id": voting.wijk_id,
        "commitment_id": commitment_of(published.a).id,
        "location_id": location.id,
        "user_id": 1,
        "entry_id": entry.id,
        "import_id": 1,
        "batch_id": 1,
    }


@pytest.fixture
def world(app: Flask, db_session: object) -> Iterator[World]:
    with app.test_request_context():
        ids = _ids(app)
        users = [make_user(Role.RESIDENT, wijk=None), make_user(Role.ADMIN), make_user(Role.POLL_WORKER)]
    clients = [app.test_client()]
    for user in users:
        client = app.test_client()
        login(client, user)
        clients.append(client)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    yield World(
        ids=ids,
        clients=clients,
        post_rules=[r for r in rules if "POST" in (r.methods or ())],
        id_rules=[r for r in rules if any(a.endswith("_id") for a in r.arguments)],
    )


def _snapshot() -> list[tuple[str, int, int]]:
    """Every table's row count and a hash of its rows: what "nothing changed" means."""
    parts = [
        f"SELECT '{t.name}', count(*), coalesce(sum(hashtext(x::text)::bigint), 0) FROM {t.name} x"
        for t in db.metadata.sorted_tables
    ]
    return [tuple(row) for row in db.session.execute(text(" UNION ALL ".join(parts))).all()]  # type: ignore[misc]


def _form_body(fields: dict[str, bytes]) -> str:
    return "&".join(f"{quote(name)}={quote_from_bytes(value)}" for name, value in fields.items())


def _post(client: FlaskClient, url: str, fields: dict[str, bytes]) -> int:
    body = _form_body(fields)
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    return response.status_code


FIELDS = _form_fields()


def test_a_nul_byte_in_any_field_of_any_form_is_a_400_and_changes_nothing(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in production: the CSRF check reads every posted form before a view runs (and the token is
    # never even looked at: the NUL refuses the form as it is read).
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _snapshot()
    for number, rule in enumerate(world.post_rules):
        for client in world.clients:
            fields = dict.fromkeys(FIELDS, b"12")
            name = FIELDS[number % len(FIELDS)]
            fields[name] = b"jan\x00@example.nl"
            response = client.post(
                world.url(rule), data=_form_body(fields), content_type="application/x-www-form-urlencoded"
            )
            assert response.status_code == 400, (rule.rule, name, response.status_code)
            assert "NUL" in response.get_data(as_text=True), rule.rule
    assert _snapshot() == before


def test_the_anonymous_login_form_refuses_nul_bytes_with_a_message(world: World) -> None:
    response = world.clients[0].post("/inloggen", data={"email": "a\x00@b.nl", "password": "x\x00"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("huge", [HUGE_ID, 2**31, 2**63])
def test_every_id_route_answers_404_for_ids_no_row_can_have(world: World, huge: int) -> None:
    for rule in world.id_rules:
        for client in world.clients[:2]:
            url = world.url(rule, override=huge)
            status = (
                client.get(url).status_code if "GET" in (rule.methods or ()) else client.post(url).status_code
            )
            assert status == 404, (url, status)


def test_ids_in_forms_and_query_strings_that_no_row_can_have_are_no_500(world: World) -> None:
    for rule in world.post_rules:
        for client in world.clients:
            fields = dict.fromkeys(FIELDS, str(HUGE_ID).encode())
            assert _post(client, world.url(rule), fields) < 500, rule.rule
    for url in (f"/uitslag/stembewijs?round_id={HUGE_ID}&code=x", f"/uitslag/stembewijs?round_id={HUGE_ID}"):
        assert world.clients[0].get(url).status_code < 500


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_bytes_to_every_form_and_id_never_give_a_server_error(
    world: World, data: st.DataObject
) -> None:
    rule = data.draw(st.sampled_from(world.post_rules + world.id_rules), label="route")
    client = data.draw(st.sampled_from(world.clients), label="visitor")
    override = data.draw(st.none() | st.integers(min_value=0, max_value=10**25), label="id")
    names = data.draw(st.lists(st.sampled_from(FIELDS), max_size=8, unique=True), label="fields")
    fields = {name: data.draw(st.binary(max_size=40), label=name) for name in names}
    url = world.url(rule, override=override)
    malformed = any(b"\x00" in value for value in fields.values())
    before = _snapshot() if malformed else None
    if "POST" in (rule.methods or ()):
        status = _post(client, url, fields)
    else:
        status = client.get(f"{url}?{_form_body(fields)}").status_code
    assert status < 500, (url, fields, status)
    if malformed:  # refused when the form is read (a view that never reads it has nothing to store)
        assert _snapshot() == before
