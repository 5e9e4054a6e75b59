"""Staff users and superusers that exist before roles become owners (they could do
everything); read-write API keys become owner keys, read-only keys viewer keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.models import Q


def forwards(apps: Any, schema_editor: Any) -> None:
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    StaffRole = apps.get_model("portal", "StaffRole")
    ApiKey = apps.get_model("portal", "ApiKey")
    have_role = StaffRole.objects.values_list("user_id", flat=True)
    users = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True)).exclude(pk__in=have_role)
    StaffRole.objects.bulk_create(
        [StaffRole(user_id=pk, role="owner") for pk in users.values_list("pk", flat=True)]
    )
    ApiKey.objects.filter(read_only=False).update(role="owner")
    ApiKey.objects.filter(read_only=True).update(role="viewer")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_staff_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
