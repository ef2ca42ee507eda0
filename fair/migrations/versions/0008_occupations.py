"""ISCO-08 occupation and title embedding on jobs and attendees

- job / attendee: isco08 (4-digit unit group or NULL when the classifier is
  unsure), isco08_minor (3 digits), isco08_sub_major (2 digits),
  isco08_confidence, title_embedding (float16 bytes of the multilingual
  sentence embedding, NULL without the [semantic] extra) and
  occupation_classified_at (NULL: never classified).

Existing rows are filled by `fair init` (and `fair occupations reclassify`),
not here: the classifier is application code that may change after this
migration is written.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("job", "attendee")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("isco08", sa.String(length=4), nullable=True))
            batch_op.add_column(sa.Column("isco08_minor", sa.String(length=3), nullable=True))
            batch_op.add_column(sa.Column("isco08_sub_major", sa.String(length=2), nullable=True))
            batch_op.add_column(sa.Column("isco08_confidence", sa.Float(), nullable=True))
            batch_op.add_column(sa.Column("title_embedding", sa.LargeBinary(), nullable=True))
            batch_op.add_column(sa.Column("occupation_classified_at", sa.DateTime(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in ("occupation_classified_at", "title_embedding", "isco08_confidence",
                           "isco08_sub_major", "isco08_minor", "isco08"):
                batch_op.drop_column(column)
