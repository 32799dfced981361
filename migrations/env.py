"""Alembic environment: the URL comes from the application's configuration."""

from alembic import context

import board.models  # noqa: F401  (every table on Base.metadata)
from board.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    from board import create_app

    url = create_app().config["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table by copying it and dropping the old one. With
            # foreign keys on, dropping a parent (meeting, say) deletes its children's rows
            # through ON DELETE CASCADE: children's answers would vanish in an upgrade. Off
            # while migrating (it must be set outside a transaction), checked at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
