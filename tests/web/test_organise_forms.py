"""Organiser forms for wijken and rounds: good input is stored, bad input explained and nothing stored."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, Phase, Role, Round, Wijk
from app.money import parse_euros
from tests.factories import login, make_round, make_user, make_wijk, phase_dates

# --- amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.234,50", 123_450),
        ("1234.50", 123_450),
        ("1234", 123_400),
        ("1234,5", 123_450),
        ("€ 1.234,50", 123_450),
        ("1,234.50", 123_450),
        ("50.000", 5_000_000),
        ("25,-", 2_500),
        ("0", 0),
        ("1.000.000", 100_000_000),
        ("5000 euro", 500_000),  # as residents write it (issue 14)
        ("5.000 Euro", 500_000),
        ("250 euros", 25_000),
        ("EUR 12,50", 1_250),
    ],
)
def test_parse_euros_accepts_dutch_and_english_notation(text: str, cents: int) -> None:
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.234.50", "12,345,6", "1,2,3", "12.3456", "1e6"])
def test_parse_euros_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_euros(text)


def test_parse_euros_refuses_amounts_that_do_not_fit() -> None:
    with pytest.raises(OverflowError):
        parse_euros("999.999.999")


# --- wijken -------------------------------------------------------------------------------------------


def _organiser(client: FlaskClient) -> None:
    login(client, make_user(Role.ORGANISER))


def _admin(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))


def test_create_wijk(client: FlaskClient) -> None:
    _admin(client)
    response = client.post(
        "/organiseren/wijk/nieuw",
        data={
            "name": "Lombok",
            "municipality": "Utrecht",
            "buurten": "Noord\r\n\r\nZuid",
            "postcodes": "3531, 3532\n3533",
        },
    )
    assert response.status_code == 302
    wijk = db.session.query(Wijk).filter_by(name="Lombok").one()
    assert wijk.postcodes == ["3531", "3532", "3533"]
    assert sorted(b.name for b in wijk.buurten) == ["Noord", "Zuid"]
    assert db.session.query(AuditEvent).filter_by(action="wijk.created").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Vul de naam van de wijk in."),
        ({"name": "x" * 121}, "Gebruik maximaal 120 tekens."),
        ({"name": "bestaande wijk"}, "Er bestaat al een wijk met deze naam."),
        ({"municipality": ""}, "Vul de gemeente in."),
        ({"buurten": "Noord\nnoord"}, "staat er twee keer in"),
        ({"buurten": "x" * 121}, "Een buurtnaam mag maximaal 120 tekens hebben"),
        ({"postcodes": ""}, "Vul minstens één postcodegebied in"),
        ({"postcodes": "3512 AB"}, "Dit zijn geen postcodegebieden van 4 cijfers: AB"),
        ({"postcodes": "35120, 0123"}, "0123, 35120"),
    ],
)
def test_bad_wijk_input_is_explained_and_nothing_stored(
    client: FlaskClient, data: dict[str, str], message: str
) -> None:
    make_wijk(name="Bestaande wijk")
    _admin(client)
    form = {"name": "Nieuw", "municipality": "Utrecht", "buurten": "Noord", "postcodes": "3512"} | data
    response = client.post("/organiseren/wijk/nieuw", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body
    assert "error-summary" in body
    assert db.session.query(Wijk).count() == 1
    assert db.session.query(AuditEvent).count() == 0


def test_edit_wijk(client: FlaskClient) -> None:
    wijk = make_wijk(name="Oud", buurten=("Noord",), postcodes=("3512", "3513"))
    _organiser(client)
    page = client.get(f"/organiseren/wijk/{wijk.id}/bewerken").get_data(as_text=True)
    assert "Oud" in page and "3512" in page
    response = client.post(
        f"/organiseren/wijk/{wijk.id}/bewerken",
        data={"name": "Nieuw", "municipality": "Utrecht", "buurten": "Noord\nWest", "postcodes": "3512"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Wijk, wijk.id)
    assert (fresh.name, fresh.postcodes, sorted(b.name for b in fresh.buurten)) == (
        "Nieuw",
        ["3512"],
        ["Noord", "West"],
    )
    event = db.session.query(AuditEvent).filter_by(action="wijk.updated").one()
    assert event.details["name"] == ["Oud", "Nieuw"]


def test_bad_wijk_edit_changes_nothing(client: FlaskClient) -> None:
    wijk = make_wijk(name="Oud")
    _organiser(client)
    response = client.post(
        f"/organiseren/wijk/{wijk.id}/bewerken",
        data={"name": "Nieuw", "municipality": "Utrecht", "buurten": "", "postcodes": "12"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Wijk, wijk.id).name == "Oud"
    assert db.session.query(AuditEvent).count() == 0


# --- rounds -------------------------------------------------------------------------------------------


def round_form(**changes: str) -> dict[str, str]:
    form = {
        "title": "Bewonersbudget 2026",
        "budget_cents": "50.000",
        "min_project_cost_cents": "500",
        "max_project_cost_cents": "20.000,00",
        "categories": "Groen\nSpelen\n",
        "ballot_type": "knapsack",
        "min_choices": "",
        "max_choices": "",
        "knapsack_min_spend_pct": "",
        "counting_rule": "greedy",
        "tie_break": "default",
        "leftover_policy": "return",
        "out_of_scope": "Onderhoud.",
        "proposals_open_at": "2026-03-02T09:00",
        "review_open_at": "2026-03-16T09:00",
        "voting_open_at": "2026-07-01T09:00",
        "voting_close_at": "2026-07-15T21:00",
        "results_at": "2026-07-16T12:00",
    }
    form.update(changes)
    return form


def test_create_round_converts_euros_and_amsterdam_time(client: FlaskClient) -> None:
    wijk = make_wijk()
    _organiser(client)
    assert client.get(f"/organiseren/wijk/{wijk.id}/ronde/nieuw").status_code == 200
    response = client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=round_form())
    assert response.status_code == 302
    rnd = db.session.query(Round).one()
    assert (rnd.phase, rnd.wijk_id) == ("draft", wijk.id)
    assert (rnd.budget_cents, rnd.min_project_cost_cents, rnd.max_project_cost_cents) == (
        5_000_000,
        50_000,
        2_000_000,
    )
    assert rnd.categories == ["Groen", "Spelen"]
    assert rnd.proposals_open_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # winter time: UTC+1
    assert rnd.voting_open_at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # summer time: UTC+2
    assert rnd.counting_rule == "greedy"
    assert db.session.query(AuditEvent).filter_by(action="round.created", round_id=rnd.id).count() == 1


def test_new_round_form_offers_greedy_as_default(client: FlaskClient) -> None:
    wijk = make_wijk()
    _organiser(client)
    body = client.get(f"/organiseren/wijk/{wijk.id}/ronde/nieuw").get_data(as_text=True)
    assert '<option selected value="greedy">' in body
    assert 'type="datetime-local"' in body


def test_approval_round(client: FlaskClient) -> None:
    wijk = make_wijk()
    _organiser(client)
    form = round_form(ballot_type="approval", min_choices="1", max_choices="3")
    assert client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=form).status_code == 302
    rnd = db.session.query(Round).one()
    assert (rnd.ballot_type, rnd.min_choices, rnd.max_choices) == ("approval", 1, 3)


BAD_ROUND_INPUT: list[tuple[dict[str, str], str, str]] = [
    ({"title": ""}, "title", "Vul een titel voor de ronde in."),
    ({"title": "x" * 201}, "title", "Gebruik maximaal 200 tekens."),
    ({"budget_cents": ""}, "budget_cents", "Vul een bedrag in euro in."),
    ({"budget_cents": "veel"}, "budget_cents", "Vul een bedrag in euro in, bijvoorbeeld 1.234,50."),
    ({"budget_cents": "0"}, "budget_cents", "Het budget moet meer dan € 0"),
    ({"budget_cents": "999.999.999"}, "budget_cents", "Dit bedrag is te groot."),
    ({"min_project_cost_cents": "abc"}, "min_project_cost_cents", "Vul een bedrag in euro in, bijvoorbeeld"),
    (
        {"min_project_cost_cents": "30.000"},
        "min_project_cost_cents",
        "mogen niet hoger zijn dan de maximale kosten",
    ),
    ({"max_project_cost_cents": ""}, "max_project_cost_cents", "Vul een bedrag in euro in."),
    ({"max_project_cost_cents": "60.000"}, "max_project_cost_cents", "mogen niet hoger zijn dan het budget"),
    ({"categories": " \n "}, "categories", "Vul minstens één thema in."),
    ({"categories": "Groen\ngroen"}, "categories", "Noem elk thema maar één keer."),
    ({"categories": "x" * 81}, "categories", "Een thema mag maximaal 80 tekens hebben."),
    ({"ballot_type": "lottery"}, "ballot_type", "Kies een van de mogelijkheden."),
    (
        {"ballot_type": "approval", "min_choices": "", "max_choices": "3"},
        "min_choices",
        "Vul een heel getal in van minstens 1.",
    ),
    (
        {"ballot_type": "approval", "min_choices": "twee", "max_choices": "3"},
        "min_choices",
        "Vul een heel getal in, bijvoorbeeld 3.",
    ),
    (
        {"ballot_type": "approval", "min_choices": "4", "max_choices": "3"},
        "max_choices",
        "mag niet lager zijn dan het minimum",
    ),
    (
        {"ballot_type": "approval", "min_choices": "1", "max_choices": "99999999999"},
        "max_choices",
        "Vul een heel getal in van 1 tot 1000.",
    ),
    ({"knapsack_min_spend_pct": "150"}, "knapsack_min_spend_pct", "Vul een heel getal in van 0 tot 100."),
    ({"counting_rule": "loting"}, "counting_rule", "Kies een van de mogelijkheden."),
    ({"tie_break": "munt"}, "tie_break", "Kies een van de mogelijkheden."),
    ({"leftover_policy": "feest"}, "leftover_policy", "Kies een van de mogelijkheden."),
    ({"out_of_scope": "x" * 4001}, "out_of_scope", "Gebruik maximaal 4000 tekens."),
    ({"proposals_open_at": ""}, "proposals_open_at", "Vul een datum en tijd in."),
    ({"proposals_open_at": "morgen"}, "proposals_open_at", "Vul een datum en tijd in, bijvoorbeeld"),
    (
        {"proposals_open_at": "2026-03-29T02:30"},
        "proposals_open_at",
        "omdat de klok dan een uur vooruit gaat",
    ),
    ({"review_open_at": "2026-03-01T09:00"}, "review_open_at", "moet beginnen nadat het indienen"),
    (
        {"voting_open_at": "2026-03-10T09:00"},
        "voting_open_at",
        "moet openen nadat de haalbaarheidstoets begint",
    ),
    ({"voting_close_at": "2026-07-01T09:00"}, "voting_close_at", "moet sluiten nadat het opent"),
    ({"results_at": "2026-07-15T20:59"}, "results_at", "kan niet komen voordat het stemmen sluit"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_ROUND_INPUT)
def test_bad_round_input_is_explained_next_to_the_field_and_nothing_stored(
    client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    wijk = make_wijk()
    _organiser(client)
    response = client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=round_form(**changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body
    assert f'id="{field}-error"' in body  # shown next to its field
    assert f'href="#{field}"' in body  # and linked from the summary
    assert db.session.query(Round).count() == 0
    assert db.session.query(AuditEvent).count() == 0


def test_database_refusal_is_a_message_not_a_500(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.rounds import kaders as rounds_service

    monkeypatch.setattr(rounds_service, "check_round", lambda s, buurt_ids=None: {})
    wijk = make_wijk()
    _organiser(client)
    response = client.post(
        f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=round_form(max_project_cost_cents="90.000")
    )
    assert response.status_code == 409
    assert "Deze instellingen passen niet bij elkaar." in response.get_data(as_text=True)
    assert db.session.query(Round).count() == 0


def test_edit_round_prefills_local_values_and_audits_changes(client: FlaskClient) -> None:
    dates = phase_dates(Phase.PROPOSALS, datetime.now(UTC).replace(second=0, microsecond=0))
    rnd = make_round(
        phase=Phase.PROPOSALS, **(dates | {"proposals_open_at": datetime(2026, 1, 5, 8, 0, tzinfo=UTC)})
    )
    _organiser(client)
    page = client.get(f"/organiseren/ronde/{rnd.id}/bewerken").get_data(as_text=True)
    assert 'value="50000"' in page  # € 50.000 as an editable amount
    assert 'value="2026-01-05T09:00"' in page  # shown in Amsterdam time
    form = _form_from_round(rnd) | {"budget_cents": "60.000", "title": "Nieuwe titel"}
    response = client.post(f"/organiseren/ronde/{rnd.id}/bewerken", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Round, rnd.id)
    assert (fresh.budget_cents, fresh.title) == (6_000_000, "Nieuwe titel")
    event = db.session.query(AuditEvent).filter_by(action="round.updated").one()
    assert set(event.details) == {"budget_cents", "title"}


def test_bad_round_edit_changes_nothing(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    _organiser(client)
    form = _form_from_round(rnd) | {"budget_cents": "5", "title": "Anders"}
    response = client.post(f"/organiseren/ronde/{rnd.id}/bewerken", data=form)
    assert response.status_code == 200
    db.session.expire_all()
    assert (db.session.get(Round, rnd.id).budget_cents, db.session.get(Round, rnd.id).title) == (
        5_000_000,
        rnd.title,
    )
    assert db.session.query(AuditEvent).count() == 0


FIELD_CHANGES = {
    "title": "Andere titel",
    "budget_cents": "49.000",
    "min_project_cost_cents": "600",
    "max_project_cost_cents": "19.000",
    "categories": "Anders",
    "ballot_type": "approval",
    "min_choices": "2",
    "max_choices": "4",
    "knapsack_min_spend_pct": "30",
    "counting_rule": "greedy",
    "tie_break": "lexicographic",
    "leftover_policy": "next_round",
    "out_of_scope": "Iets anders.",
    "proposals_open_at": "2020-01-01T09:00",
    "review_open_at": "2020-01-02T09:00",
    "voting_open_at": "2020-01-03T09:00",
    "voting_close_at": "2099-01-01T09:00",
    "results_at": "2099-01-02T09:00",
}


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED])
@pytest.mark.parametrize("field", list(FIELD_CHANGES))
def test_kaders_frozen_from_voting_on(client: FlaskClient, app: Flask, phase: Phase, field: str) -> None:
    rnd = make_round(phase=phase)
    before = _form_from_round(rnd)
    _organiser(client)
    response = client.post(
        f"/organiseren/ronde/{rnd.id}/bewerken", data=before | {field: FIELD_CHANGES[field]}
    )
    assert response.status_code == 409
    assert "De regels van deze ronde liggen daarom vast" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _form_from_round(db.session.get(Round, rnd.id)) == before
    assert db.session.query(AuditEvent).count() == 0


def test_frozen_round_edit_page_explains_and_has_no_form(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    _organiser(client)
    response = client.get(f"/organiseren/ronde/{rnd.id}/bewerken")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "liggen daarom vast" in body
    assert 'name="budget_cents"' not in body


def _form_from_round(rnd: Round) -> dict[str, Any]:
    from app.local_time import LOCAL_TZ

    def local(value: datetime) -> str:
        return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")

    return {
        "title": rnd.title,
        "budget_cents": str(rnd.budget_cents // 100),
        "min_project_cost_cents": str(rnd.min_project_cost_cents // 100),
        "max_project_cost_cents": str(rnd.max_project_cost_cents // 100),
        "categories": "\n".join(rnd.categories),
        "ballot_type": rnd.ballot_type,
        "min_choices": str(rnd.min_choices),
        "max_choices": str(rnd.max_choices),
        "knapsack_min_spend_pct": ""
        if rnd.knapsack_min_spend_pct is None
        else str(rnd.knapsack_min_spend_pct),
        "counting_rule": rnd.counting_rule,
        "tie_break": rnd.tie_break,
        "leftover_policy": rnd.leftover_policy,
        "out_of_scope": rnd.out_of_scope,
        **{
            name: local(getattr(rnd, name))
            for name in (
                "proposals_open_at",
                "review_open_at",
                "voting_open_at",
                "voting_close_at",
                "results_at",
            )
        },
    }


# --- caps, buurt budgets, points and ranked ballots, the threshold ------------------------------------


def _text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_caps_and_buurt_budgets_are_typed_as_name_and_amount(client: FlaskClient) -> None:
    wijk = make_wijk(buurten=("Noord", "Zuid"))
    _organiser(client)
    page = client.get(f"/organiseren/wijk/{wijk.id}/ronde/nieuw").get_data(as_text=True)
    assert "Buurten: Noord, Zuid." in page
    form = round_form(category_caps="groen: 10.000\nSpelen: 5.000,50", buurt_budgets=" zuid : 4.000")
    assert client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=form).status_code == 302
    rnd = db.session.query(Round).one()
    zuid = next(b for b in wijk.buurten if b.name == "Zuid")
    assert sorted((c.category, c.cap_cents) for c in rnd.caps) == [("Groen", 1_000_000), ("Spelen", 500_050)]
    assert [(b.buurt_id, b.budget_cents) for b in rnd.buurt_budgets] == [(zuid.id, 400_000)]
    edit = client.get(f"/organiseren/ronde/{rnd.id}/bewerken").get_data(as_text=True)
    assert "Groen: 10000\nSpelen: 5000,50" in edit and "Zuid: 4000" in edit


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"buurt_budgets": "Oost: 4.000"}, "“Oost” is niet een van: Noord, Zuid."),
        ({"category_caps": "Groen 10.000"}, "Regel 1: schrijf een naam, een dubbele punt en een bedrag"),
        ({"category_caps": "Groen: tien"}, "Regel 1: “tien” is geen bedrag in euro"),
        ({"category_caps": "Groen: 10\ngroen: 20"}, "“groen” staat er twee keer in."),
        ({"category_caps": "Verkeer: 10"}, "“Verkeer” is niet een van de categorieën van deze ronde."),
        ({"category_caps": "Groen: 10", "counting_rule": "equalshares/add1"}, "Plafonds werken alleen"),
        ({"ballot_type": "points", "points_total": ""}, "Vul een heel aantal punten in van 1 tot 100."),
        (
            {"counting_rule": "greedy-threshold", "min_votes": ""},
            "Vul in hoeveel stemmen een project minstens",
        ),
    ],
)
def test_bad_new_kaders_are_explained_and_nothing_is_stored(
    client: FlaskClient, changes: dict[str, str], message: str
) -> None:
    wijk = make_wijk(buurten=("Noord", "Zuid"))
    _organiser(client)
    response = client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=round_form(**changes))
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.query(Round).count() == 0


def test_points_ranked_and_threshold_rounds_from_the_form(client: FlaskClient) -> None:
    wijk = make_wijk()
    _organiser(client)
    points = round_form(ballot_type="points", points_total="10", points_per_project="4")
    ranked = round_form(
        title="Gerangschikt",
        ballot_type="ranked",
        min_choices="1",
        max_choices="3",
        counting_rule="greedy-threshold",
        min_votes="12",
        leftover_policy="fund_fitting",
    )
    for form in (points, ranked):
        assert client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=form).status_code == 302
    by_title = {r.title: r for r in db.session.query(Round)}
    assert (
        by_title["Bewonersbudget 2026"].points_total,
        by_title["Bewonersbudget 2026"].points_per_project,
    ) == (10, 4)
    rnd = by_title["Gerangschikt"]
    assert (rnd.ballot_type, rnd.max_choices, rnd.min_votes, rnd.leftover_policy) == (
        "ranked",
        3,
        12,
        "fund_fitting",
    )
