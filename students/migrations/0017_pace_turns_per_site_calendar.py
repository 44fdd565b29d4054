from django.db import migrations


def every_row_stale(apps, schema_editor):
    """The rows kept the newest closure history id of the whole network; they now keep their site's
    calendar version (sites.CalendarVersion). No old value may pass for a new one: every row is stale
    until the quarter-hourly task writes it again, and readers work its pace out meanwhile."""
    apps.get_model("students", "ContractPace").objects.update(closures_version=-1)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0016_contract_list_order"),
        ("sites", "0004_calendar_versions"),
    ]

    operations = [migrations.RunPython(every_row_stale, migrations.RunPython.noop)]
