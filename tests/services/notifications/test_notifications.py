"""notify: the in-app notification plus, for some kinds, an e-mail in the user's language with a link back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutgoingEmail, Phase, ProjectStatus, Role
from app.services.notifications.inbox import EMAIL_SUBJECTS, LINK_PATHS, notify
from app.services.proposals.review import review_project
from tests.factories import make_project, make_round, make_user
from tests.mail_support import read_outbox, use_backend


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context():
        yield


def test_review_mails_the_proposer_in_their_language(app: Flask, ctx: None, outbox: list) -> None:
    author = make_user(language="en")
    rnd = make_round(phase=Phase.REVIEW)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id, title="Benches")
    review_project(
        make_user(Role.PROFESSIONAL), project.id, feasible=False, reason="Not our land.", **_no_cost_change()
    )
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [author.email]
    assert message.subject == "Your proposal “Benches” has been checked"
    assert "It cannot be carried out" in message.body
    assert "Reason: Not our land." in message.body
    assert f"http://wijkbudget.test/project/{project.id}" in message.body


def test_outbox_files_carry_recipient_subject_and_language(
    app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    use_backend(monkeypatch, app, "file", file_path=str(tmp_path))
    rnd = make_round(phase=Phase.PUBLISHED, title="Bewonersbudget Lombok")
    dutch, english = make_user(language="nl"), make_user(language="en")
    for user in (dutch, english):
        notify(user, "results_published", round_id=rnd.id, title=rnd.title)
    db.session.commit()
    by_recipient = {m["To"]: m for m in read_outbox(tmp_path)}
    # A folded non-ASCII header unfolds with a leading space, which mail programs drop.
    assert by_recipient[dutch.email]["Subject"].strip() == "De uitslag van “Bewonersbudget Lombok” is bekend"
    assert (
        by_recipient[english.email]["Subject"].strip()
        == "The result of “Bewonersbudget Lombok” has been published"
    )
    assert f"Hallo {dutch.name}," in by_recipient[dutch.email].get_content()
    assert f"Hello {english.name}," in by_recipient[english.email].get_content()
    assert f"http://wijkbudget.test/uitslag/{rnd.id}" in by_recipient[dutch.email].get_content()


def test_commitment_overdue_for_an_organiser(app: Flask, ctx: None, outbox: list) -> None:
    organiser = make_user(Role.ORGANISER, language="nl")
    rnd = make_round(phase=Phase.PUBLISHED)
    project = make_project(rnd, title="Speeltuin Noord")
    note = notify(
        organiser,
        "commitment_overdue",
        project_id=project.id,
        round_id=rnd.id,
        title=project.title,
        planned_date=date(2027, 3, 1),
    )
    db.session.commit()
    assert (note.kind, note.project_id) == ("commitment_overdue", project.id)
    assert note.details == {"round_id": rnd.id, "title": "Speeltuin Noord", "planned_date": "2027-03-01"}
    [message] = outbox
    assert message.to == [organiser.email]
    assert "Speeltuin Noord" in message.subject
    assert "1 maart 2027" in message.body
    assert f"http://wijkbudget.test/organiseren/ronde/{rnd.id}" in message.body


def test_in_app_only_kinds_send_no_mail(ctx: None, outbox: list) -> None:
    user = make_user()
    notify(user, "cost_adjusted", old_cost_cents=1, new_cost_cents=2, reason="Duurder")
    db.session.commit()
    assert db.session.scalars(select(Notification.kind)).all() == ["cost_adjusted"]
    assert db.session.scalars(select(OutgoingEmail)).all() == []
    assert outbox == []


@pytest.mark.parametrize(
    ("kind", "endpoint"),
    [
        ("proposal_reviewed", "residents.project"),
        ("results_published", "public.results"),
        ("commitment_overdue", "organise.round_detail"),
    ],
)
def test_links_in_mails_lead_to_real_pages(app: Flask, kind: str, endpoint: str) -> None:
    path = LINK_PATHS[kind].format(project_id=7, round_id=7)
    assert app.url_map.bind("wijkbudget.test").match(path)[0] == endpoint
    assert kind in EMAIL_SUBJECTS


def _no_cost_change() -> dict[str, None]:
    return {"new_cost_cents": None, "cost_reason": None}
