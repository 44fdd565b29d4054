"""Plant a sentinel in every text column of a student's rows, found by introspection, and find it again."""

from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from notifications.models import Notification
from retention.graph import KEPT, OWNED, is_text
from students.models import Student

SENTINEL = "ZQX"  # no pseudonym (P- and hexadecimal) nor demo value holds these letters together


def student_rows(student_ids: list[int]) -> dict[type, set]:
    """Every row that is a student's, by model: the rows whose foreign keys lead to the students (found by
    walking every model's foreign keys, history tables included), the rows on their roll (sessions, by
    the graph's path), and the outbox items and admin log lines about any of them."""
    rows: dict[type, set] = defaultdict(set)
    rows[Student] = set(student_ids)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                target = (
                    field.related_model
                    if (field.is_relation and field.many_to_one) or field.one_to_one
                    else None
                )
                if target is None or target not in rows or not rows[target]:
                    continue
                found = set(
                    model._default_manager.filter(**{f"{field.name}__in": rows[target]}).values_list(
                        model._meta.pk.name, flat=True
                    )
                )
                if found - rows[model]:
                    rows[model] |= found
                    changed = True
    for label, path in OWNED.items():  # rows reached the other way: a session through its roll
        model = apps.get_model(label)
        rows[model] |= set(model.objects.filter(**{f"{path}__in": student_ids}).values_list("pk", flat=True))
        history = getattr(getattr(model, "history", None), "model", None)
        if history is not None:
            rows[history] |= set(history.objects.filter(id__in=rows[model]).values_list("pk", flat=True))
    for model, pks in list(rows.items()):
        content_type = ContentType.objects.get_for_model(model)
        rows[Notification] |= set(
            Notification.objects.filter(subject_type=content_type, subject_id__in=pks).values_list(
                "pk", flat=True
            )
        )
        rows[LogEntry] |= set(
            LogEntry.objects.filter(
                content_type=content_type, object_id__in=[str(pk) for pk in pks]
            ).values_list("pk", flat=True)
        )
    return {model: pks for model, pks in rows.items() if pks}


def tracked_label(model) -> str:
    """The label whose KEPT columns apply: a history table's tracked model, or the model itself."""
    instance_type = getattr(model, "instance_type", None)
    return (instance_type or model)._meta.label


def plant(rows: dict[type, set]) -> dict[str, int]:
    """Write a sentinel in every text column (KEPT aside) of these rows; returns planted columns by table."""
    planted: dict[str, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for model, pks in rows.items():
            kept = KEPT.get(tracked_label(model), {})
            for field in model._meta.concrete_fields:
                if (
                    not is_text(field)
                    or field.name in kept
                    or isinstance(field, models.GenericIPAddressField)
                ):
                    continue
                if isinstance(field, models.JSONField):
                    model._default_manager.filter(pk__in=pks).update(**{field.name: {"note": SENTINEL}})
                else:
                    # Raw SQL: a phone column would refuse the sentinel through its field; the table takes it.
                    width = field.max_length or 100
                    for pk in pks:
                        cursor.execute(
                            f'UPDATE "{model._meta.db_table}" SET "{field.column}" = %s '  # noqa: S608 - names from the models
                            f'WHERE "{model._meta.pk.column}" = %s',
                            [f"{SENTINEL}{pk}"[:width], pk],
                        )
                planted[model._meta.db_table] += 1
    return planted


def scan_database() -> dict[str, int]:
    """Rows holding the sentinel in any column of any table (tables and columns found by introspection)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            where = " OR ".join(f'CAST("{column}" AS TEXT) LIKE %s' for column in columns)
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {where}', [f"%{SENTINEL}%"] * len(columns))  # noqa: S608
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def scan_folder(root: Path) -> list[str]:
    """Files under `root` whose content or path holds the sentinel."""
    return [
        str(path)
        for path in root.rglob("*")
        if SENTINEL in str(path) or (path.is_file() and SENTINEL.encode() in path.read_bytes())
    ]
