"""Campaign profiles: the profile each submission was judged under, and what a profile read from a material.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission') as batch:
        batch.add_column(sa.Column('profile', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.create_index('ix_submission_profile', ['profile'], unique=False)
    with op.batch_alter_table('material') as batch:
        batch.add_column(sa.Column('details', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('material') as batch:
        batch.drop_column('details')
    with op.batch_alter_table('submission') as batch:
        batch.drop_index('ix_submission_profile')
        batch.drop_column('profile')
