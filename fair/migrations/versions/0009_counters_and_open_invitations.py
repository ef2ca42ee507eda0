"""Counters for serials and refs; one open invitation per booth and person

- fair_counter: the last card serial and self-registration ref number handed
  out per fair (fair.core.counters), seeded from the rows already there, so
  numbering goes on where it stood.
- invitation: a partial unique index on (booth_id, attendee_id) where
  status = 'sent'. Duplicates that already exist are cancelled first (the
  oldest open one stays), so the upgrade never fails on an existing fair.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN = "status = 'sent'"


def upgrade():
    op.create_table(
        "fair_counter",
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["fair_id"], ["fair.id"], name=op.f("fk_fair_counter_fair_id_fair"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("fair_id", "name", name=op.f("pk_fair_counter")),
    )
    op.execute("INSERT INTO fair_counter (fair_id, name, value) "
               "SELECT fair_id, 'card_serial', MAX(serial) FROM card GROUP BY fair_id")
    op.execute("INSERT INTO fair_counter (fair_id, name, value) "
               "SELECT fair_id, 'register_ref', COUNT(*) FROM attendee WHERE source = 'register' GROUP BY fair_id")
    op.execute("UPDATE invitation SET status = 'cancelled' WHERE status = 'sent' AND id > "
               "(SELECT MIN(older.id) FROM invitation AS older WHERE older.status = 'sent' "
               "AND older.booth_id = invitation.booth_id AND older.attendee_id = invitation.attendee_id)")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index("uq_invitation_open", ["booth_id", "attendee_id"], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index("uq_invitation_open", sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.drop_table("fair_counter")
