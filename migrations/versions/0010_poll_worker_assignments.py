"""Poll workers: who made them poll workers, and the polling locations they are assigned to.

Revision ID: 0010_poll_worker_assignments
Revises: 0009_staff_wijken
Create Date: 2026-12-08 04:00:00

"""

from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = "0010_poll_worker_assignments"
down_revision = "0009_staff_wijken"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("poll_worker_granted_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_users_poll_worker_granted_by_id_users"),
            "users",
            ["poll_worker_granted_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "poll_worker_assignments",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_poll_worker_assignments_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["polling_locations.id"],
            name=op.f("fk_poll_worker_assignments_location_id_polling_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_poll_worker_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("location_id", "user_id", name=op.f("pk_poll_worker_assignments")),
    )
    op.create_index(
        op.f("ix_poll_worker_assignments_user_id"), "poll_worker_assignments", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_poll_worker_assignments_user_id"), table_name="poll_worker_assignments")
    op.drop_table("poll_worker_assignments")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("fk_users_poll_worker_granted_by_id_users"), type_="foreignkey")
        batch.drop_column("poll_worker_granted_by_id")
