"""The partners' default targets: 95 % complete the pathway, 100 % graduate, 95 % earn a certification."""

from django.db import migrations

DEFAULTS = {"pathway_completion": 95, "pathway_graduation": 100, "pathway_certification": 95}


def add_targets(apps, schema_editor):
    Target = apps.get_model("programs", "Target")
    for key, percent in DEFAULTS.items():
        Target.objects.get_or_create(key=key, defaults={"percent": percent})


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_pathways_certifications_placements")]

    operations = [migrations.RunPython(add_targets, migrations.RunPython.noop)]
