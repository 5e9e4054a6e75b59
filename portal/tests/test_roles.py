"""Roles: every portal URL, export, unicorn component action and API operation, for each role
(owner, reviewer, seller, viewer). The expected tables are written out here, apart from
`portal.roles`, so that a change of the rules shows up as a failing row."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from messaging.models import Contact
from portal import accounts
from portal.models import StaffRole
from portal.roles import Perm, Role, role_of
from portal.tests.conftest import make_staff, unicorn_call
from portal.tests.test_access import COMPONENTS, _actions, _raw_message
from raffles import services

pytestmark = pytest.mark.django_db

O, R, S, V = "owner", "reviewer", "seller", "viewer"  # noqa: E741
ALL = {O, R, S, V}
READERS = {O, R, V}  # may read every order, payment and conversation

# URL name → roles that get the page (200); the others get 403.
PAGES: dict[str, set[str]] = {
    "dashboard": ALL,
    "raffles": ALL,
    "raffle-new": {O},
    "raffle": ALL,
    "raffle-edit": {O},
    "tickets": ALL,
    "export-sold": READERS,
    "review": READERS,
    "raffle-payments": {O},
    "raffle-prices": {O},
    "statements": READERS,
    "statement-mapping": {O, R},  # POST only (test_payment_pages)
    "statement-line": {O, R},  # POST only (test_payment_pages)
    "link-payments": READERS,
    "link-payment-handled": {O, R},  # POST only (test_link_payments)
    "proof-file": READERS,
    "orders": ALL,
    "export-orders": READERS,
    "order": READERS,  # a seller gets 404 for an order somebody else sold
    "own-order": ALL,
    "order-receipt": READERS,  # likewise
    "own-receipt": ALL,
    "conversations": READERS,
    "conversation": READERS,
    "outbox": READERS,
    "canned-replies": {O, R},
    "canned-reply-new": {O},
    "faqs": ALL,
    "faq-new": {O},
    "simulator": {O},
    "staff": {O},
    "api-keys": {O},
    "account": ALL,
    "templates": ALL,
    "raffle-photo": {O},
    "raffle-claims": READERS,
    "audit": {O},  # who did what and from which address: the owner's oversight
    "export-audit": {O},
    "raffle-sales": READERS,  # the raffle's money; a seller sees her own sales only
    "raffle-sellers": READERS,  # the leaderboard; a seller sees her own page only
    "export-commissions": READERS,
    "my-sales": {O, S},
}

# Component → roles allowed to show it (None) and to call each action.
COMPONENT_ACTIONS: dict[str, dict[str | None, set[str]]] = {
    "api-keys": {None: {O}, "ask_revoke": {O}, "create": {O}, "hide_key": {O}, "keep": {O}}
    | {"revoke": {O}},
    "conversation": {None: READERS, "pause": {O, R}, "reply": {O, R}, "resume": {O, R}}
    | {"retry": {O, R}, "assign": {O, R}, "assign_me": {O, R}, "note": {O, R}}
    | {"resolve": {O, R}, "reopen": {O, R}, "send_template": {O, R}},
    "conversation-list": {None: READERS},
    "dashboard": {None: ALL},
    "draw-panel": {None: ALL, "draw": {O}, "freeze": {O}, "verify": ALL},
    "draw-setup": {None: ALL, "save_setup": {O}, "announce_early": {O}, "draw_early": {O}},
    "live-version": {None: ALL, "check": ALL},
    "order-detail": {None: ALL, "ask_cancel": {O, R}, "cancel": {O, R}, "confirm": {O, R}}
    | {"keep": {O, R}, "reject": {O, R}}
    | {"ask": {O, R}, "undo": {O, R}, "cancel_paid": {O, R}, "refund": {O, R}},
    "order-list": {None: ALL, "clear": ALL, "go": ALL},
    "outbox": {None: READERS, "resend": {O, R}, "show": READERS},
    "raffle-form": {None: {O}, "save": {O}},
    "raffle-list": {None: ALL, "go": ALL, "tick": ALL},
    "raffle-panel": {None: ALL, "activate": {O}, "close": {O}, "generate": {O}, "tick": ALL}
    | {"ask": {O}, "archive": {O}, "restore": {O}, "delete": {O}},
    "review-badge": {None: READERS},
    "review-queue": {None: READERS, "confirm": {O, R}, "reject": {O, R}, "select": READERS}
    | {"skip": READERS, "undo": {O, R}},
    "simulator": {None: {O}, "new_buyer": {O}, "send": {O}, "tap": {O}},
    "staff-accounts": {
        None: {O},
        **{
            action: {O}
            for action in (
                "choose_password",
                "create",
                "save_password",
                "set_role",
                "toggle_active",
                "toggle_staff",
                "toggle_superuser",
            )
        },
    },
    "ticket-detail": {None: ALL, "clear": ALL, "show": ALL},
    "ticket-grid": {None: ALL, "go": ALL, "jump_to": ALL, "next": ALL, "previous": ALL},
    "ticket-sale": {None: ALL, "sell": {O, S}, "pick_random": {O, S}, "send_receipt": {O, S}}
    | {"confirm_held": {O, R}, "release_held": {O, R}, "block": {O}, "unblock": {O}},
    "waiting-badge": {None: READERS, "refresh_count": READERS},
}


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    return {role: make_staff(f"{role}-user", role) for role in (O, R, S, V)}


@pytest.fixture
def clients(people: dict[str, Any]) -> dict[str, Client]:
    found = {}
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        found[role] = client
    return found


@pytest.fixture
def setting(raffle: Any, buyer: Any, people: dict[str, Any]) -> dict[str, Any]:
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    services.attach_payment_proof(order, content=b"%PDF-1.4 proof", mime_type="application/pdf")
    sold = services.reserve_specific(raffle.pk, [3], buyer, by=people[S])
    contact = Contact.objects.create(wa_id="5215511112222", profile_name="Ana")
    return {"raffle": raffle, "order": order, "sold": sold, "contact": contact}


def _urls(setting: dict[str, Any]) -> dict[str, str]:
    raffle, order = setting["raffle"], setting["order"]
    urls = {
        name: reverse(f"portal:{name}")
        for name in (
            *("dashboard", "raffles", "raffle-new", "review", "orders", "export-orders"),
            "statements",
            "link-payments",
            *("conversations", "outbox", "faqs", "faq-new", "simulator", "staff", "api-keys"),
            *("audit", "export-audit"),
            *("canned-replies", "canned-reply-new"),
        )
    }
    urls["account"] = reverse("portal:account")
    urls["templates"] = reverse("portal:templates")
    urls["my-sales"] = reverse("portal:my-sales")
    for name in (
        "raffle",
        "raffle-edit",
        "tickets",
        "export-sold",
        "raffle-photo",
        "raffle-claims",
        "raffle-sales",
        "raffle-payments",
        "raffle-sellers",
        "export-commissions",
    ):
        urls[name] = reverse(f"portal:{name}", args=[raffle.pk])
    urls["order"] = reverse("portal:order", args=[order.code])
    urls["own-order"] = reverse("portal:order", args=[setting["sold"].code])
    urls["order-receipt"] = reverse("portal:order-receipt", args=[order.code])
    urls["own-receipt"] = reverse("portal:order-receipt", args=[setting["sold"].code])
    urls["conversation"] = reverse("portal:conversation", args=[setting["contact"].pk])
    urls["proof-file"] = reverse("portal:proof-file", args=[order.proofs.first().pk])
    return urls


def test_every_portal_url_is_in_the_table(setting: dict[str, Any]) -> None:
    from portal.urls import urlpatterns

    named = {p.name for p in urlpatterns} - {"login", "logout", "simulator-upload"}
    named -= {"conversation-file", "canned-reply-edit"}  # tested on their own (test_inbox_roles)
    # faq-edit: covered by faq-new (the same view); raffle-photo-file: any staff member
    # (staff_required), 404 while the raffle has no photo.
    covered = {"faq-edit", "raffle-photo-file"}
    assert named - covered <= set(PAGES), named - set(PAGES)


@pytest.mark.parametrize("role", [O, R, S, V])
def test_pages_and_exports_by_role(role: str, clients: dict[str, Client], setting: Any) -> None:
    client = clients[role]
    for name, url in _urls(setting).items():
        status = client.get(url).status_code
        if role in PAGES[name]:
            assert status == 200, (role, name, status)
        elif role == S and name in ("order", "order-receipt"):
            assert status == 404, (role, name, status)  # not hers: as if it did not exist
        else:
            assert status == 403, (role, name, status)


@pytest.mark.parametrize("role", [O, R, S, V])
def test_simulator_upload_is_for_owners(role: str, clients: dict[str, Client]) -> None:
    status = clients[role].post(reverse("portal:simulator-upload")).status_code
    assert (status != 403) if role == O else (status == 403), (role, status)


def test_every_component_action_is_in_the_table() -> None:
    for name, cls in COMPONENTS.items():
        assert name in COMPONENT_ACTIONS, name
        assert set(_actions(cls)) == set(COMPONENT_ACTIONS[name]) - {None}, name


def test_every_action_declares_its_permission() -> None:
    """No action falls back to "owners only" by forgetting to say what it needs."""
    from portal.components.base import PASSIVE

    for name, cls in COMPONENTS.items():
        assert isinstance(cls._permission, Perm), name
        for action in _actions(cls):
            if action in PASSIVE:
                continue
            assert isinstance(getattr(getattr(cls, action), "__permission__", None), Perm), (
                name,
                action,
            )


@pytest.mark.parametrize("name", sorted(COMPONENT_ACTIONS))
def test_component_actions_by_role(
    name: str, clients: dict[str, Client], setting: dict[str, Any]
) -> None:
    data = {
        "order-detail": {"order_id": setting["order"].pk},
        "conversation": {"contact_id": setting["contact"].pk},
        "ticket-grid": {"raffle_id": setting["raffle"].pk},
        "ticket-detail": {"raffle_id": setting["raffle"].pk},
        "ticket-sale": {"raffle_id": setting["raffle"].pk},
        "raffle-panel": {"raffle_id": setting["raffle"].pk},
        "draw-panel": {"raffle_id": setting["raffle"].pk},
        "draw-setup": {"raffle_id": setting["raffle"].pk},
    }.get(name, {})
    for role, client in clients.items():
        for action, allowed in COMPONENT_ACTIONS[name].items():
            result = unicorn_call(client, name, action, data)
            if role in allowed and role in COMPONENT_ACTIONS[name][None]:
                assert result.status_code == 200, (name, action, role, result.status_code)
            else:
                assert result.status_code == 403, (name, action, role, result.status_code)
                assert "dom" not in result.json


@pytest.mark.parametrize("role", [R, S, V])
def test_setters_and_special_actions_need_the_component_permission(
    role: str, clients: dict[str, Client]
) -> None:
    """`name=value` setters and `$toggle`/`$refresh` are refused where the component is."""
    client = clients[role]
    for call in ("username='x'", "$toggle('superuser')", "$refresh", "$parent.create"):
        assert unicorn_call(client, "staff-accounts", call).status_code == 403, (role, call)


def test_the_browser_cannot_change_a_component_permission(clients: dict[str, Client]) -> None:
    result = unicorn_call(clients[V], "raffle-form", "save", {"_permission": "portal.view"})
    assert result.status_code == 403
    result = unicorn_call(clients[V], "review-queue", "confirm", sync={"_permission": "x"})
    assert result.status_code == 403


def test_a_seller_sees_only_her_own_orders(clients: dict[str, Client], setting: Any) -> None:
    page = clients[S].get(reverse("portal:orders")).content.decode()
    assert setting["sold"].code in page
    assert setting["order"].code not in page
    everyone = clients[V].get(reverse("portal:orders")).content.decode()
    assert setting["sold"].code in everyone
    assert setting["order"].code in everyone
    # and no export link where the export is refused
    assert 'data-testid="export-orders"' not in page
    assert 'data-testid="export-orders"' in everyone


def test_the_nav_shows_only_what_the_role_opens(clients: dict[str, Client], setting: Any) -> None:
    for role, client in clients.items():
        html = client.get(reverse("portal:dashboard")).content.decode()
        page = html[html.index("<nav") : html.index("</nav>")]
        for name in ("review", "conversations", "outbox", "simulator", "staff", "api-keys"):
            link = f'href="{reverse(f"portal:{name}")}"'
            assert (link in page) == (role in PAGES[name]), (role, name)


def test_roles_superusers_and_defaults(people: dict[str, Any], plain_user: Any) -> None:
    boss = get_user_model().objects.create_user("root", is_staff=True, is_superuser=True)
    assert role_of(boss) == Role.OWNER  # whatever row it has
    bare = get_user_model().objects.create_user("bare", is_staff=True)
    assert role_of(bare) == Role.VIEWER  # no role row: read only
    assert role_of(plain_user) == ""
    for role, user in people.items():
        assert role_of(user) == role


def test_an_owner_sets_roles_from_the_staff_page(
    clients: dict[str, Client], people: dict[str, Any]
) -> None:
    target = people[V]
    result = unicorn_call(clients[O], "staff-accounts", f"set_role({target.pk}, 'reviewer')")
    assert result.status_code == 200
    assert StaffRole.objects.get(user=target).role == Role.REVIEWER
    assert "reviewer" in result.dom.lower()
    refused = unicorn_call(clients[R], "staff-accounts", f"set_role({target.pk}, 'owner')")
    assert refused.status_code == 403
    assert StaffRole.objects.get(user=target).role == Role.REVIEWER
    bad = unicorn_call(clients[O], "staff-accounts", f"set_role({target.pk}, 'king')")
    assert bad.status_code == 200
    assert StaffRole.objects.get(user=target).role == Role.REVIEWER


def test_new_staff_accounts_get_the_chosen_role(people: dict[str, Any]) -> None:
    user = accounts.create_staff_user(
        username="newseller", password="a-Long-pass-987", role="seller", by=people[O]
    )
    assert role_of(user) == Role.SELLER


@pytest.mark.parametrize(
    ("name", "action", "role"),
    [
        ("raffle-form", "save", V),
        ("review-queue", "confirm", V),
        ("review-queue", "confirm", S),
        ("staff-accounts", "create", R),
        ("simulator", "send", R),
        ("conversation", "reply", V),
    ],
)
def test_components_refuse_roles_even_without_the_gate(
    name: str, action: str, role: str, people: dict[str, Any]
) -> None:
    """django-unicorn's own view, without the portal's gate: the component refuses too."""
    with pytest.raises(PermissionDenied):
        _raw_message(people[role], name, action, f"raw-{name}-{action}-{role}")
    # a component built for an owner (so it sits in the cache) still refuses the call
    component_id = f"cached-{name}-{role}"
    assert _raw_message(people[O], name, None, component_id).status_code == 200
    with pytest.raises(PermissionDenied):
        _raw_message(people[role], name, action, component_id)


def test_buttons_of_refused_actions_are_not_shown(clients: dict[str, Client], setting: Any) -> None:
    data = {"order_id": setting["order"].pk}
    viewer = unicorn_call(clients[V], "order-detail", "refresh", data).dom
    reviewer = unicorn_call(clients[R], "order-detail", "refresh", data).dom
    assert 'data-testid="order-reject"' in reviewer
    assert 'data-testid="order-reject"' not in viewer
    chat = {"contact_id": setting["contact"].pk}
    assert 'data-testid="pause"' in unicorn_call(clients[R], "conversation", "refresh", chat).dom
    assert (
        'data-testid="pause"' not in unicorn_call(clients[V], "conversation", "refresh", chat).dom
    )
    page = clients[V].get(reverse("portal:review")).content.decode()
    assert 'data-testid="confirm"' not in page
    assert 'data-testid="confirm"' in clients[R].get(reverse("portal:review")).content.decode()


def test_a_seller_sees_the_buyer_of_a_number_only_when_she_sold_it(
    clients: dict[str, Client], setting: Any
) -> None:
    data = {"raffle_id": setting["raffle"].pk}
    other = unicorn_call(clients[S], "ticket-detail", "show(1)", data).dom
    assert "order-hidden" in other
    assert setting["order"].code not in other
    assert "Ana" not in other
    own = unicorn_call(clients[S], "ticket-detail", "show(3)", data).dom
    assert setting["sold"].code in own
    viewer = unicorn_call(clients[V], "ticket-detail", "show(1)", data).dom
    assert setting["order"].code in viewer


def test_portal_js_calls_are_left_out_too(people: dict[str, Any]) -> None:
    from portal.components.conversation import ConversationView

    html = '<p>x</p><button id="s" data-call="conversation:reply" data-arg="#t">Send</button>'
    assert ConversationView._without_refused_actions(html, people[V]) == "<p>x</p>"
    assert ConversationView._without_refused_actions(html, people[R]) == html
