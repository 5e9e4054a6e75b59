"""The audit log page's filter form and how one row reads (who, what, on what, from where)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from raffles.audit import EventKind
from raffles.models import OrderEvent, Raffle
from raffles.selectors_audit import AuditFilter


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Everyone"),
    )
    kind = forms.ChoiceField(label=_("Action"), required=False)
    raffle = forms.ModelChoiceField(
        label=_("Raffle"),
        queryset=Raffle.objects.none(),
        required=False,
        empty_label=_("Every raffle"),
    )
    since = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = get_user_model().objects.filter(is_staff=True).order_by("username")
        raffle_field = self.fields["raffle"]
        assert isinstance(raffle_field, forms.ModelChoiceField)
        raffle_field.queryset = Raffle.objects.order_by("-id")
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kinds = sorted(EventKind.choices, key=lambda choice: str(choice[1]))
        kind_field.choices = [("", _("Every action")), *kinds]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilter:
        """The filters of a valid form (an invalid one filters nothing)."""
        if not self.is_valid():
            return AuditFilter()
        data = self.cleaned_data
        return AuditFilter(
            user_id=data["user"].pk if data.get("user") else None,
            kind=data.get("kind") or "",
            raffle_id=data["raffle"].pk if data.get("raffle") else None,
            since=data.get("since"),
            until=data.get("until"),
        )


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class AuditRow:
    event: OrderEvent
    who: str
    what: str
    targets: tuple[Link, ...]
    ip: str
    user_agent: str


def actor_name(actor_type: str, label: str, username: str | None) -> str:
    """Who did it, as the log shows it: the staff member's username, or the API key's name."""
    if actor_type == OrderEvent.Actor.API:
        return gettext("API key: %(name)s") % {"name": label}
    return username or label


def who(event: OrderEvent) -> str:
    user = event.actor_user
    return actor_name(event.actor_type, event.actor_label, user.get_username() if user else None)


def targets(event: OrderEvent) -> tuple[Link, ...]:
    links = []
    if event.order is not None:
        links.append(
            Link(
                gettext("Order %(code)s") % {"code": event.order.code},
                reverse("portal:order", args=[event.order.code]),
            )
        )
    if event.raffle is not None:
        links.append(Link(event.raffle.title, reverse("portal:raffle", args=[event.raffle.pk])))
    contact = (event.details or {}).get("contact")
    if isinstance(contact, int):
        links.append(
            Link(
                gettext("Contact %(id)s") % {"id": contact},
                reverse("portal:conversation", args=[contact]),
            )
        )
    return tuple(links)


def audit_row(event: OrderEvent) -> AuditRow:
    origin = (event.details or {}).get("origin") or {}
    return AuditRow(
        event=event,
        who=who(event),
        what=str(event.get_kind_display()),
        targets=targets(event),
        ip=str(origin.get("ip", "")),
        user_agent=str(origin.get("user_agent", "")),
    )
