"""What the database's planner believes about a table, to tell whether a bulk load left it informed."""

from django.db import DatabaseError, connection, models


def planner_row_count(model: type[models.Model]) -> int | None:
    """The rows ``model``'s table holds by the last ANALYZE's statistics; None if it was never analyzed.

    PostgreSQL keeps it in ``pg_class.reltuples`` (-1 before any ANALYZE), SQLite as the first number of each
    of the table's indexes in ``sqlite_stat1``: the table's rows, or fewer for a partial index.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            (rows,) = cursor.fetchone()
            return None if rows < 0 else int(rows)
        try:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        except DatabaseError:  # no ANALYZE has run in this database yet
            return None
        counts = [int(stat.split()[0]) for (stat,) in cursor.fetchall()]
    return max(counts, default=None)
