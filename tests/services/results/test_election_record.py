"""The election record written with a publication: deterministic, complete, immutable, one per round."""

from __future__ import annotations

import hashlib
import json

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app.counting import parse_pabulib
from app.extensions import db
from app.models import AuditEvent, Ballot, BallotChoice, ElectionRecord, ElectionRecordChangeError, Phase
from app.models.audit import GENESIS_HASH
from app.services.audit import head_hash, verify_audit_chain
from app.services.errors import NotFound, RuleViolation
from app.services.results.counting import tally_round
from app.services.results.election import counting_id
from app.services.results.publishing import publish_round
from app.services.results.record import (
    published_record,
    published_record_sha256,
    rebuild_record_files,
    record_of,
)
from tests.factories import make_project, make_round
from tests.record_data import greedy_lot_round
from tests.results_data import cast_ballot, cast_votes, realistic_round, service_context


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored(record: ElectionRecord) -> tuple[str, str, str, str]:
    return record.pb_text, record.csv_text, record.record_json, record.record_sha256


def test_publication_writes_the_record_and_its_hash(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
        record = published_record(data.round.id)
    assert db.session.scalar(select(func.count(ElectionRecord.id))) == 1
    assert record.record_sha256 == _sha(record.record_json)
    document = json.loads(record.record_json)
    # One hash pins all three files: the JSON names the hashes of the other two.
    assert document["files"]["pb"] == {"name": f"round-{data.round.id}.pb", "sha256": _sha(record.pb_text)}
    assert document["files"]["csv"] == {"name": f"round-{data.round.id}.csv", "sha256": _sha(record.csv_text)}
    manifest = document["manifest"]
    assert manifest["round"] == {"id": data.round.id, "title": "Bewonersbudget Lombok 2026"}
    assert manifest["kaders"]["budget_cents"] == 5_000_000
    assert manifest["kaders"]["ballot_type"] == "knapsack"
    assert manifest["counting"]["rule"] == "greedy"
    assert manifest["ballots_counted"] == 45
    assert "eligible_voters" in manifest and manifest["eligible_voters"] is None
    assert [p["title"] for p in manifest["projects"]] == [
        "Speeltuin Noord",
        "Bankjes bij de vijver",
        "Groene daken",
        "Buurtfeest",
        "Moestuin",
        "Kunstwerk",
    ]  # the infeasible project was not on the ballot
    result = document["result"]
    assert result["selected_project_ids"] == [p.id for p in data.winners]
    assert {row["explanation"]["code"] for row in result["projects"]} == {"selected", "did_not_fit"}
    assert "computed_at" not in record.record_json and "published_at" not in record.record_json


def test_ballots_are_anonymous_and_sorted_by_content(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
        record = published_record(data.round.id)
    election = parse_pabulib(record.pb_text, keep_voters=True)
    assert [b.voter_id for b in election.ballots] == [str(i) for i in range(1, 46)]
    choices = [b.choices for b in election.ballots]
    assert choices == sorted(choices)
    assert choices.count(()) == 5
    assert election.meta["rule"] == "greedy" and election.budget == 5_000_000
    secrets = db.session.execute(select(Ballot.receipt_code, Ballot.voter_key)).all()
    for receipt, key in secrets:
        assert receipt not in record.pb_text and key not in record.pb_text
        assert receipt not in record.record_json and receipt not in record.csv_text


def test_publishing_twice_gives_byte_identical_records(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
        first = _stored(published_record(data.round.id))
        publish_round(data.round.id)
        db.session.expire_all()
        again = _stored(published_record(data.round.id))
        rebuilt = rebuild_record_files(data.round.id)
    assert again == first
    assert db.session.scalar(select(func.count(ElectionRecord.id))) == 1
    # Building the files again from the database gives the same bytes as were stored at publication.
    assert (rebuilt.pb, rebuilt.csv, rebuilt.json, rebuilt.sha256) == first


def test_record_does_not_depend_on_the_order_ballots_were_cast(app: Flask, db_session) -> None:
    lot = greedy_lot_round()
    rnd = lot.round
    with service_context(app):
        tally_round(rnd.id)
        before = rebuild_record_files(rnd.id)
    cast = [
        ballot.project_ids
        for ballot in db.session.scalars(select(Ballot).where(Ballot.round_id == rnd.id).order_by(Ballot.id))
    ]
    db.session.execute(delete(BallotChoice).where(BallotChoice.round_id == rnd.id))
    db.session.execute(delete(Ballot).where(Ballot.round_id == rnd.id))
    projects = {p.id: p for p in rnd.projects}
    for project_ids in reversed(cast):  # new ids, new receipt codes, the opposite order
        cast_ballot(rnd, [projects[pid] for pid in project_ids])
    db.session.commit()
    with service_context(app):
        tally_round(rnd.id)
        after = rebuild_record_files(rnd.id)
    assert (after.pb, after.csv, after.json) == (before.pb, before.csv, before.json)


def test_record_carries_the_tie_break_and_the_drawn_lot(app: Flask, db_session) -> None:
    lot = greedy_lot_round()
    with service_context(app):
        publish_round(lot.round.id)
        record = published_record(lot.round.id)
    election = parse_pabulib(record.pb_text)
    assert election.meta["tie_break"] == "default"
    pb_lot = [counting_id(pid) for pid in lot.round.tie_break_lot]
    assert election.meta["tie_break_lot"] == ",".join(pb_lot)
    document = json.loads(record.record_json)
    assert document["manifest"]["counting"]["tie_break_lot"] == lot.round.tie_break_lot
    assert document["result"]["tie_break_detail"]["lot_mattered"] is True
    assert len(document["recount"]["tie_break_priority_pb_ids"]) == 3


def test_a_stored_record_cannot_change(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
    record = record_of(data.round.id)
    assert published_record_sha256(data.round.id) == record.record_sha256
    record.pb_text = "META\n"
    with pytest.raises(ElectionRecordChangeError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(record_of(data.round.id))
    with pytest.raises(ElectionRecordChangeError):
        db.session.flush()


def test_no_record_before_publication(app: Flask, db_session) -> None:
    data = realistic_round()
    voting = make_round(phase=Phase.VOTING)
    cast_votes(voting, {make_project(voting): 2})
    with service_context(app):
        tally_round(data.round.id)
        with pytest.raises(NotFound):
            published_record(data.round.id)
        assert published_record_sha256(data.round.id) is None
        with pytest.raises(RuleViolation):
            publish_round(voting.id)
        with pytest.raises(NotFound):
            published_record(voting.id)
    assert db.session.scalar(select(func.count(ElectionRecord.id))) == 0


def test_titles_and_categories_that_pabulib_cannot_hold_are_flattened(app: Flask, db_session) -> None:
    rnd = make_round(phase=Phase.CLOSED, title="Ronde\nmet regels")
    awkward = make_project(rnd, title="Bankjes;\nen bloemen", category="Groen, natuur")
    plain = make_project(rnd, title="Speeltuin")
    cast_votes(rnd, {awkward: 3, plain: 1})
    with service_context(app):
        publish_round(rnd.id)
        record = published_record(rnd.id)
    election = parse_pabulib(record.pb_text)
    project = election.projects[counting_id(awkward.id)]
    assert project.name == "Bankjes; en bloemen"
    assert project.categories == ("Groen; natuur",)
    assert election.meta["description"] == "Ronde met regels"


def test_the_manifest_counts_the_register_as_the_eligible_voters(app: Flask, db_session) -> None:
    from app.services.results.record_files import eligible_voters
    from tests.factories import make_letter_code_round, make_register_entry, make_round

    with_register = make_letter_code_round()
    for _ in range(3):
        make_register_entry(with_register)
    assert eligible_voters(with_register) == 3
    assert eligible_voters(make_round()) is None  # open: self-declared, not known in advance


def test_the_record_pins_the_audit_head_and_a_cut_log_is_found(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        head_before = head_hash()
        publish_round(data.round.id)
        record = published_record(data.round.id)
        published = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "round.published")).one()
        pinned = json.loads(record.record_json)["audit"]["head_at_publication"]
        # The head as publication began (the genesis for an empty log): the same on a re-run of that state.
        assert pinned == (head_before or GENESIS_HASH)
        assert head_before != published.entry_hash
        assert rebuild_record_files(data.round.id).json == record.record_json  # still deterministic
        assert verify_audit_chain().intact
        # Cutting the log's tail from the publication on (its first entry is the one chained to the pinned
        # head) leaves a shorter chain that is whole in itself...
        first = db.session.scalars(select(AuditEvent).where(AuditEvent.prev_hash == pinned)).one()
        assert first.id <= published.id
        db.session.execute(delete(AuditEvent).where(AuditEvent.id >= first.id))
        report = verify_audit_chain()
    # ...but the record still names the entry that published the round.
    assert report.problem is not None and report.problem.kind == "truncated"
    assert str(data.round.id) in report.problem.detail
