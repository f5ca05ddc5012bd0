"""Put a backup made by `manage.py backup` back into the configured database:
`manage.py restore FILE`.

Stop gunicorn and the worker first (docs/deployment.md). SQLite: the database file is replaced
page by page through SQLite's backup API (never a file copy under a live database).
PostgreSQL: `pg_restore --clean --if-exists --single-transaction` (of the server's major version
or newer) into the database of DATABASE_URL, which may be new and empty; on any error nothing
is changed. A backup of the other kind of database is refused.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.management.commands.backup import (
    PG_CUSTOM_MAGIC,
    SQLITE_MAGIC,
    database_of,
    pg_environment,
    pg_tool,
    run_tool,
    sqlite_path,
)


def backup_kind(path: Path) -> str:
    """"sqlite" or "postgresql", from the file's first bytes."""
    try:
        with path.open("rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise CommandError(f"{path} is not a backup made by `manage.py backup` (neither a SQLite "
                       "database nor a pg_dump custom-format file).")


def restore_sqlite(connection, backup: Path) -> None:
    target_path = sqlite_path(connection)
    if not target_path.parent.is_dir():
        raise CommandError(f"The database's directory {target_path.parent} does not exist.")
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise CommandError(f"{backup} is a damaged SQLite database: nothing was restored.")
        target = sqlite3.connect(target_path, timeout=60)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def restore_postgresql(connection, backup: Path) -> None:
    env, arguments = pg_environment(connection)
    tool = pg_tool("pg_restore", connection)
    run_tool([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *arguments, str(backup)], env)


class Command(BaseCommand):
    help = ("Replace the database's contents with a backup made by `backup` (stop the site "
            "and the worker first).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument("--database", default="default",
                            help="The database alias (default: default).")
        parser.add_argument("--noinput", "--no-input", action="store_false",
                            dest="interactive", help="Do not ask for confirmation.")

    def handle(self, *args, file: Path, database: str, interactive: bool, **options):
        connection, vendor = database_of(database)
        kind = backup_kind(file)
        if kind != vendor:
            raise CommandError(f"{file} is a {kind} backup; the configured database is "
                               f"{vendor}: nothing was restored.")
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(f"This replaces everything in the {vendor} database {name} with "
                           f"{file}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")
        if vendor == "sqlite":
            restore_sqlite(connection, file)
        else:
            restore_postgresql(connection, file)
        self.stdout.write(f"Restored {file} into the {vendor} database {name}. Run "
                          "`manage.py migrate` if the backup is older than this version.")
