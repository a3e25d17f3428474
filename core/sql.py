"""What the ORM has no word for: INSERT ... SELECT, INSERT ... ON CONFLICT DO NOTHING, and
a list of ids sent as one parameter (the `among` lookup)."""

from django.db import connection
from django.db.models import Field, ForeignObject, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.lookups import In


class Among(In):
    """`filter(pk__among=ids)`: `pk IN ids`, the list sent as one array on PostgreSQL.

    For a batch of thousands of ids: written out as one placeholder each, the statement
    costs more to compose, log and plan than to run. Other databases read it as `in`.
    """

    lookup_name = "among"

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, list(self.rhs))


# Foreign keys keep their own list of lookups: `ticket__among=ids` needs it there too.
Field.register_lookup(Among)
ForeignObject.register_lookup(Among)


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


def insert_new(objs: list[Model]) -> list[int]:
    """Insert the rows no unique constraint refuses, in one statement; return their ids.

    INSERT ... ON CONFLICT DO NOTHING RETURNING: a row already there is skipped without
    an error, so the transaction needs no savepoint around it; a row another transaction
    is inserting makes this one wait, then skip it once the other has committed (or
    insert it, if the other rolled back). A single object gets its id when inserted;
    of several, which were skipped is not known, so they get none.
    """
    if not objs:
        return []
    model = type(objs[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    # The ORM's own insert (the one save() goes through), asked for ON CONFLICT.
    rows = model._base_manager._insert(
        objs, fields=fields, returning_fields=[model._meta.pk], on_conflict=OnConflict.IGNORE
    )
    # One row answers None when it was skipped; several answer only those inserted.
    ids = [row[0] for row in rows if row]
    if len(objs) == 1 and ids:
        objs[0].pk, objs[0]._state.adding, objs[0]._state.db = ids[0], False, connection.alias
    return ids
