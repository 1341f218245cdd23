"""Alembic's environment: the engine comes from ``store.migrate`` (config.attributes)."""

from alembic import context

from scoring_service.store.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    # Batch mode lets later migrations alter SQLite tables (it copies and swaps them).
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
