"""The bare baseline for bench/load.py: a Flask app whose one endpoint does one INSERT in one transaction.

Run by load.py under the same gunicorn settings as wijkbudget: `gunicorn bench.bare_app:app`. It reads
DATABASE_URL and creates its table `bare_inserts` if missing.
"""

from __future__ import annotations

import os
import uuid

from flask import Flask
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
with engine.begin() as conn:
    conn.execute(text("CREATE TABLE IF NOT EXISTS bare_inserts (id uuid PRIMARY KEY, payload text NOT NULL)"))

app = Flask(__name__)


@app.get("/")
def ready() -> str:
    return "ok"


@app.post("/insert")
def insert() -> tuple[str, int]:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bare_inserts VALUES (:id, 'x')"), {"id": uuid.uuid4()})
    return "ok", 201
