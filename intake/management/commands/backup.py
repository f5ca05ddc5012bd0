"""A consistent copy of the database, taken while the site runs: `manage.py backup --output FILE`.

SQLite: SQLite's online backup (Python's `sqlite3.Connection.backup`), a snapshot of one moment
even while gunicorn and the worker write. PostgreSQL: `pg_dump -Fc` (custom format, for
`pg_restore`), of the server's major version or newer. Either way the file is written beside
FILE under a temporary name, readable by its owner only (it holds health records), and renamed
to FILE once complete: FILE is never a half-written backup. `manage.py restore FILE` puts one
back (docs/deployment.md).

The helpers here (the database's kind, the PostgreSQL tools and their connection) are shared
with the restore command.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PG_BIN_DIRS = "/usr/lib/postgresql"  # Debian's per-version tool directories
# Connection options (DATABASES OPTIONS) that libpq understands, passed on to pg_dump/pg_restore.
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
                 "target_session_attrs", "options", "service", "passfile")


def database_of(alias: str = "default"):
    """The connection of `alias` and its vendor ("sqlite" or "postgresql"); other kinds of
    database are refused."""
    connection = connections[alias]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise CommandError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection, connection.vendor


def sqlite_path(connection) -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise CommandError(f"The SQLite database {name!r} is not a file: nothing to back up.")
    return Path(name)


def tool_version(path: str) -> int | None:
    """The major version a PostgreSQL client tool reports (`pg_dump (PostgreSQL) 15.4`)."""
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                                check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s+(\d+)", output)
    return int(found.group(1)) if found else None


def server_major_version(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_tool(name: str, connection) -> str:
    """The `pg_dump` or `pg_restore` to use with this server: Debian's copy of the server's own
    major version (/usr/lib/postgresql/N/bin), else the nearest newer one there, else the one
    on PATH if it is at least as new as the server (an older pg_dump refuses a newer server,
    and an older pg_restore cannot read a newer dump)."""
    server = server_major_version(connection)
    candidates: list[tuple[int, str]] = []
    for directory in Path(PG_BIN_DIRS).glob("*/bin"):
        version = directory.parent.name
        if version.isdigit() and int(version) >= server and (directory / name).is_file():
            candidates.append((int(version), str(directory / name)))
    if candidates:
        return min(candidates)[1]
    on_path = shutil.which(name)
    if on_path and (tool_version(on_path) or 0) >= server:
        return on_path
    raise CommandError(
        f"No {name} for PostgreSQL {server} or newer was found (looked in "
        f"{PG_BIN_DIRS}/*/bin and on PATH): install postgresql-client-{server}.")


def pg_environment(connection) -> tuple[dict, list[str]]:
    """The environment and connection arguments for a PostgreSQL client tool. The password
    goes in PGPASSWORD, never on the command line (where `ps` would show it)."""
    settings_dict = connection.settings_dict
    env = {**os.environ}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    conninfo = " ".join(f"{key}={quote_conninfo(str(options[key]))}"
                        for key in LIBPQ_OPTIONS if options.get(key) not in (None, ""))
    dbname = str(settings_dict.get("NAME") or "")
    arguments = ["--dbname", f"dbname={quote_conninfo(dbname)} {conninfo}".strip()]
    return env, arguments


def quote_conninfo(value: str) -> str:
    """A value for a libpq connection string: quoted, with quotes and backslashes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def run_tool(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                            check=False)  # a PostgreSQL tool found by pg_tool, no shell
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


@contextlib.contextmanager
def written_atomically(output: Path):
    """A private temporary file beside `output`, renamed to it when the block succeeds and
    deleted when it fails."""
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.",
                                    suffix=".partial")  # mode 0600
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


def backup_sqlite(connection, output: Path) -> None:
    source = sqlite3.connect(sqlite_path(connection), timeout=60)
    try:
        with written_atomically(output) as temporary:
            target = sqlite3.connect(temporary)
            try:
                source.backup(target)
                # One self-contained file (the live database is in WAL mode).
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
    finally:
        source.close()


def backup_postgresql(connection, output: Path) -> None:
    env, arguments = pg_environment(connection)
    tool = pg_tool("pg_dump", connection)
    with written_atomically(output) as temporary:
        run_tool([tool, "--format=custom", "--no-owner", "--no-privileges",
                  "--file", str(temporary), *arguments], env)


class Command(BaseCommand):
    help = ("Write a consistent backup of the database to a file, while the site runs "
            "(SQLite: online backup; PostgreSQL: pg_dump -Fc). Restore with `restore FILE`.")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path,
                            help="The backup file to write (replaced if it exists).")
        parser.add_argument("--database", default="default",
                            help="The database alias (default: default).")

    def handle(self, *args, output: Path, database: str, **options):
        connection, vendor = database_of(database)
        if vendor == "sqlite":
            backup_sqlite(connection, output)
        else:
            backup_postgresql(connection, output)
        self.stdout.write(f"Backed up the {vendor} database to {output}")
