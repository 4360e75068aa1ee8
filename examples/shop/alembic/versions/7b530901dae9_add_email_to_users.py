"""add email to users

Revision ID: 7b530901dae9
Revises: cf2a109c346e
Create Date: 2026-11-24 03:56:15.912110

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7b530901dae9'
down_revision: Union[str, Sequence[str], None] = 'cf2a109c346e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("users", sa.Column("email", sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("users", "email")
