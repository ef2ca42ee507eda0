"""The dashboard's counts from one index on check_in

- check_in: ix_check_in_fair_id is replaced by ix_check_in_fair_scanned on
  (fair_id, scanned_at, type, status, device_id, attendee_id). stats() reads
  today's scans per gate and people's first entries of the day from today's
  range of it alone (no table row read), and every query by fair_id is served
  by its first column, so a scan still writes as many index pages as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:30:00
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = ["fair_id", "scanned_at", "type", "status", "device_id", "attendee_id"]


def upgrade():
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.create_index("ix_check_in_fair_scanned", COLUMNS, unique=False)
        batch_op.drop_index(batch_op.f("ix_check_in_fair_id"))


def downgrade():
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_in_fair_id"), ["fair_id"], unique=False)
        batch_op.drop_index("ix_check_in_fair_scanned")
