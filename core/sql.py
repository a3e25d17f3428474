"""Set-based writes the ORM has no word for: INSERT ... SELECT in one statement."""

from django.db import connection
from django.db.models import Model, QuerySet


def insert_select(
    model: type[Model],
    rows: QuerySet,
    columns: dict[str, str],
    *,
    order_by: str = "",
    skip_conflicts: bool = False,
) -> list[int]:
    """Insert what a values() queryset selects into the model's table; return the new ids.

    `columns` maps each column to fill to the name of what `rows` selects for it (an
    annotation such as `ticket=F("pk")`), so the database computes the rows and nothing
    goes through Python but their ids. With
    `skip_conflicts`, a row that breaks a unique constraint is left out, and so is a
    later row of the same statement that repeats an earlier one: `order_by` (a column
    of `rows`) decides which comes first.
    """
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    values = ", ".join(f"rows.{quote(alias)}" for alias in columns.values())
    select, params = rows.query.sql_with_params()
    # "WHERE 1 = 1" lets SQLite read ON CONFLICT as the upsert's, not a join's.
    table = quote(model._meta.db_table)
    # Names come from the code, values travel as parameters.
    sql = f"INSERT INTO {table} ({names}) SELECT {values} FROM ({select}) AS rows WHERE 1 = 1"  # noqa: S608
    if order_by:
        sql += f" ORDER BY rows.{quote(order_by)}"
    if skip_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    sql += f" RETURNING {quote(model._meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
