"""The WhatsApp message templates page: every notification template in every language, and
which ones are missing (not translated) or not approved yet (staff only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from messaging.bot import message_templates as mt
from portal.access import staff_required


@staff_required
def template_list(request: HttpRequest) -> HttpResponse:
    rendered = mt.catalog()
    rows: list[dict[str, Any]] = []
    for definition in mt.DEFINITIONS:
        cells = [r for r in rendered if r.definition is definition]
        rows.append({"definition": definition, "cells": cells})
    missing = [r for r in rendered if not r.approved or not r.translated]
    context = {
        "section": "templates",
        "title": _("Message templates"),
        "rows": rows,
        "languages": list(mt.META_LANGUAGES.values()),
        "total": len(rendered),
        "missing": missing,
        "generic": settings.WHATSAPP_TEMPLATE_NAME,
    }
    return render(request, "portal/message_templates.html", context)
