"""My account: the staff member's own language and time zone (a plain Django form), and for
reviewers their WhatsApp number for approvals from WhatsApp (`messaging.staff_approvals`)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging import staff_approvals
from messaging.models import StaffNumber
from portal.access import staff_required
from portal.middleware import remember
from portal.models import StaffPreferences
from portal.roles import Perm, user_can

if TYPE_CHECKING:  # ModelForm is generic for the type checker only
    _PreferencesModelForm = forms.ModelForm[StaffPreferences]
else:
    _PreferencesModelForm = forms.ModelForm


@cache
def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


class PreferencesForm(_PreferencesModelForm):
    class Meta:
        model = StaffPreferences
        fields = ["language", "time_zone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("", gettext_lazy("The language of my browser")), *settings.LANGUAGES]
        self.fields["time_zone"] = forms.ChoiceField(
            label=gettext_lazy("Time zone"),
            required=False,
            choices=[
                ("", _("The organizer's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}),
                *_zones(),
            ],
            help_text=gettext_lazy("Dates and times in the portal are shown in this zone."),
        )


class WhatsAppForm(forms.Form):
    """A reviewer's own WhatsApp number (E.164) and whether she is on duty."""

    number = forms.CharField(
        label=gettext_lazy("My WhatsApp number"),
        required=False,
        max_length=24,
        help_text=gettext_lazy(
            "With the country code, e.g. +5511987654321. Payment proofs come to this number "
            "with Approve / Reject buttons. Empty: none."
        ),
    )
    on_duty = forms.BooleanField(
        label=gettext_lazy("On duty: send me payment proofs on WhatsApp"), required=False
    )

    def __init__(self, *args: Any, user_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id = user_id

    def clean_number(self) -> str:
        digits = staff_approvals.normalize_number(self.cleaned_data.get("number") or "")
        if digits and not 8 <= len(digits) <= 15:
            raise forms.ValidationError(
                _("Enter the number with its country code (8 to 15 digits).")
            )
        if (
            digits
            and StaffNumber.objects.filter(wa_id=digits).exclude(user_id=self.user_id).exists()
        ):
            raise forms.ValidationError(_("Another staff member registered this number."))
        return digits


def _whatsapp_form(request: HttpRequest, user_id: int) -> WhatsAppForm:
    row = StaffNumber.objects.filter(user_id=user_id).first()
    initial = {"number": f"+{row.wa_id}" if row else "", "on_duty": row.on_duty if row else True}
    data = request.POST if request.method == "POST" and "whatsapp" in request.POST else None
    return WhatsAppForm(data, initial=initial, user_id=user_id, prefix="wa")


@staff_required
def account(request: HttpRequest) -> HttpResponse:
    user_id = int(request.user.pk or 0)
    prefs = StaffPreferences.objects.filter(user_id=user_id).first() or StaffPreferences(
        user_id=user_id
    )
    reviewer = user_can(request.user, Perm.REVIEW_PAYMENTS)
    whatsapp = _whatsapp_form(request, user_id) if reviewer else None
    if whatsapp is not None and whatsapp.is_bound:
        if whatsapp.is_valid():
            staff_approvals.register_number(
                request.user,
                whatsapp.cleaned_data["number"],
                on_duty=whatsapp.cleaned_data["on_duty"],
            )
            messages.success(request, _("Your WhatsApp number is saved."))
            return HttpResponseRedirect(reverse("portal:account"))
        form = PreferencesForm(instance=prefs)
    else:
        form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_bound and form.is_valid():
        saved = form.save()
        remember(request, saved)
        if saved.language:
            translation.activate(saved.language)
        messages.success(request, _("Your preferences are saved."))
        return HttpResponseRedirect(reverse("portal:account"))
    context = {
        "section": "account",
        "title": _("My account"),
        "form": form,
        "whatsapp": whatsapp,
    }
    return render(request, "portal/account.html", context)
