"""`field__any=values`: "is one of these values", with the values sent as one parameter.

A sweep asks about tens of thousands of ids or keys at once. `__in` sends each as its own parameter,
and Django prepares them one by one (about 4 µs each); `__any` sends the list whole: an array on
PostgreSQL (`= ANY(%s)`, on the column's index), a JSON array on SQLite (`IN (SELECT value FROM
json_each(%s))`). Registered for every field and relation in `ArtworxConfig.ready`; for ids and
strings (a relation takes ids, not objects).
"""

import json

from django.db.models import Lookup


class AnyOf(Lookup):
    """`field__any=values`: the field equals one of the values."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        values = list(value)
        return "%s", [values if connection.vendor == "postgresql" else json.dumps(values)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # lhs is the compiler's quoted column and rhs its placeholder: the values travel as parameters.
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]  # noqa: S608
