"""Payment proofs, streamed from private storage to staff only. Proofs never have a public
URL: the storage's base URL is not served, and this view checks staff access first."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from portal.access import permission_required
from portal.roles import Perm
from raffles.models import PaymentProof

# Only these are shown inline; anything else is downloaded as an opaque file.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


@require_GET
@permission_required(Perm.VIEW_PAYMENTS)
@xframe_options_sameorigin  # the review page embeds PDFs in an <iframe>
def proof_file(request: HttpRequest, proof_id: int) -> FileResponse:
    proof = get_object_or_404(PaymentProof.objects.select_related("order"), pk=proof_id)
    try:
        handle = proof.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The proof file is missing from storage") from None
    inline = proof.mime_type in INLINE_TYPES
    name = f"proof-{proof.order.code}-{proof.pk}." + (
        (proof.file.name or "").rsplit(".", 1)[-1] or "bin"
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=proof.mime_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if proof.mime_type != "application/pdf":  # Chromium's PDF viewer needs plugins
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
