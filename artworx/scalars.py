"""Many one-number questions to the database in one round trip: `SELECT (q1) AS a, (q2) AS b, …`.

A dashboard asks a dozen counts and sums of different tables; each is cheap, but a query apiece is a
dozen round trips. `scalars` sends them as scalar subqueries of a single SELECT.
"""

import json

from django.db import connection
from django.db.models import Aggregate, JSONField, QuerySet, Value
from django.db.models.functions import JSONObject


def total(queryset: QuerySet, expression) -> QuerySet:
    """`queryset.aggregate(expression)` left unevaluated: one row with one column over every row.

    Grouping by a constant makes Django drop the GROUP BY, so the aggregate runs over the whole
    filtered queryset (and answers a row, NULL or 0, when nothing matches).
    """
    return queryset.order_by().values(_all=Value(1)).annotate(value=expression).values("value")


def totals(queryset: QuerySet, **expressions) -> QuerySet:
    """Several aggregates over one pass of `queryset` (`total` of a JSON object): `scalars` answers a
    dict of them by name. For counts over the same costly rows, which would otherwise be read twice."""
    return total(queryset, JSONObject(**expressions))


class JSONList(Aggregate):
    """The values of an expression over the rows, as one JSON array: PostgreSQL's JSONB_AGG, SQLite's
    JSON_GROUP_ARRAY (an empty array when no row matches, on both)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "COALESCE(%(function)s(%(expressions)s), '[]')"
        return self.as_sql(compiler, connection, function="JSONB_AGG", template=template, **extra_context)


def rows(queryset: QuerySet, **fields) -> QuerySet:
    """The rows of a small table as one value (`total` of a JSON list): `scalars` answers a list of
    dicts of these fields, so a few settings' rows come with the counts that use them."""
    return total(queryset.order_by(), JSONList(JSONObject(**fields)))


def _is_json(queryset: QuerySet) -> bool:
    return isinstance(queryset.query.annotations["value"].output_field, JSONField)


def scalars(**parts: QuerySet) -> dict:
    """The value of each one-row, one-column queryset in `parts` (from `total` or `totals`), in one
    query."""
    selects, params = [], []
    for name, queryset in parts.items():
        sql, part_params = queryset.query.sql_with_params()
        selects.append(f"({sql}) AS {connection.ops.quote_name(name)}")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    # A `totals` part arrives as JSON text on both databases (Django leaves decoding to the field).
    return {
        name: json.loads(value) if _is_json(parts[name]) else value
        for (name, value) in zip(parts, row, strict=True)
    }
