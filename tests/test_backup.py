"""`manage.py backup` and `manage.py restore`: a database with a submission is backed up while
another connection holds an uncommitted change to it, restored into a fresh database, and the
submission is found there as it was committed.

Runs on the kind of database the suite runs on (a SQLite file, or new PostgreSQL databases
dropped afterwards), through the commands as an administrator runs them.
"""

from __future__ import annotations

import sqlite3
import stat
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from intake.management.commands.backup import pg_tool, server_major_version, tool_version
from tests.live import LiveSite

NAME = "Backup Patient 42"


def fresh_database(tmp_path, source: LiveSite) -> LiveSite:
    """A second site on a new, empty database of the same kind (no tables at all)."""
    site = LiveSite.like_test_database(tmp_path / "restored")
    if site.vendor == "postgresql":
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True,
                             **{k: v for k, v in source.pg.items() if v}) as conn:
            conn.execute(f'CREATE DATABASE "{site.pg_name}"')
    else:
        (tmp_path / "restored").mkdir()
    return site


@contextmanager
def uncommitted_rename(site: LiveSite):
    """Another connection renames the patient and has not committed yet."""
    if site.vendor == "sqlite3":
        conn = sqlite3.connect(site.sqlite_path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock
        conn.execute("UPDATE intake_submission SET full_name = 'Not Committed' "
                     "WHERE full_name = ?", (NAME,))
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    import psycopg

    with psycopg.connect(dbname=site.pg_name, **{k: v for k, v in site.pg.items() if v}) as conn:
        conn.execute("UPDATE intake_submission SET full_name = 'Not Committed' "
                     "WHERE full_name = %s", (NAME,))
        try:
            yield
        finally:
            conn.rollback()


def test_a_backup_restored_into_a_fresh_database_holds_the_submission(tmp_path):
    source = LiveSite.like_test_database(tmp_path).setup()
    target = fresh_database(tmp_path, source)
    try:
        source.manage("shell", "-c", "from intake.demo import create_submission; "
                      f"create_submission(name={NAME!r})")
        backup = tmp_path / "backups" / "trdintake.backup"
        with uncommitted_rename(source):  # the site at work: the backup neither waits nor sees it
            source.manage("backup", "--output", str(backup))
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # health records: owner only
        assert [p.name for p in backup.parent.iterdir()] == [backup.name]  # no partial file

        target.manage("restore", "--noinput", str(backup))

        rows = target.query("SELECT id, status FROM intake_submission WHERE full_name = %s", NAME)
        assert [status for _, status in rows] == ["submitted"]
        (trials,), = target.query(
            "SELECT COUNT(*) FROM intake_medicationtrial WHERE submission_id = %s", rows[0][0])
        assert trials == 2
        # The restored database is whole: the catalog and the migration history came along.
        assert target.query("SELECT COUNT(*) FROM intake_medication")[0][0] > 40
        assert "[ ]" not in target.manage("showmigrations", "intake")
    finally:
        target.teardown()
        source.teardown()


def test_restore_refuses_what_is_not_a_backup_of_this_database(tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(not_a_backup), "--noinput")
    other_kind = tmp_path / "other.backup"
    other_kind.write_bytes(b"PGDMP" if connection.vendor == "sqlite" else b"SQLite format 3\x00")
    with pytest.raises(CommandError, match="nothing was restored"):
        call_command("restore", str(other_kind), "--noinput")


def test_restore_asks_before_replacing_the_database(tmp_path, monkeypatch):
    backup = tmp_path / "same.backup"
    backup.write_bytes(b"SQLite format 3\x00" if connection.vendor == "sqlite" else b"PGDMP")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(backup))


@pytest.mark.django_db
def test_the_postgresql_tools_match_the_server():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the suite runs on SQLite)")
    server = server_major_version(connection)
    for name in ("pg_dump", "pg_restore"):
        tool = pg_tool(name, connection)
        assert tool_version(tool) >= server
