"""Alembic environment: runs on the engine Jurisdesk opened, in batch mode for SQLite."""

from alembic import context

from app.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("Jurisdesk migrations run through app.db.open_database, not the alembic CLI")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
