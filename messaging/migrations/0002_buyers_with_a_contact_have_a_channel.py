"""Buyers whose WhatsApp contact was linked before `Buyer.has_channel` existed have one."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def mark(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Buyer = apps.get_model("raffles", "Buyer")
    Buyer.objects.filter(whatsapp_contact__isnull=False).update(has_channel=True)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("raffles", "0005_buyer_has_channel"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
