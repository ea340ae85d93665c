"""Ballot secrecy: the urn, and sealed ballots with random ids.

Ballots get a random UUID instead of a serial id, and a new table `ballot_urn` holds cast ballots until the
seal moves them into `ballots`. Existing ballots are copied out, their tables rebuilt, and written back in a
shuffled order with fresh ids, so the old serial order (the order of casting) is gone too. The same steps
run on PostgreSQL and SQLite.

Revision ID: 0008_ballot_urn
Revises: 0007_proposal_phase
Create Date: 2026-12-08 03:30:00
"""

import random
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008_ballot_urn"
down_revision = "0007_proposal_phase"
branch_labels = None
depends_on = None

CHANNELS = "channel IN ('online_account', 'online_code', 'paper', 'assisted')"
STATUSES = "status IN ('counted', 'pending', 'rejected')"
BALLOT_COLUMNS = ("round_id", "voter_key", "receipt_code", "channel", "status")


def _saved_ballots():
    conn = op.get_bind()
    ballots = conn.execute(sa.text(f"SELECT id, {', '.join(BALLOT_COLUMNS)} FROM ballots")).mappings().all()
    choices = conn.execute(
        sa.text("SELECT ballot_id, project_id, round_id, points, rank FROM ballot_choices")
    ).mappings().all()
    return [dict(b) for b in ballots], [dict(c) for c in choices]


def _ballot_tables(id_type):
    op.create_table(
        "ballots",
        sa.Column("id", id_type, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("receipt_code", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.CheckConstraint(CHANNELS, name=op.f("ck_ballots_channel_known")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_ballots_status_known")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_ballots_round_id_rounds"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_ballots_receipt_code")),
        sa.UniqueConstraint("round_id", "voter_key", name=op.f("uq_ballots_round_id_voter_key")),
    )
    op.create_index(op.f("ix_ballots_round_id"), "ballots", ["round_id"], unique=False)
    op.create_index(op.f("ix_ballots_status"), "ballots", ["status"], unique=False)
    op.create_table(
        "ballot_choices",
        sa.Column("ballot_id", id_type, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.CheckConstraint("points IS NULL OR points > 0", name=op.f("ck_ballot_choices_points_positive")),
        sa.CheckConstraint("rank IS NULL OR rank >= 1", name=op.f("ck_ballot_choices_rank_positive")),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_ballot_choices_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_ballot_choices_project_in_round",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "project_id", name=op.f("pk_ballot_choices")),
    )
    op.create_index(op.f("ix_ballot_choices_round_id"), "ballot_choices", ["round_id"], unique=False)


def _write_back(ballots, choices, new_id):
    """Insert the saved ballots in a shuffled order under new ids (new_id: old id -> new id)."""
    rng = random.SystemRandom()
    rng.shuffle(ballots)
    ids = {b["id"]: new_id(b["id"]) for b in ballots}
    ballot_table = sa.table("ballots", sa.column("id"), *(sa.column(c) for c in BALLOT_COLUMNS))
    choice_table = sa.table(
        "ballot_choices", *(sa.column(c) for c in ("ballot_id", "project_id", "round_id", "points", "rank"))
    )
    if ballots:
        op.bulk_insert(ballot_table, [{**b, "id": ids[b["id"]]} for b in ballots])
    rng.shuffle(choices)
    if choices:
        op.bulk_insert(choice_table, [{**c, "ballot_id": ids[c["ballot_id"]]} for c in choices])


def _drop_ballot_tables():
    op.drop_index(op.f("ix_ballot_choices_round_id"), table_name="ballot_choices")
    op.drop_table("ballot_choices")
    op.drop_index(op.f("ix_ballots_status"), table_name="ballots")
    op.drop_index(op.f("ix_ballots_round_id"), table_name="ballots")
    op.drop_table("ballots")


def upgrade():
    ballots, choices = _saved_ballots()
    _drop_ballot_tables()
    _ballot_tables(sa.Uuid())
    _write_back(ballots, choices, lambda _old: uuid.uuid4())
    op.create_table(
        "ballot_urn",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("receipt_code", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.CheckConstraint(CHANNELS, name=op.f("ck_ballot_urn_channel_known")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_ballot_urn_status_known")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_ballot_urn_round_id_rounds"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_urn")),
        sa.UniqueConstraint("round_id", "voter_key", name=op.f("uq_ballot_urn_round_id_voter_key")),
    )


def downgrade():
    # Ballots still in the urn would be lost: refuse rather than drop them.
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM ballot_urn")).scalar()
    if waiting:
        raise RuntimeError("ballots are waiting in the urn: seal them (wijkbudget sweep) before downgrading")
    op.drop_table("ballot_urn")
    ballots, choices = _saved_ballots()
    _drop_ballot_tables()
    _ballot_tables(sa.Integer())
    numbers = iter(range(1, len(ballots) + 1))
    _write_back(ballots, choices, lambda _old: next(numbers))
