"""Anyone can recount a published record: `wijkbudget tally` and pabutools both find the published winners.

The rounds are built so that the lot drawn when voting opened decides between two equal projects: a recount
that ignored the lot (pabutools with its own project-id tie-break) would pick the other one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from app.cli.tally import tally_command
from app.extensions import db
from app.models.freeze import seeding
from app.services.results.election import counting_id
from app.services.results.publishing import publish_round
from app.services.results.record import published_record
from app.web.records.recount import pabutools_snippet
from tests.record_data import LotRound, equal_shares_lot_round, greedy_lot_round
from tests.results_data import realistic_round, service_context

PABUTOOLS_RULES = {"greedy": greedy_utilitarian_welfare, "equalshares": method_of_equal_shares}


def _publish_to_files(app: Flask, round_id: int, out: Path) -> tuple[Path, dict]:
    with service_context(app):
        publish_round(round_id)
        record = published_record(round_id)
    pb = out / f"round-{round_id}.pb"
    pb.write_bytes(record.pb_text.encode("utf-8"))
    (out / f"round-{round_id}.json").write_bytes(record.record_json.encode("utf-8"))
    return pb, json.loads(record.record_json)


def _tally(pb: Path, *options: str) -> dict:
    run = CliRunner().invoke(tally_command, [str(pb), "--json", *options])
    assert run.exit_code == 0, run.output
    return json.loads(run.output)


def _pabutools_winners(pb: Path, rule: str, priority: list[str] | None) -> set[str]:
    instance, profile = parse_pabulib(str(pb))
    options = {}
    if priority is not None:
        options["tie_breaking"] = TieBreakingRule(lambda inst, prof, project: priority.index(project.name))
    return {p.name for p in PABUTOOLS_RULES[rule](instance, profile, sat_class=Cost_Sat, **options)}


@pytest.mark.parametrize("build", [greedy_lot_round, equal_shares_lot_round], ids=["greedy", "equalshares"])
def test_recount_with_wijkbudget_tally_and_pabutools_gives_the_published_winners(
    app: Flask, db_session, tmp_path: Path, build
) -> None:
    lot: LotRound = build()
    pb, record = _publish_to_files(app, lot.round.id, tmp_path)
    published = set(record["result"]["selected_pb_ids"])
    assert published == {counting_id(pid) for pid in lot.winners}

    tallied = _tally(pb)  # rule, tie-break and lot all come from the file
    assert tallied["rule"] == lot.round.counting_rule
    assert set(tallied["selected"]) == published
    assert tallied["selected"] == record["result"]["selected_pb_ids"]

    priority = record["recount"]["tie_break_priority_pb_ids"]
    assert _pabutools_winners(pb, lot.round.counting_rule, priority) == published
    # Why the page tells pabutools users to pass the order: its own tie-break picks the other project.
    assert counting_id(lot.first_by_id.id) in _pabutools_winners(pb, lot.round.counting_rule, None)


def test_the_published_pabutools_snippet_recounts_the_record(app: Flask, db_session, tmp_path: Path) -> None:
    lot = greedy_lot_round()
    pb, record = _publish_to_files(app, lot.round.id, tmp_path)
    names = {"pb": str(pb), "json": str(tmp_path / f"round-{lot.round.id}.json")}
    snippet = pabutools_snippet("greedy", names, uses_order=True)
    assert snippet is not None
    printed: list[object] = []
    exec(snippet, {"print": printed.append})  # noqa: S102 - our own published snippet, run as a reader would
    assert printed == [sorted(record["result"]["selected_pb_ids"])]


def test_lexicographic_round_recounts_with_plain_pabutools(app: Flask, db_session, tmp_path: Path) -> None:
    data = realistic_round()
    with seeding(db.session):  # the kaders this round had from the start
        data.round.tie_break = "lexicographic"
        db.session.commit()
    pb, record = _publish_to_files(app, data.round.id, tmp_path)
    assert record["manifest"]["counting"]["tie_break"] == "lexicographic"
    published = set(record["result"]["selected_pb_ids"])
    assert published == {counting_id(p.id) for p in data.winners}
    assert set(_tally(pb)["selected"]) == published
    assert _pabutools_winners(pb, "greedy", None) == published
