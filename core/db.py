"""Database expressions Django does not ship."""

import json
from typing import Any

from django.db.models import F, Func, JSONField, Value


class JSONObjectMerge(Func):
    """The JSON object in `field` with the keys of `extra` added, in the UPDATE itself: a save
    adds to its editing session's set of changed fields without reading it first."""

    output_field = JSONField()

    def __init__(self, field: str, extra: dict[str, Any]):
        super().__init__(F(field), Value(json.dumps(extra)))

    # SQLite (JSON1). It fixes the function, so unlike Func.as_sql it takes no `function`,
    # `template` or `arg_joiner` of the caller's: hence the narrower signature.
    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        return super().as_sql(compiler, connection, function="json_patch", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        lhs, lhs_params = compiler.compile(self.source_expressions[0])
        rhs, rhs_params = compiler.compile(self.source_expressions[1])
        return f"(COALESCE({lhs}, '{{}}'::jsonb) || ({rhs})::jsonb)", (*lhs_params, *rhs_params)
