"""queue_email and deliver: sent only after the commit, by SMTP or into the outbox folder, never twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutgoingEmail
from app.models.base import utcnow
from app.services.notifications import mail
from tests.mail_support import free_port, read_outbox, smtp_server, use_backend


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context():
        yield


def _only_email() -> OutgoingEmail:
    db.session.expire_all()
    return db.session.scalars(select(OutgoingEmail)).one()


def test_queued_mail_is_sent_after_the_commit_and_marked_sent(ctx: None, outbox: list) -> None:
    mail.queue_email("an@example.nl", "Hallo", "Tekst", html="<p>Tekst</p>")
    assert outbox == []  # nothing leaves while the transaction is open
    db.session.commit()
    assert [(m.to, m.subject, m.body) for m in outbox] == [(["an@example.nl"], "Hallo", "Tekst")]
    assert outbox[0].alternatives[0][0] == "<p>Tekst</p>"
    stored = _only_email()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, None)
    assert stored.sent_at is not None


def test_nothing_is_sent_or_stored_when_the_transaction_rolls_back(ctx: None, outbox: list) -> None:
    mail.queue_email("an@example.nl", "Hallo", "Tekst")
    db.session.rollback()
    db.session.commit()  # a later transaction must not pick up the dropped job
    assert outbox == []
    assert db.session.scalars(select(OutgoingEmail)).all() == []


def test_delivering_twice_sends_once(ctx: None, outbox: list) -> None:
    mail.queue_email("an@example.nl", "Hallo", "Tekst")
    db.session.commit()
    email_id = _only_email().id
    assert mail.deliver(email_id) == "sent"
    assert len(outbox) == 1
    assert _only_email().attempts == 1


def test_without_mail_server_each_message_is_a_file_in_the_outbox_folder(
    app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    use_backend(monkeypatch, app, "file", file_path=str(tmp_path))
    mail.queue_email("een@example.nl", "Eerste bericht", "Een")
    mail.queue_email("twee@example.nl", "Tweede bericht – één", "Twee")
    db.session.commit()
    messages = read_outbox(tmp_path)
    assert len(list(tmp_path.iterdir())) == 2
    assert {(m["To"], m["Subject"].strip()) for m in messages} == {
        ("een@example.nl", "Eerste bericht"),
        ("twee@example.nl", "Tweede bericht – één"),
    }
    assert all(m["From"] == app.config["MAIL_DEFAULT_SENDER"] for m in messages)


def test_smtp_server_receives_the_message(app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as (server, port):
        use_backend(monkeypatch, app, "smtp", server="127.0.0.1", port=port, timeout=5)
        mail.queue_email("bewoner@example.nl", "Uitslag bekend", "De uitslag staat online.")
        db.session.commit()
    assert [(m["To"], m["Subject"]) for m in server.messages] == [("bewoner@example.nl", "Uitslag bekend")]
    assert server.messages[0].get_content().strip() == "De uitslag staat online."
    assert _only_email().status == "sent"


def test_unreachable_server_keeps_the_mail_queued_until_the_last_attempt(
    app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_backend(monkeypatch, app, "smtp", server="127.0.0.1", port=free_port(), timeout=2)
    db.session.add(OutgoingEmail(to="an@example.nl", subject="Hallo", body="Tekst"))
    db.session.commit()
    email_id = _only_email().id
    for attempt in range(1, mail.MAX_ATTEMPTS):
        with pytest.raises(mail.TransientMailError):
            mail.deliver(email_id)
        stored = _only_email()
        assert (stored.status, stored.attempts) == ("queued", attempt)
        assert "ConnectionRefusedError" in (stored.last_error or "")
    assert mail.deliver(email_id) == "failed"
    stored = _only_email()
    assert (stored.status, stored.attempts, stored.sent_at) == ("failed", mail.MAX_ATTEMPTS, None)
    assert mail.deliver(email_id) == "failed"  # given up: no further attempt
    assert _only_email().attempts == mail.MAX_ATTEMPTS


def test_permanent_refusal_fails_at_once_with_the_servers_answer(
    app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server(refuse_with="550 No such user here") as (server, port):
        use_backend(monkeypatch, app, "smtp", server="127.0.0.1", port=port, timeout=5)
        db.session.add(OutgoingEmail(to="niemand@example.nl", subject="Hallo", body="Tekst"))
        db.session.commit()
        assert mail.deliver(_only_email().id) == "failed"
    stored = _only_email()
    assert stored.attempts == 1
    assert "No such user here" in (stored.last_error or "")
    assert server.messages == []


def test_stale_queued_ids_lists_only_old_queued_mail(ctx: None) -> None:
    old = utcnow() - timedelta(minutes=30)
    db.session.add_all(
        [
            OutgoingEmail(to="a@example.nl", subject="oud", body="-", created_at=old),
            OutgoingEmail(to="b@example.nl", subject="nieuw", body="-"),
            OutgoingEmail(
                to="c@example.nl", subject="oud verstuurd", body="-", created_at=old, status="sent"
            ),
        ]
    )
    db.session.commit()
    stale = mail.stale_queued_ids(timedelta(minutes=10))
    subjects = db.session.scalars(select(OutgoingEmail.subject).where(OutgoingEmail.id.in_(stale))).all()
    assert subjects == ["oud"]
