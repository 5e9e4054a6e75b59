"""The simulator's file upload: a pretend buyer's payment proof (image or PDF)."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from messaging.channel.media import sniff
from messaging.exceptions import MessagingError
from portal import simulator
from portal.access import permission_required
from portal.numbers import format_integer
from portal.roles import Perm

logger = logging.getLogger(__name__)


@require_POST
@permission_required(Perm.USE_SIMULATOR)
def simulator_upload(request: HttpRequest) -> JsonResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose an image or a PDF.")}, status=400)
    cap = max(settings.WHATSAPP_MAX_IMAGE_BYTES, settings.WHATSAPP_MAX_DOCUMENT_BYTES)
    if (upload.size or 0) > cap:
        return JsonResponse(
            {"error": _("The file is larger than %(cap)s bytes.") % {"cap": format_integer(cap)}},
            status=400,
        )
    content = upload.read()
    mime_type = sniff(content[:16])
    if mime_type is None:
        return JsonResponse({"error": _("Only JPEG, PNG, WebP images and PDFs.")}, status=400)
    try:
        wa_id = simulator.clean_wa_id(request.POST.get("wa_id", ""))
        simulator.sandbox_only()
        media_id = simulator.register_media(content, mime_type, upload.name or "")
        payload = simulator.media_payload(
            wa_id,
            request.POST.get("name", "")[:200],
            media_id=media_id,
            mime_type=mime_type,
            sha256=hashlib.sha256(content).hexdigest(),
            filename=upload.name or "",
        )
        simulator.deliver(payload, host=request.get_host())
    except MessagingError as exc:
        return JsonResponse({"error": exc.message}, status=409)
    return JsonResponse({"ok": True, "media_id": media_id})
