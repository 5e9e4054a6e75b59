"""Forms of the portal's plain (non-unicorn) pages."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging.models import FaqEntry
from portal import throttle
from raffles.models import ClaimStatus


class StaffAuthenticationForm(AuthenticationForm):
    """Django's login form that only lets active staff users in, and refuses to check any
    password for a username or client address with too many recent failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": gettext_lazy("This account has no access to the staff portal."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request) if self.request is not None else "unknown"
        wait = throttle.login_retry_after(username, ip)
        if wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            raise ValidationError(
                _("Too many failed sign-ins. Try again in %(minutes)d minutes.")
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError as exc:
            if any(e.code == "invalid_login" for e in exc.error_list):
                throttle.login_failed(username, ip)
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")

    @property
    def throttled(self) -> bool:
        return any(e.code == "throttled" for e in self.non_field_errors().as_data())


if TYPE_CHECKING:  # ModelForm is generic for the type checker only
    _FaqEntryModelForm = forms.ModelForm[FaqEntry]
else:
    _FaqEntryModelForm = forms.ModelForm


class FaqEntryForm(_FaqEntryModelForm):
    """A question the bot answers: keywords (one phrase per line or comma) and answers per
    language. At least one keyword and one answer."""

    class Meta:
        model = FaqEntry
        fields = [
            "question",
            "keywords_en",
            "keywords_es",
            "keywords_pt",
            "answer_en",
            "answer_es",
            "answer_pt",
            "active",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("keywords_en", "keywords_es", "keywords_pt")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(f"keywords_{code}") or "").strip() for code in FaqEntry.LANGUAGES):
            raise ValidationError(_("Give at least one keyword."))
        if not any((data.get(f"answer_{code}") or "").strip() for code in FaqEntry.LANGUAGES):
            raise ValidationError(_("Give the answer in at least one language."))
        return data


class PrizePhotoForm(forms.Form):
    """A raffle's prize photo: a JPEG, PNG or WebP image (checked by
    `services.set_prize_photo`), or removing the one it has."""

    photo = forms.FileField(label=gettext_lazy("Prize photo"), required=False)
    remove = forms.BooleanField(label=gettext_lazy("Remove the photo"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("photo") and not data.get("remove"):
            raise ValidationError(_("Choose a photo, or tick “Remove the photo”."))
        return data


class ClaimUpdateForm(forms.Form):
    """Staff move a prize claim on and keep a note."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ClaimStatus.choices)
    note = forms.CharField(
        label=gettext_lazy("Staff note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
