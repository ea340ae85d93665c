"""Web and worker share one STORAGE_DIR: a letter batch a real worker made is downloaded through the web app.

In docker-compose the worker and the web app run in different containers; each must find the files through
STORAGE_DIR (a shared volume), never through its own working directory or the folder of its code. Here the
worker process and the web app start in two different working directories and are given only STORAGE_DIR.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import CodeBatch, Phase, Role
from tests.factories import login, make_letter_code_round, make_register_entries, make_user
from tests.faults.conftest import letter_batch_done, production_env
from tests.faults.processes import CeleryWorker, RedisServer, wait_for
from tests.mail_support import CollectingHandler


def test_the_web_app_serves_a_letter_batch_the_worker_made(
    app: Flask,
    production_app: object,
    redis_server: RedisServer,
    smtp: tuple[CollectingHandler, int],
    committed_db: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storage = tmp_path / "storage"
    worker_cwd, web_cwd = tmp_path / "worker-cwd", tmp_path / "web-cwd"
    worker_cwd.mkdir()
    web_cwd.mkdir()
    env = production_env(tmp_path, redis_server.url, smtp[1], STORAGE_DIR=str(storage))
    monkeypatch.chdir(web_cwd)
    web = production_app(env)  # type: ignore[operator]
    assert web.config["LETTERS_DIR"] == str(storage / "letters")
    with app.app_context():
        rnd = make_letter_code_round(phase=Phase.REVIEW)
        make_register_entries(rnd, 4)
        organiser = make_user(Role.ORGANISER)
        round_id = rnd.id
        client = web.test_client()
        login(client, organiser)

    worker = CeleryWorker(env, tmp_path / "worker.log", beat=False, cwd=worker_cwd).start()
    try:
        started = client.post(f"/organiseren/ronde/{round_id}/stemcodes/maken")
        assert started.status_code == 302
        wait_for(lambda: letter_batch_done(app), 60, "the letter batch")
    except BaseException:
        print(worker.log_tail())
        raise
    finally:
        worker.stop()

    with app.app_context():
        batch_id = db.session.scalars(select(CodeBatch.id)).one()
    assert sorted(p.name for p in (storage / "letters" / f"batch-{batch_id}").iterdir()) == [
        "letters.csv",
        "letters.pdf",
    ]
    pdf = client.post(f"/organiseren/stemcodes/batch/{batch_id}/pdf")
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
    assert len(PdfReader(io.BytesIO(pdf.get_data())).pages) == 4
    csv_file = client.post(f"/organiseren/stemcodes/batch/{batch_id}/csv")
    assert csv_file.status_code == 200 and csv_file.get_data(as_text=True).count("\n") == 5
    # The worker's JSON line for the job names the request that asked for it.
    worker_lines = [
        json.loads(line) for line in worker.log_path.read_text().splitlines() if line.startswith("{")
    ]
    (task_line,) = [line for line in worker_lines if line.get("task") == "wijkbudget.generate_codes"]
    assert task_line["request_id"] == started.headers["X-Request-ID"]
    # Nothing was written relative to either working directory.
    assert list(worker_cwd.iterdir()) == [] and list(web_cwd.iterdir()) == []
