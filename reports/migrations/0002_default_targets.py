"""The targets the nonprofit and its partners report against (DESIGN.md "Outcomes and targets")."""

from django.db import migrations

DEFAULTS = [
    ("pathway_completion", 95, "at_least"),
    ("pathway_graduation", 100, "at_least"),
    ("pathway_certification", 95, "at_least"),
    ("attendance", 90, "at_least"),
    ("chronic_absence", 10, "at_most"),
    ("contracts_on_time", 85, "at_least"),
]


def create_targets(apps, schema_editor):
    Target = apps.get_model("dashboard", "Target")
    for key, percent, direction in DEFAULTS:
        Target.objects.get_or_create(key=key, defaults={"percent": percent, "direction": direction})


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]

    operations = [migrations.RunPython(create_targets, migrations.RunPython.noop)]
