"""Accounts: session versions (logout and a new password end every session), deactivation, removal by the
resident, two-step login.

Revision ID: 0005_accounts
Revises: 0004_open_round_seats
Create Date: 2026-12-08 03:20:00

"""

from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = "0005_accounts"
down_revision = "0004_open_round_seats"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("deactivated_at", app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_at", app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recovery_code_hashes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("recovery_code_hashes")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("removed_at")
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("session_version")
