"""Only active staff get in: every page, every component and every action refuse anonymous
and non-staff users; the unicorn endpoint refuses them before loading any component."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django_unicorn import views as unicorn_views

import portal.components
from portal.components.base import _HOOKS as base_hooks
from portal.components.base import StaffComponent
from portal.tests.conftest import PASSWORD, unicorn_call
from raffles import services

pytestmark = pytest.mark.django_db


def _components() -> dict[str, type[StaffComponent]]:
    """Every component module of the portal → its class (component name → class)."""
    found: dict[str, type[StaffComponent]] = {}
    for info in pkgutil.iter_modules(portal.components.__path__):
        module = importlib.import_module(f"portal.components.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == module.__name__
                and issubclass(cls, StaffComponent)
                and cls is not StaffComponent
            ):
                found[info.name.replace("_", "-")] = cls
    return found


COMPONENTS = _components()


def _actions(cls: type[StaffComponent]) -> list[str]:
    """Public methods a browser may call (what django-unicorn would accept)."""
    names = []
    for name, value in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_") or name in {"mount", "refresh"}:
            continue
        if getattr(value, "__staff_guarded__", False):
            names.append(name)
    return sorted(names)


def test_every_component_is_a_staff_component() -> None:
    assert set(COMPONENTS) >= {
        "dashboard",
        "live-version",
        "raffle-list",
        "raffle-form",
        "raffle-panel",
        "ticket-grid",
        "ticket-detail",
        "review-queue",
        "order-list",
        "order-detail",
        "staff-accounts",
        "api-keys",
        "draw-panel",
    }


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_every_public_method_is_guarded(name: str) -> None:
    cls = COMPONENTS[name]
    hooks = base_hooks | {"get_context_data"}
    for method, value in inspect.getmembers(cls, inspect.isfunction):
        if method.startswith("_") or method in hooks or value.__module__.startswith("django"):
            continue
        if method.startswith(("updated_", "updating_", "resolved_")):
            continue
        assert getattr(value, "__staff_guarded__", False), f"{name}.{method} is not guarded"


def _page_urls(raffle: Any, order: Any) -> list[str]:
    return [
        reverse("portal:dashboard"),
        reverse("portal:raffles"),
        reverse("portal:raffle-new"),
        reverse("portal:raffle", args=[raffle.pk]),
        reverse("portal:raffle-edit", args=[raffle.pk]),
        reverse("portal:tickets", args=[raffle.pk]),
        reverse("portal:raffle-claims", args=[raffle.pk]),
        reverse("portal:raffle-photo", args=[raffle.pk]),
        reverse("portal:export-sold", args=[raffle.pk]),
        reverse("portal:review"),
        reverse("portal:orders"),
        reverse("portal:export-orders"),
        reverse("portal:order", args=[order.code]),
        reverse("portal:conversations"),
        reverse("portal:conversation", args=[1]),
        reverse("portal:outbox"),
        reverse("portal:templates"),
        reverse("portal:simulator"),
        reverse("portal:staff"),
        reverse("portal:api-keys"),
        reverse("portal:proof-file", args=[order.proofs.first().pk]),
    ]


@pytest.fixture
def order(raffle: Any, buyer: Any) -> Any:
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    services.attach_payment_proof(order, content=b"%PDF-1.4 proof", mime_type="application/pdf")
    return order


def test_pages_send_anonymous_users_to_login(raffle: Any, order: Any) -> None:
    client = Client()
    for url in _page_urls(raffle, order):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("portal:login")), url


def test_pages_refuse_signed_in_users_without_staff_rights(
    plain_client: Client, raffle: Any, order: Any
) -> None:
    for url in _page_urls(raffle, order):
        assert plain_client.get(url).status_code == 403, url


def test_pages_refuse_inactive_staff(staff_user: Any, raffle: Any, order: Any) -> None:
    client = Client()
    client.force_login(staff_user)
    staff_user.is_active = False
    staff_user.save()
    for url in _page_urls(raffle, order):
        response = client.get(url)
        assert response.status_code in (302, 403), url


def test_staff_pages_open_for_owners(staff_client: Client, raffle: Any, order: Any) -> None:
    """`staff_client` is an owner; every other role: test_roles.py."""
    for url in _page_urls(raffle, order):
        response = staff_client.get(url)
        if url == reverse("portal:conversation", args=[1]):
            assert response.status_code in (200, 404), url
        else:
            assert response.status_code == 200, url


def test_superuser_pages_open_for_superusers(admin_client_: Client) -> None:
    assert admin_client_.get(reverse("portal:staff")).status_code == 200
    assert admin_client_.get(reverse("portal:api-keys")).status_code == 200


def test_login_refuses_users_without_staff_rights(plain_user: Any) -> None:
    client = Client()
    response = client.post(reverse("portal:login"), {"username": "customer", "password": PASSWORD})
    assert response.status_code == 200
    assert "no access to the staff portal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_and_logout_for_staff(staff_user: Any) -> None:
    client = Client()
    response = client.post(reverse("portal:login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.post(reverse("portal:logout")).status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_csrf_stays_on_for_the_unicorn_endpoint(staff_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    result = unicorn_call(client, "dashboard", "refresh")
    assert result.status_code == 403


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_unicorn_endpoint_refuses_anonymous_users(name: str) -> None:
    client = Client()
    for method in [None, "refresh", *_actions(COMPONENTS[name])]:
        result = unicorn_call(client, name, method)
        assert result.status_code == 401, (name, method)


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_unicorn_endpoint_refuses_users_without_staff_rights(
    name: str, plain_client: Client
) -> None:
    for method in [None, "refresh", *_actions(COMPONENTS[name])]:
        result = unicorn_call(plain_client, name, method)
        assert result.status_code == 403, (name, method)
        assert "dom" not in result.json


def _raw_message(user: Any, name: str, method: str | None, component_id: str) -> Any:
    """Bypass the portal's gate and call django-unicorn's own view: the components must
    refuse by themselves (defence in depth)."""
    import time

    from django_unicorn.utils import generate_checksum

    data: dict[str, Any] = {}
    body = {
        "id": component_id,
        "data": data,
        "meta": f"{generate_checksum(data)}::{int(time.time() * 1000)}",
        "actionQueue": [{"type": "callMethod", "payload": {"name": method}}] if method else [],
    }
    import json

    request = RequestFactory().post(
        f"/unicorn/message/{name}", data=json.dumps(body), content_type="application/json"
    )
    request.user = user
    request._dont_enforce_csrf_checks = True
    from django.contrib.sessions.backends.cache import SessionStore

    request.session = SessionStore()
    return unicorn_views.message(request, component_name=name)


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_components_refuse_non_staff_even_without_the_gate(
    name: str, plain_user: Any, staff_user: Any, superuser: Any
) -> None:
    for user in (AnonymousUser(), plain_user):
        for method in [None, "refresh", *_actions(COMPONENTS[name])]:
            try:
                response = _raw_message(user, name, method, f"fresh-{name}-{method}")
            except PermissionDenied:
                continue
            # django-unicorn's own login check answers anonymous users with 401
            assert response.status_code == 401, (name, method, user)
    # A component first built for staff (so it sits in the cache) still refuses others.
    owner = superuser if COMPONENTS[name]._superuser_only else staff_user
    component_id = f"cached-{name}"
    assert _raw_message(owner, name, None, component_id).status_code == 200
    for method in ["refresh", *_actions(COMPONENTS[name])]:
        with pytest.raises(PermissionDenied):
            _raw_message(plain_user, name, method, component_id)


def test_unknown_component_names_get_a_404_not_a_500(staff_client: Client) -> None:
    for name in ("base", "no-such-thing", "live_version.LiveVersionView.x"):
        result = unicorn_call(staff_client, name, "refresh")
        assert result.status_code == 404, name
