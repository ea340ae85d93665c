"""`wijkbudget staff wijken`: the server's operator sets which wijken a staff account works for."""

from __future__ import annotations

from flask import Flask

from app.cli.staff import staff_group
from app.extensions import db
from app.models import Role, User
from tests.factories import make_user, make_wijk


def test_the_operator_sets_the_wijken_of_a_staff_account(app: Flask, db_session: object) -> None:
    with app.app_context():
        first, second = make_wijk(name="Lombok"), make_wijk(name="Oog in Al")
        organiser = make_user(Role.ORGANISER, email="marieke@example.nl", wijken=[])
        runner = app.test_cli_runner()
        result = runner.invoke(
            staff_group, ["wijken", "Marieke@Example.nl ", "--wijk", str(first.id), "--wijk", str(second.id)]
        )
        assert result.exit_code == 0, result.output
        assert "works for: Lombok, Oog in Al" in result.output
        db.session.expire_all()
        assert {w.id for w in db.session.get_one(User, organiser.id).staff_wijken} == {first.id, second.id}
        refused = runner.invoke(staff_group, ["wijken", "marieke@example.nl", "--wijk", "999999"])
        assert refused.exit_code == 1 and "999999" in refused.output
        missing = runner.invoke(staff_group, ["wijken", "nobody@example.nl"])
        assert missing.exit_code == 1 and "no account" in missing.output
