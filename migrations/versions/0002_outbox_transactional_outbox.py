"""transactional outbox: background jobs written in the transaction that asks for them

Revision ID: 0002_outbox
Revises: 0001
Create Date: 2026-12-07 23:59:57.170966

"""

from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = "0002_outbox"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state != 'failed' OR failure IS NOT NULL", name=op.f("ck_outbox_jobs_failed_says_why")
        ),
        sa.CheckConstraint(
            "state != 'running' OR lease_until IS NOT NULL", name=op.f("ck_outbox_jobs_running_has_lease")
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'published', 'running', 'done', 'failed')",
            name=op.f("ck_outbox_jobs_state_known"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_jobs_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_outbox_jobs_round_id_rounds"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
    )
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_jobs_round_id"), ["round_id"], unique=False)
        batch_op.create_index("ix_outbox_jobs_state_available_at", ["state", "available_at"], unique=False)

    # Mail that was queued before the outbox existed gets its job row, so the sweep sends it.
    args = "'[' || id || ']'"
    if op.get_bind().dialect.name == "postgresql":
        args = f"CAST({args} AS JSON)"
    op.execute(
        "INSERT INTO outbox_jobs (name, args, state, attempts, available_at, created_at) "
        f"SELECT 'wijkbudget.send_email', {args}, 'pending', 0, created_at, created_at "
        "FROM outgoing_emails WHERE status = 'queued'"
    )


def downgrade():
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_jobs_state_available_at")
        batch_op.drop_index(batch_op.f("ix_outbox_jobs_round_id"))

    op.drop_table("outbox_jobs")
