"""``council backup`` / ``council restore``: a consistent copy of database, uploads and indexes.

A backup is a directory (or a ``.tar`` / ``.tar.gz`` / ``.tgz`` of one) holding::

    manifest.json        format, app version, engine, method, migrations, row counts, checksums
    database/            council.db (SQLite) | council.dump (pg_dump) | <table>.csv (COPY)
    uploads/             every object of the file store (STORAGE_URL: the data directory's
                         uploads/ or a bucket), one file per key
    index/               the search indexes

SQLite is copied with the sqlite3 online backup API, which reads one consistent snapshot of a live
WAL database. PostgreSQL is dumped with ``pg_dump`` when a client at least as new as the server is
installed, else by ``COPY`` of every table in foreign-key order; either way inside one
repeatable-read snapshot that the row counts of the manifest are also taken from.

The search indexes are copied while their writers' locks are held, and the database is read under
the same locks: pending index updates wait in the database's outbox, so the copied indexes match
the copied database. Stored files are copied after the database: a file is stored before the row
that names it commits, so every file the snapshot refers to is already in the store (a local
folder or a bucket: both are read through ``council.storage``, and a backup of one restores into
the other).

Stages, one module each: ``common`` (format, locks, tools), ``sqlite`` and ``postgres`` (the
database's snapshot and its load), ``taking`` (``council backup``) and ``restoring`` (``council
restore``).
"""

from council.backup.common import BackupError, index_write_locks
from council.backup.restoring import restore
from council.backup.taking import backup

__all__ = ["BackupError", "backup", "index_write_locks", "restore"]
