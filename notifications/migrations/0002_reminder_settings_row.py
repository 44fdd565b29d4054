"""Create the one reminder-settings row with its defaults, so the admin console opens it directly."""

from django.db import migrations


def create_settings(apps, schema_editor):
    apps.get_model("notifications", "ReminderSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create_settings, migrations.RunPython.noop)]
