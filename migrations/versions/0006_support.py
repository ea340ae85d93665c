"""Support (steun) for proposals: one per resident per proposal, and the kaders' support threshold.

Revision ID: 0006_support
Revises: 0005_accounts
Create Date: 2026-12-08 03:07:09.378095

"""

from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = "0006_support"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('submitted', 'feasible', 'infeasible', 'withdrawn')"
NEW_STATUSES = "status IN ('submitted', 'feasible', 'infeasible', 'withdrawn', 'not_enough_support')"


def upgrade():
    op.create_table(
        "supports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_supports_round_project",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_supports_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_supports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supports")),
        sa.UniqueConstraint("project_id", "user_id", name="uq_supports_project_id_user_id"),
    )
    with op.batch_alter_table("supports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supports_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supports_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supports_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("support_threshold", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint("support_threshold_nonnegative", "support_threshold >= 0")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_projects_status_known"), type_="check")
        batch_op.create_check_constraint("status_known", NEW_STATUSES)


def downgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_projects_status_known"), type_="check")
        batch_op.create_check_constraint("status_known", OLD_STATUSES)

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_rounds_support_threshold_nonnegative"), type_="check")
        batch_op.drop_column("support_threshold")

    with op.batch_alter_table("supports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supports_user_id"))
        batch_op.drop_index(batch_op.f("ix_supports_round_id"))
        batch_op.drop_index(batch_op.f("ix_supports_project_id"))

    op.drop_table("supports")
