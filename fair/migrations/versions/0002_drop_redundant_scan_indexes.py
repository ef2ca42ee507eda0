"""Drop indexes that repeat the first column of a unique index on the scan tables

check_in.device_id and lead_scan.device_id lead their (device_id, nonce)
unique indexes, lead.booth_id leads (booth_id, attendee_id): SQLite and
PostgreSQL use those for lookups by the first column. Each extra index was one
more page written per scan (measured: a booth scan's commit was a tenth of the
server's time at 1,000 scans/s).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:25:00
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DROPPED = (("check_in", "ix_check_in_device_id", "device_id"),
           ("lead", "ix_lead_booth_id", "booth_id"),
           ("lead_scan", "ix_lead_scan_device_id", "device_id"))


def upgrade():
    for table, index, _column in DROPPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(index)


def downgrade():
    for table, index, column in DROPPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(index, [column], unique=False)
