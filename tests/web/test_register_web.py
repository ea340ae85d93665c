"""Organiser pages for the register: upload, progress, summary, clearing; role checks; the kaders form."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Eligibility, Phase, RegisterEntry, RegisterImport, Role, Round
from tests.factories import login, make_round, make_user, make_wijk

HEADER = "referentie;postcode;huisnummer;buurt;geheim\n"


def register_round(phase: Phase = Phase.PROPOSALS, **kaders: object) -> Round:
    kaders.setdefault("eligibility", Eligibility.LETTER_CODES.value)
    return make_round(make_wijk(buurten=("Noord", "Zuid")), phase=phase, **kaders)


def as_organiser(client: FlaskClient) -> None:
    login(client, make_user(Role.ORGANISER))


def upload(client: FlaskClient, rnd: Round, content: bytes, filename: str = "register.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/organiseren/ronde/{rnd.id}/register",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(RegisterEntry)) or 0


def test_upload_imports_and_shows_progress_and_rejected_lines(client: FlaskClient) -> None:
    rnd = register_round()
    as_organiser(client)
    content = (HEADER + "R1;1234AB;1;Noord;ja\nR2;0123AB;2;;\nR3;1234 ab;3;Zuid;\n").encode()
    response = upload(client, rnd, b"\xef\xbb\xbf" + content)
    assert response.status_code == 302
    job = db.session.scalars(select(RegisterImport)).one()
    assert response.headers["Location"].endswith(f"/organiseren/ronde/{rnd.id}/register/import/{job.id}")
    assert entries() == 2  # the embedded default runs the task in-process

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<progress id="import-progress" max="3" value="3">' in page
    assert 'http-equiv="refresh"' not in page  # done: no more refreshing
    assert "Klaar: 2 ingelezen, 1 afgekeurd." in page
    assert '<td class="num">3</td><td>“0123AB” is geen Nederlandse postcode' in page

    summary = client.get(f"/organiseren/ronde/{rnd.id}/register").get_data(as_text=True)
    assert "2 inschrijvingen, waarvan 1 met een geheim adres" in summary
    assert re.search(r"<td>Noord</td><td class=\"num\">1</td>", summary)


def test_a_running_import_page_refreshes_itself(client: FlaskClient) -> None:
    rnd = register_round()
    job = RegisterImport(
        round_id=rnd.id, filename="r.csv", status="running", total_lines=10, processed_lines=4, errors=[]
    )
    db.session.add(job)
    db.session.commit()
    as_organiser(client)
    page = client.get(f"/organiseren/ronde/{rnd.id}/register/import/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'max="10" value="4"' in page
    assert "4 van 10 regels gelezen" in page


def test_the_import_page_shows_reasons_in_the_readers_language(client: FlaskClient) -> None:
    rnd = register_round()
    as_organiser(client)
    location = upload(client, rnd, (HEADER + "R1;1234SS;1;;\n").encode()).headers["Location"]
    client.post("/taal", data={"lang": "en", "next": location})
    page = client.get(location).get_data(as_text=True)
    assert "is not a Dutch postcode: SA, SD and SS are never used." in page


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"referentie;naam;postcode;huisnummer\nR1;Jan;1234AB;1\n", "r.csv", "bevat namen"),
        ("referentie;postcode;huisnummer\nR1;1234AB;1 straße\n".encode("latin-1"), "r.csv", "CSV UTF-8"),
        (b"PK\x03\x04 binary", "register.xlsx", "Kies een CSV-bestand"),
        (b"referentie;postcode\nR1;1234AB\n", "r.csv", "geen kolom voor het huisnummer"),
    ],
)
def test_a_bad_file_gets_a_clear_message_not_a_500(
    client: FlaskClient, content: bytes, filename: str, message: str
) -> None:
    rnd = register_round()
    as_organiser(client)
    response = upload(client, rnd, content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.query(RegisterImport).count() == 0


def test_no_file_chosen(client: FlaskClient) -> None:
    rnd = register_round()
    as_organiser(client)
    response = client.post(
        f"/organiseren/ronde/{rnd.id}/register", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Kies het CSV-bestand met het register." in response.get_data(as_text=True)


def test_a_too_large_upload_gets_a_clear_message(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.web.organise import register_views

    monkeypatch.setattr(register_views, "UPLOAD_LIMIT", 1000)
    rnd = register_round()
    as_organiser(client)
    response = upload(client, rnd, (HEADER + "R1;1234AB;1;;\n" * 200).encode())
    assert response.status_code == 413
    assert "Het bestand is te groot" in response.get_data(as_text=True)


def test_upload_refused_once_voting_opens(client: FlaskClient) -> None:
    rnd = register_round(phase=Phase.VOTING)
    as_organiser(client)
    page = client.get(f"/organiseren/ronde/{rnd.id}/register").get_data(as_text=True)
    assert 'type="file"' not in page
    response = upload(client, rnd, (HEADER + "R1;1234AB;1;;\n").encode())
    assert response.status_code == 409
    assert "ligt het register van deze ronde vast" in response.get_data(as_text=True)
    assert entries() == 0


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.PROFESSIONAL])
def test_only_organisers_see_or_change_the_register(client: FlaskClient, role: Role) -> None:
    rnd = register_round()
    job = RegisterImport(round_id=rnd.id, filename="r.csv", status="done", errors=[])
    db.session.add(job)
    db.session.commit()
    login(client, make_user(role))
    assert client.get(f"/organiseren/ronde/{rnd.id}/register").status_code == 403
    assert upload(client, rnd, (HEADER + "R1;1234AB;1;;\n").encode()).status_code == 403
    assert client.get(f"/organiseren/ronde/{rnd.id}/register/import/{job.id}").status_code == 403
    assert client.post(f"/organiseren/ronde/{rnd.id}/register/wissen").status_code == 403
    assert db.session.query(RegisterImport).count() == 1


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    rnd = register_round()
    response = client.get(f"/organiseren/ronde/{rnd.id}/register")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_import_of_another_round_is_not_found(client: FlaskClient) -> None:
    rnd, other = register_round(), register_round()
    job = RegisterImport(round_id=other.id, filename="r.csv", status="done", errors=[])
    db.session.add(job)
    db.session.commit()
    as_organiser(client)
    assert client.get(f"/organiseren/ronde/{rnd.id}/register/import/{job.id}").status_code == 404


def test_clear_the_register_after_confirmation(client: FlaskClient) -> None:
    rnd = register_round()
    as_organiser(client)
    upload(client, rnd, (HEADER + "R1;1234AB;1;;\nR2;1234AB;2;;\n").encode())
    confirm = client.get(f"/organiseren/ronde/{rnd.id}/register/wissen").get_data(as_text=True)
    assert "Dit wist alle 2 inschrijvingen" in confirm
    assert entries() == 2
    response = client.post(f"/organiseren/ronde/{rnd.id}/register/wissen")
    assert response.status_code == 302
    assert entries() == 0


def test_clearing_is_refused_during_voting(client: FlaskClient) -> None:
    rnd = register_round()
    db.session.add(RegisterEntry(round_id=rnd.id, reference="R1", postcode="1234AB", house_number=1))
    db.session.commit()  # imported before voting opened
    rnd.phase = Phase.VOTING.value
    db.session.commit()
    as_organiser(client)
    response = client.post(f"/organiseren/ronde/{rnd.id}/register/wissen")
    assert response.status_code == 409
    assert entries() == 1


def test_round_page_links_to_the_register_only_when_the_round_uses_one(client: FlaskClient) -> None:
    with_register, open_round = register_round(), register_round(eligibility=Eligibility.OPEN.value)
    as_organiser(client)
    link = '/register">Register van bewoners</a>'
    assert link in client.get(f"/organiseren/ronde/{with_register.id}").get_data(as_text=True)
    assert link not in client.get(f"/organiseren/ronde/{open_round.id}").get_data(as_text=True)


# --- who may vote, in the round form and in the kaders shown to residents ------------------------------


def test_round_form_sets_who_may_vote(client: FlaskClient) -> None:
    from tests.web.test_organise_forms import round_form

    wijk = make_wijk()
    as_organiser(client)
    data = round_form(
        eligibility="letter_codes", register_level="household", min_age="16", register_retention_days="30"
    )
    assert client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=data).status_code == 302
    rnd = db.session.scalars(select(Round)).one()
    assert (rnd.eligibility, rnd.register_level, rnd.min_age, rnd.register_retention_days) == (
        "letter_codes",
        "household",
        16,
        30,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"eligibility": "everyone"}, "eligibility", "Kies een van de mogelijkheden."),
        ({"min_age": "130"}, "min_age", "Vul een heel getal in van 0 tot 120."),
        ({"min_age": ""}, "min_age", "Vul een leeftijd in van 0 tot en met 120."),
        ({"register_retention_days": "9999"}, "register_retention_days", "730"),
    ],
)
def test_round_form_errors_for_who_may_vote(
    client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    from tests.web.test_organise_forms import round_form

    wijk = make_wijk()
    as_organiser(client)
    response = client.post(f"/organiseren/wijk/{wijk.id}/ronde/nieuw", data=round_form(**changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.query(Round).count() == 0


@pytest.mark.parametrize(
    ("kaders", "text"),
    [
        (
            {"eligibility": "letter_codes", "min_age": 12},
            "Iedereen van 12 jaar en ouder die in de wijk woont, krijgt een brief met een stemcode.",
        ),
        (
            {"eligibility": "letter_codes", "register_level": "household"},
            "Elk huishouden in de wijk krijgt een brief",
        ),
        ({"eligibility": "register_match", "min_age": 16}, "We controleren je adres en geboortedatum"),
        ({"eligibility": "open", "min_age": 12}, "Dit geeft dus de minste zekerheid."),
        (
            {"eligibility": "letter_codes", "register_retention_days": 90},
            "wordt 90 dagen na de uitslag gewist",
        ),
    ],
)
def test_kaders_say_who_may_vote_in_plain_words(
    client: FlaskClient, kaders: dict[str, object], text: str
) -> None:
    rnd = make_round(**kaders)
    as_organiser(client)
    assert text in client.get(f"/organiseren/ronde/{rnd.id}").get_data(as_text=True)
