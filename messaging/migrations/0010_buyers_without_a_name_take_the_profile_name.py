"""Buyers without a name take their WhatsApp contact's profile name (else its username)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def fill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Buyer = apps.get_model("raffles", "Buyer")
    Contact = apps.get_model("messaging", "Contact")
    unnamed = Buyer.objects.filter(name="").values("pk")
    rows = (
        Contact.objects.filter(buyer__in=unnamed)
        .exclude(profile_name="", username="")
        .values_list("buyer_id", "profile_name", "username")
        .iterator()
    )
    for buyer_id, profile_name, username in rows:
        name = (profile_name or username).strip()[:200]
        if name:
            Buyer.objects.filter(pk=buyer_id, name="").update(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0009_outbound_media"),
        ("raffles", "0008_event_kinds_opt_out_and_faq"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
