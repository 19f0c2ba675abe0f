"""Alembic's entry point: run the migrations on the connection storage/schema.py hands over.

There is no alembic.ini: `storage.schema` builds the configuration in code
and passes the open connection in `config.attributes["connection"]`.
"""

from alembic import context

import storage.models  # noqa: F401 - registers every table on SQLModel.metadata
from sqlmodel import SQLModel

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
