"""FAQ entries: the answers staff give the bot for questions it has no built-in answer to
(a plain Django form; staff only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging import services
from messaging.models import FaqEntry
from portal.access import permission_required, staff_required
from portal.forms import FaqEntryForm
from portal.roles import Perm


@staff_required
def faq_list(request: HttpRequest) -> HttpResponse:
    context = {"section": "faqs", "title": _("FAQ"), "entries": FaqEntry.objects.all()}
    return render(request, "portal/faqs.html", context)


@permission_required(Perm.MANAGE_FAQ)
def faq_edit(request: HttpRequest, faq_id: int | None = None) -> HttpResponse:
    entry = get_object_or_404(FaqEntry, pk=faq_id) if faq_id else FaqEntry()
    form = FaqEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.save_faq_entry(form.save(commit=False), by=request.user)
        return HttpResponseRedirect(reverse("portal:faqs"))
    context: dict[str, Any] = {
        "section": "faqs",
        "title": entry.question if entry.pk else _("New FAQ entry"),
        "form": form,
        "entry": entry,
    }
    return render(request, "portal/faq_form.html", context)
