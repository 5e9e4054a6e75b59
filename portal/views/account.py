"""My account: the staff member's own language and time zone (a plain Django form)."""

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

from portal.access import staff_required
from portal.middleware import remember
from portal.models import StaffPreferences

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


@staff_required
def account(request: HttpRequest) -> HttpResponse:
    user_id = int(request.user.pk or 0)
    prefs = StaffPreferences.objects.filter(user_id=user_id).first() or StaffPreferences(
        user_id=user_id
    )
    form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        remember(request, saved)
        if saved.language:
            translation.activate(saved.language)
        messages.success(request, _("Your preferences are saved."))
        return HttpResponseRedirect(reverse("portal:account"))
    context = {"section": "account", "title": _("My account"), "form": form}
    return render(request, "portal/account.html", context)
