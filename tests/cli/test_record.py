"""`wijkbudget record ROUND_ID --out DIR`: the record files of a published round, checkable with sha256sum."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from app.cli import main
from app.services.results.counting import tally_round
from app.services.results.publishing import publish_round
from app.services.results.record import published_record
from tests.results_data import realistic_round, service_context


def _invoke(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(main, ["record", *args])


def test_record_command_writes_the_stored_files_and_their_sums(
    app: Flask, db_session, tmp_path: Path
) -> None:
    data = realistic_round()
    rid = data.round.id
    with service_context(app):
        publish_round(rid)
        record = published_record(rid)
    out = tmp_path / "audit" / "lombok"
    run = _invoke(app, str(rid), "--out", str(out))
    assert run.exit_code == 0, run.output
    assert (out / f"round-{rid}.pb").read_bytes() == record.pb_text.encode("utf-8")
    assert (out / f"round-{rid}.csv").read_bytes() == record.csv_text.encode("utf-8")
    written_json = (out / f"round-{rid}.json").read_bytes()
    assert hashlib.sha256(written_json).hexdigest() == record.record_sha256
    assert record.record_sha256 in run.output
    files = json.loads(written_json)["files"]
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert sums == [
        f"{record.record_sha256}  round-{rid}.json",
        f"{files['pb']['sha256']}  round-{rid}.pb",
        f"{files['csv']['sha256']}  round-{rid}.csv",
    ]
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("published", [False, True])
def test_record_command_refuses_a_round_without_a_published_result(
    app: Flask, db_session, tmp_path: Path, published: bool
) -> None:
    data = realistic_round()
    with service_context(app):
        tally_round(data.round.id)
    target = data.round.id if not published else 999_999
    run = _invoke(app, str(target), "--out", str(tmp_path / "out"))
    assert run.exit_code != 0
    assert f"round {target}:" in run.output
    assert not (tmp_path / "out").exists()
