"""PostgreSQL unreachable: pages answer 503 with a Dutch page, nothing is half-written, and everything works
again once it is back, without a restart.

The app reaches PostgreSQL through a TCP proxy that the test cuts (every connection dropped, new ones refused)
and restores, as a network fault or a database restart looks to the app.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.conftest import database_url_for_tests
from tests.factories import make_wijk
from tests.faults.conftest import production_env
from tests.faults.processes import TcpProxy
from tests.mail_support import CollectingHandler

REGISTRATION = {
    "name": "Noor Bewoner",
    "email": "noor@voorbeeld.nl",
    "password": "een lang wachtwoord 12",
    "confirm": "een lang wachtwoord 12",
    "language": "nl",
}


def _through(proxy: TcpProxy) -> str:
    url = urlsplit(database_url_for_tests())
    return urlunsplit(url._replace(netloc=f"{url.username or 'postgres'}@127.0.0.1:{proxy.port}"))


def _accounts(app: Flask) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                select(func.count()).select_from(User).where(User.email == REGISTRATION["email"])
            )
        )


def test_an_unreachable_database_gives_a_dutch_503_and_nothing_half_written(
    app: Flask,
    production_app: object,
    smtp: tuple[CollectingHandler, int],
    committed_db: None,
    tmp_path: Path,
) -> None:
    port = urlsplit(database_url_for_tests()).port or 5432
    proxy = TcpProxy(port).restore()
    env = production_env(tmp_path, "", smtp[1], DATABASE_URL=_through(proxy))  # the embedded default's jobs
    web = production_app(env)  # type: ignore[operator]
    with app.app_context():
        wijk_id = make_wijk().id
    client = web.test_client()
    try:
        assert client.get("/registreren").status_code == 200

        proxy.cut()
        for path in ("/registreren", "/uitslag/1", "/ronde/1"):  # pages that read the database
            response = client.get(path)
            page = response.get_data(as_text=True)
            assert response.status_code == 503, (path, page[:1500])
            assert "De website is even niet bereikbaar" in page
            assert "Traceback" not in page and "psycopg" not in page and "OperationalError" not in page
            assert response.headers["Retry-After"] == "60"
        refused = client.post("/registreren", data=REGISTRATION | {"wijk_id": str(wijk_id)})
        assert refused.status_code == 503
        assert "Wat je hebt verstuurd, is niet opgeslagen" in refused.get_data(as_text=True)
        assert _accounts(app) == 0  # nothing was half-written

        proxy.restore()  # no restart of the app: its pool notices the dead connections and makes new ones
        assert client.get("/registreren").status_code == 200
        created = client.post("/registreren", data=REGISTRATION | {"wijk_id": str(wijk_id)})
        assert created.status_code == 302
        assert _accounts(app) == 1
    finally:
        proxy.cut()
