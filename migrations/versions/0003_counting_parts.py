"""Counting the way municipalities do: caps and buurt budgets in the kaders, points and ranked ballots, a
threshold, the leftover step, and results and records per part of the ballot.

Revision ID: 0003_counting_parts
Revises: 0002_outbox
Create Date: 2026-12-08 00:10:50.924218

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003_counting_parts"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None

OLD_BALLOT_TYPES = "ballot_type IN ('approval', 'knapsack')"
NEW_BALLOT_TYPES = "ballot_type IN ('approval', 'knapsack', 'points', 'ranked')"
OLD_LEFTOVER = "leftover_policy IN ('return', 'next_round', 'partial')"
NEW_LEFTOVER = "leftover_policy IN ('return', 'next_round', 'partial', 'fund_fitting')"


def upgrade():
    op.create_table(
        "round_buurt_budgets",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("buurt_id", sa.Integer(), nullable=False),
        sa.Column("budget_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("budget_cents > 0", name=op.f("ck_round_buurt_budgets_buurt_budget_positive")),
        sa.ForeignKeyConstraint(
            ["buurt_id"],
            ["buurten.id"],
            name=op.f("fk_round_buurt_budgets_buurt_id_buurten"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_buurt_budgets_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "buurt_id", name=op.f("pk_round_buurt_budgets")),
    )
    op.create_table(
        "round_caps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=True),
        sa.Column("buurt_id", sa.Integer(), nullable=True),
        sa.Column("cap_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(category IS NULL) <> (buurt_id IS NULL)", name=op.f("ck_round_caps_cap_for_one_group")
        ),
        sa.CheckConstraint("cap_cents > 0", name=op.f("ck_round_caps_cap_positive")),
        sa.ForeignKeyConstraint(
            ["buurt_id"], ["buurten.id"], name=op.f("fk_round_caps_buurt_id_buurten"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_caps_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_caps")),
        sa.UniqueConstraint("round_id", "buurt_id", name=op.f("uq_round_caps_round_id_buurt_id")),
        sa.UniqueConstraint("round_id", "category", name=op.f("uq_round_caps_round_id_category")),
    )
    with op.batch_alter_table("round_caps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_caps_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("ballot_choices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("points_positive", "points IS NULL OR points > 0")
        batch_op.create_check_constraint("rank_positive", "rank IS NULL OR rank >= 1")

    # Existing rows get an empty value; the models always write one.
    with op.batch_alter_table("election_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part_pb_texts", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice_values", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parts", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("points_per_project", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("min_votes", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_rounds_ballot_type_known"), type_="check")
        batch_op.create_check_constraint("ballot_type_known", NEW_BALLOT_TYPES)
        batch_op.drop_constraint(batch_op.f("ck_rounds_leftover_known"), type_="check")
        batch_op.create_check_constraint("leftover_known", NEW_LEFTOVER)
        batch_op.create_check_constraint("points_total_positive", "points_total IS NULL OR points_total >= 1")
        batch_op.create_check_constraint(
            "points_per_project_positive", "points_per_project IS NULL OR points_per_project >= 1"
        )
        batch_op.create_check_constraint(
            "points_ballot_has_total", "ballot_type <> 'points' OR points_total IS NOT NULL"
        )
        batch_op.create_check_constraint("min_votes_positive", "min_votes IS NULL OR min_votes >= 1")


def downgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_rounds_min_votes_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rounds_points_ballot_has_total"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rounds_points_per_project_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rounds_points_total_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rounds_leftover_known"), type_="check")
        batch_op.create_check_constraint("leftover_known", OLD_LEFTOVER)
        batch_op.drop_constraint(batch_op.f("ck_rounds_ballot_type_known"), type_="check")
        batch_op.create_check_constraint("ballot_type_known", OLD_BALLOT_TYPES)
        batch_op.drop_column("min_votes")
        batch_op.drop_column("points_per_project")
        batch_op.drop_column("points_total")

    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("parts")
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.drop_column("choice_values")
    with op.batch_alter_table("election_records", schema=None) as batch_op:
        batch_op.drop_column("part_pb_texts")

    with op.batch_alter_table("ballot_choices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_ballot_choices_rank_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_ballot_choices_points_positive"), type_="check")
        batch_op.drop_column("rank")
        batch_op.drop_column("points")

    with op.batch_alter_table("round_caps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_caps_round_id"))
    op.drop_table("round_caps")
    op.drop_table("round_buurt_budgets")
