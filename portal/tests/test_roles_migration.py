"""Staff users and API keys that exist before roles: staff and superusers become owners,
read-write keys owner keys, read-only keys viewer keys (portal 0003)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("portal", "0003_staff_roles")]
AFTER = [("portal", "0004_existing_staff_and_keys_become_owners")]


@pytest.mark.django_db(transaction=True)
def test_existing_staff_become_owners_and_keys_get_roles() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps: Any = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    ApiKey = apps.get_model("portal", "ApiKey")
    staff = User.objects.create(username="old-staff", is_staff=True)
    boss = User.objects.create(username="old-boss", is_staff=True, is_superuser=True)
    customer = User.objects.create(username="customer")
    ApiKey.objects.create(name="rw", prefix="rk_a", key_hash="a" * 64, read_only=False)
    ApiKey.objects.create(name="ro", prefix="rk_b", key_hash="b" * 64, read_only=True)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    StaffRole = apps.get_model("portal", "StaffRole")
    ApiKey = apps.get_model("portal", "ApiKey")
    roles = dict(StaffRole.objects.values_list("user_id", "role"))
    assert roles == {staff.pk: "owner", boss.pk: "owner"}
    assert customer.pk not in roles
    assert dict(ApiKey.objects.values_list("name", "role")) == {"rw": "owner", "ro": "viewer"}

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the database as it was
