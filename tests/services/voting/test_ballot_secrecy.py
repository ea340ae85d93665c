"""Ballot secrecy against someone with SQL access (docs/ballot-secrecy.md): the database links no ballot to
its voter, neither through transaction ids, nor through the order of ids or of the rows on disk, nor through
a time.

Every voter casts a different choice, so the test knows whose ballot is whose and can score each attack. The
casts are real service calls, each committed in its own transaction, on letter codes, paper and accounts; then
the urn is sealed as the seal job does. Against the design before the urn, every attack below linked every
ballot (the ballot row carried the code's transaction id plus one, ids and disk order followed the casting
order, and the audit log held one timed event per ballot).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import text

from app.extensions import db
from app.models import Phase, Role
from app.services.codes.code_votes import cast_code_ballot
from app.services.paper import paper_ballots
from app.services.paper.voter_lookup import CodeIdentity
from app.services.voting.ballots import cast_ballot
from tests.ballot_box import seal_every_urn
from tests.conftest import database_url_for_tests
from tests.factories import (
    make_letter_code_round,
    make_location,
    make_project,
    make_register_entry,
    make_round,
    make_user,
    make_voting_code,
)

CODE_VOTERS, PAPER_VOTERS, ACCOUNT_VOTERS = 16, 4, 16
POLL_BOOK = ("voting_codes", "register_entries", "paper_entries")

pytestmark = pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"), reason="transaction ids are PostgreSQL's"
)


@dataclass
class Cast:
    round_id: int
    choice: frozenset[int]  # what this voter chose: no one else in the round chose the same
    entry_id: int | None  # the register entry (poll book) of a code or paper voter; None for an account


def _distinct_choices(project_ids: list[int]) -> Iterator[frozenset[int]]:
    for size in (1, 2, 3):
        for combination in itertools.combinations(project_ids, size):
            yield frozenset(combination)


def _vote_everywhere() -> list[Cast]:
    """Letter-code and paper ballots in one round, account ballots in another; one transaction per cast."""
    casts: list[Cast] = []
    letters = make_letter_code_round(phase=Phase.VOTING)
    choices = _distinct_choices([make_project(letters, cost_cents=500_000).id for _ in range(6)])
    first, second = make_user(Role.POLL_WORKER), make_user(Role.POLL_WORKER)
    location_id = make_location(letters).id
    for n in range(CODE_VOTERS + PAPER_VOTERS):
        entry = make_register_entry(letters, postcode="3512AB")
        code, choice = make_voting_code(entry), next(choices)
        if n % 5 == 4:  # every fifth voter votes on paper, in between the others
            identity = CodeIdentity(code, "3512AB")
            pending = paper_ballots.enter_paper_ballot(first, location_id, identity, sorted(choice))
            paper_ballots.confirm_paper_entry(second, pending.id)
        else:
            cast_code_ballot(code, "3512AB", sorted(choice))
        casts.append(Cast(letters.id, choice, entry.id))
    accounts = make_round(phase=Phase.VOTING)
    choices = _distinct_choices([make_project(accounts, cost_cents=500_000).id for _ in range(6)])
    for _ in range(ACCOUNT_VOTERS):
        choice = next(choices)
        cast_ballot(make_user(wijk=accounts.wijk), accounts.id, sorted(choice))
        casts.append(Cast(accounts.id, choice, None))
    return casts


def _rows(sql: str, **params: object) -> list[tuple[object, ...]]:
    return [tuple(row) for row in db.session.execute(text(sql), params)]


def _ballots_in(order: str, round_id: int) -> list[tuple[str, int, frozenset[int]]]:
    """(ballot id, xmin, choice) of the round's sealed ballots in `order` (an SQL ORDER BY)."""
    chosen: dict[str, set[int]] = {}
    for ballot_id, project_id in _rows(
        "SELECT ballot_id::text, project_id FROM ballot_choices WHERE round_id = :round", round=round_id
    ):
        chosen.setdefault(str(ballot_id), set()).add(int(str(project_id)))
    rows = _rows(
        f"SELECT b.id::text, b.xmin::text::bigint FROM ballots b WHERE b.round_id = :round ORDER BY {order}",
        round=round_id,
    )
    return [(str(bid), int(str(xmin)), frozenset(chosen[str(bid)])) for bid, xmin in rows]


def _transaction_ids_of_ballot_rows(round_id: int) -> set[int]:
    rows = _rows(
        """SELECT b.xmin::text::bigint FROM ballots b WHERE b.round_id = :round
           UNION SELECT c.xmin::text::bigint FROM ballot_choices c WHERE c.round_id = :round""",
        round=round_id,
    )
    return {int(str(xmin)) for (xmin,) in rows}


def _poll_book_xmins(round_id: int) -> dict[int, set[int]]:
    """Register entry id -> the transaction ids of its poll-book rows (its mark, its code, its paper entry)."""
    found: dict[int, set[int]] = {}
    for entry_id, xmin in _rows(
        """SELECT id, xmin::text::bigint FROM register_entries WHERE round_id = :round
           UNION ALL SELECT register_entry_id, xmin::text::bigint FROM voting_codes WHERE round_id = :round""",
        round=round_id,
    ):
        found.setdefault(int(str(entry_id)), set()).add(int(str(xmin)))
    return found


def test_sql_access_links_no_ballot_to_its_voter(app: Flask, committed_db: None) -> None:
    with app.app_context(), force_locale("en"):
        casts = _vote_everywhere()
        seal_every_urn()
        letters, accounts = casts[0].round_id, casts[-1].round_id
        whose = {(c.round_id, c.choice): c for c in casts}
        assert len(whose) == len(casts)

        # 1. Transaction ids: the join of poll-book rows with ballot rows (same id, or one apart).
        ballots = _ballots_in("b.id", letters)
        assert len(ballots) == CODE_VOTERS + PAPER_VOTERS
        box_xids = _transaction_ids_of_ballot_rows(letters)
        linked = []
        for entry_id, xids in _poll_book_xmins(letters).items():
            near = {x + d for x in xids for d in (-1, 0, 1, 2)}
            candidates = [choice for _, xmin, choice in ballots if xmin in near]
            if len(candidates) == 1:
                linked.append((entry_id, whose[(letters, candidates[0])].entry_id))
        assert linked == []
        assert len(box_xids) == 1  # every ballot row of the round was written by the one seal

        # 2. Order: ballots sorted by id, or as they lie on disk, against the order the voters cast them.
        for round_id in (letters, accounts):
            cast_order = [c.choice for c in casts if c.round_id == round_id]
            for order in ("b.id", "b.ctid"):
                guessed = [choice for _, _, choice in _ballots_in(order, round_id)]
                right = sum(g == c for g, c in zip(guessed, cast_order, strict=True))
                # A shuffled order puts about one ballot in its voter's place by chance; the casting order all.
                assert right <= len(cast_order) // 2, (order, right)

        # 3. Time: no clock on the ballot side, and no audit event per ballot.
        clocks = _rows(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_name IN ('ballots', 'ballot_choices', 'ballot_urn')
                 AND (data_type LIKE 'timestamp%' OR data_type IN ('date', 'time'))"""
        )
        assert clocks == []
        per_ballot = _rows(
            """SELECT action, count(*) FROM audit_events
               WHERE round_id IN (:a, :b) AND action NOT LIKE 'paper_entry.%' GROUP BY action""",
            a=letters,
            b=accounts,
        )
        assert sorted(per_ballot) == [("ballots.sealed", 2)]  # one seal per round, counts only
        assert _rows("SELECT count(*) FROM ballot_urn") == [(0,)]
