"""The inbox's plain pages: a file (image or PDF) a staff member sends from a conversation,
and the canned replies owners keep (a plain Django form)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from messaging import inbox
from messaging.exceptions import MessagingError
from messaging.models import CannedReply, Contact
from portal.access import permission_required
from portal.roles import Perm

# Read at most this much of an upload: the service checks the real limits by type.
READ_CAP = 100 * 1024 * 1024 + 1


@require_POST
@permission_required(Perm.REPLY_CONVERSATIONS)
def conversation_file(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=contact_id)
    back = reverse("portal:conversation", args=[contact.pk])
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an image or a PDF."))
        return HttpResponseRedirect(back)
    try:
        inbox.send_staff_file(
            contact,
            upload.read(READ_CAP),
            filename=(upload.name or "")[-200:],
            caption=request.POST.get("caption", ""),
            by=request.user,
        )
    except MessagingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File queued."))
    return HttpResponseRedirect(back)


if TYPE_CHECKING:  # ModelForm is generic for the type checker only
    _CannedReplyModelForm = forms.ModelForm[CannedReply]
else:
    _CannedReplyModelForm = forms.ModelForm


class CannedReplyForm(_CannedReplyModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "text_en", "text_es", "text_pt", "active"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3}) for name in ("text_en", "text_es", "text_pt")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(f"text_{code}") or "").strip() for code in CannedReply.LANGUAGES):
            raise forms.ValidationError(_("Write the text in at least one language."))
        return data


@permission_required(Perm.REPLY_CONVERSATIONS)
def canned_reply_list(request: HttpRequest) -> HttpResponse:
    context = {
        "section": "conversations",
        "title": _("Canned replies"),
        "replies": CannedReply.objects.all(),
    }
    return render(request, "portal/canned_replies.html", context)


@permission_required(Perm.MANAGE_CANNED_REPLIES)
def canned_reply_edit(request: HttpRequest, reply_id: int | None = None) -> HttpResponse:
    reply = get_object_or_404(CannedReply, pk=reply_id) if reply_id else CannedReply()
    form = CannedReplyForm(request.POST or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        inbox.save_canned_reply(form.save(commit=False), by=request.user)
        return HttpResponseRedirect(reverse("portal:canned-replies"))
    context: dict[str, Any] = {
        "section": "conversations",
        "title": reply.title if reply.pk else _("New canned reply"),
        "form": form,
        "reply": reply,
    }
    return render(request, "portal/canned_reply_form.html", context)
