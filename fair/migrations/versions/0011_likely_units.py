"""The likely ISCO-08 units of a job's title or an attendee's desired positions

- job / attendee: isco08_units, the classifier's most probable units with their
  probabilities ("7212:0.612 7214:0.12"), read by matching to compare two
  titles' distributions when neither code alone is sure.

Every row is marked unclassified (occupation_classified_at NULL) so that
`fair init` classifies it again and fills the new column; until then matching
uses the stored codes alone, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 06:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("job", "attendee")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("isco08_units", sa.String(length=120), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET occupation_classified_at = NULL"))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("isco08_units")
