"""What the ORM has no word for: INSERT ... SELECT, INSERT ... ON CONFLICT DO NOTHING, a
list of ids sent as one parameter (the `among` lookup), a query compiled once (Compiled);
and dates read from PostgreSQL by psycopg's own loader (UtcTimestampLoader).
"""

import copy
import datetime
import threading

import psycopg
from django.db import connection, connections
from django.db.models import Field, ForeignObject, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.lookups import In
from psycopg.adapt import Loader
from psycopg.pq import Format


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


class Compiled:
    """A query the ORM writes once per process, then runs with each call's values.

    `build(*values)` returns the queryset for those values (numbers, texts, or lists of
    them), whose SQL must not depend on them but through its parameters: `pk=value`,
    `ticket=value`, `pk__among=values`.
    Writing the SQL of a ticket with its related rows costs the ORM about a millisecond,
    more than PostgreSQL takes to run it; a page shown thousands of times a day pays it
    once. The first call writes the query with stand-in values and finds where each lands
    among its parameters; later calls put theirs in place, and the rows are read as the
    ORM reads them (model instances with their related rows, or a dict each for values()).

    `all(*values)` gives the list of results, never a queryset to filter further. On
    another database than PostgreSQL (where `among` writes a placeholder per id), each
    call builds its queryset anew.
    """

    # Numbers no row has, one per value, so that each is found by equality.
    STAND_INS = range(-2_000_000_001, -2_000_000_011, -1)

    def __init__(self, build):
        self.build = build
        self.written = None  # (queryset, compiler, SQL, parameters, where each value goes)
        self.lock = threading.Lock()

    def all(self, *values) -> list:
        if connection.vendor != "postgresql":
            return list(self.build(*values))
        with self.lock:
            self.written = self.written or self._write(values)
        marked, compiler, sql, params, places = self.written
        params = list(params)
        for index, place in places:
            params[place] = values[index]
        # The rows' layout and converters, with these values, on this thread's connection.
        bound = copy.copy(compiler)
        bound.connection = connections[marked.db]
        bound.as_sql = lambda *args, **kwargs: (sql, params)
        queryset = marked._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: bound
        return list(queryset)

    def _write(self, values: tuple):
        # A number, or a text, no row has; a list (for `among`) stands in as a list of one.
        def stand_in(number: int, value):
            if isinstance(value, list):
                return [stand_in(number, value[0] if value else 0)]
            return f"stand-in {number}" if isinstance(value, str) else number

        stand_ins = [
            stand_in(number, value) for number, value in zip(self.STAND_INS, values, strict=False)
        ]
        marked = self.build(*stand_ins)
        compiler = marked.query.get_compiler(using=marked.db)
        sql, params = compiler.as_sql()
        places = [
            (index, place)
            for index, stand_in in enumerate(stand_ins)
            for place, param in enumerate(params)
            if param == stand_in
        ]
        if sorted(index for index, _place in places) != list(range(len(values))):
            raise ValueError("Each value must be one parameter of the query, once.")
        return marked, compiler, sql, tuple(params), places


class UtcTimestampLoader(Loader):
    """A PostgreSQL timestamptz read by psycopg's own loader (in C when psycopg has it).

    Django puts a loader of its own written in Python in its place, to give its dates in
    the time zone it expects: about 9 µs a date here, against 2, and a queue page reads
    250 dates. On a connection whose session is in UTC, as Django sets it with USE_TZ,
    psycopg's gives the same datetimes, in datetime.UTC. `timezone` is what
    Django compares to know it need not put its own back on each cursor.
    """

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.own = psycopg.adapters.get_loader(oid, Format.TEXT)(oid, context)

    def load(self, data):
        return self.own.load(data)


def read_utc_timestamps(sender, connection, **kwargs):
    """On a new PostgreSQL connection in UTC, read its dates with UtcTimestampLoader
    (the `connection_created` signal)."""
    if connection.vendor == "postgresql" and connection.timezone == datetime.UTC:
        connection.connection.adapters.register_loader("timestamptz", UtcTimestampLoader)
