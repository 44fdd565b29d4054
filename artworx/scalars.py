"""Many one-number questions to the database in one round trip: `SELECT (q1) AS a, (q2) AS b, …`.

A dashboard asks a dozen counts and sums of different tables; each is cheap, but a query apiece is a
dozen round trips. `scalars` sends them as scalar subqueries of a single SELECT.
"""

from django.db import connection
from django.db.models import QuerySet, Value


def total(queryset: QuerySet, expression) -> QuerySet:
    """`queryset.aggregate(expression)` left unevaluated: one row with one column over every row.

    Grouping by a constant makes Django drop the GROUP BY, so the aggregate runs over the whole
    filtered queryset (and answers a row, NULL or 0, when nothing matches).
    """
    return queryset.order_by().values(_all=Value(1)).annotate(value=expression).values("value")


def scalars(**parts: QuerySet) -> dict:
    """The value of each one-row, one-column queryset in `parts` (from `total`), in one query."""
    selects, params = [], []
    for name, queryset in parts.items():
        sql, part_params = queryset.query.sql_with_params()
        selects.append(f"({sql}) AS {connection.ops.quote_name(name)}")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return dict(zip(parts, row, strict=True))
