"""Staff roles per wijk: which wijken an organiser, professional or poll worker works for.

Revision ID: 0009_staff_wijken
Revises: 0008_ballot_urn
Create Date: 2026-12-08 03:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_staff_wijken"
down_revision = "0008_ballot_urn"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_wijken",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("wijk_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_wijken_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["wijk_id"], ["wijken.id"], name=op.f("fk_user_wijken_wijk_id_wijken"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "wijk_id", name=op.f("pk_user_wijken")),
    )
    op.create_index(op.f("ix_user_wijken_wijk_id"), "user_wijken", ["wijk_id"], unique=False)
    # Until now every staff account worked for every wijk: keep it so (nobody is locked out by the upgrade);
    # an admin then narrows each account to its own wijken.
    op.execute(
        "INSERT INTO user_wijken (user_id, wijk_id) SELECT users.id, wijken.id FROM users CROSS JOIN wijken "
        "WHERE users.role IN ('organiser', 'professional', 'poll_worker')"
    )


def downgrade():
    op.drop_index(op.f("ix_user_wijken_wijk_id"), table_name="user_wijken")
    op.drop_table("user_wijken")
