"""The one NinjaAPI of the project: it mounts each app's router, authenticates every
operation (config/api_auth.py) and turns every failure into the one error schema,
`raffles.api.common.Error`: {"detail": "...", "code": "...", ...structured fields}.

Docs: /api/docs (Swagger UI served from ninja's static files, no CDN), /api/openapi.json.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.operation import Operation

from config.api_auth import ApiAuthError, api_auth, enforce_roles
from messaging.api import router as messaging_router
from messaging.selectors import buyer_of_contact
from raffles.api import router as raffles_router
from raffles.api.draws import router as draws_router
from raffles.api.early_draws import router as early_draws_router
from raffles.api.orders import resolve_contacts_with
from raffles.api.pricing import router as pricing_router
from raffles.exceptions import RaffleError

logger = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "throttled",
}
MAX_DETAIL_ERRORS = 5

DESCRIPTION = """\
Raffles, availability, orders and payments, contacts and messages.

**Auth**: `Authorization: Bearer <API key>` (or `X-API-Key: <API key>`); staff sessions work
too (send `X-CSRFToken` on writes). Read-only keys get 403 on writes. **Roles**: a key acts
with its own role (owner, reviewer, seller, viewer), a session with the user's; an operation
the role does not allow gets 403 `role_refused` (docs/roles.md).
**Pagination**: `?page=1&page_size=50` (at most 500) → `{"items", "count", "page", "page_size"}`.
**Errors**: always `{"detail": "...", "code": "...", ...}`; `invalid` (400/422) lists the bad
fields in `errors`. **Throttling**: 429 with `Retry-After` past the key's rate.
See docs/api.md.
"""


class RaffleAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        """The API authenticates itself: exempt it from LoginRequiredMiddleware (which would
        redirect integrators to the portal's login page)."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            assert pattern.callback is not None  # every route of the API has a view
            login_not_required(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = RaffleAPI(
    title="Raffle Backoffice API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=api_auth,
    # Swagger UI from ninja's static files ("ninja" is in INSTALLED_APPS), never a CDN;
    # no validator badge (it would send the schema's address to validator.swagger.io).
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
api.add_router("/", raffles_router)
api.add_router("/", draws_router)
api.add_router("/", early_draws_router)
api.add_router("/", pricing_router)
api.add_router("/", messaging_router)
# Each operation needs the permission portal.roles.API_PERMISSIONS names for it.
OPERATION_IDS = enforce_roles(api)
# `/api/orders/?contact=`: raffles knows buyers, messaging knows which buyer a contact is.
resolve_contacts_with(buyer_of_contact)


def error_response(
    request: HttpRequest, status: int, detail: str, code: str, **fields: Any
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **fields}, status=status)


@api.exception_handler(RaffleError)
def on_raffle_error(request: HttpRequest, exc: RaffleError) -> HttpResponse:
    return api.create_response(request, exc.to_dict(), status=exc.http_status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    summary = "; ".join(
        f"{'.'.join(map(str, e['loc'][1:] or e['loc']))}: {e['msg']}"
        for e in errors[:MAX_DETAIL_ERRORS]
    )
    return error_response(request, 422, f"Invalid input: {summary}", "invalid", errors=errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    code = exc.code if isinstance(exc, ApiAuthError) else HTTP_ERROR_CODES.get(status, "error")
    detail = str(exc)
    fields: dict[str, Any] = {}
    if status == 401 and not isinstance(exc, ApiAuthError):
        detail = "Send an API key (Authorization: Bearer <key>) or log in as staff"
    if isinstance(exc, Throttled) and exc.wait:
        fields["retry_after"] = exc.wait
        detail = f"Too many requests: retry in {exc.wait} s"
    response = error_response(request, status, detail, code, **fields)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return error_response(
        request, 413, f"The request body is larger than {limit:g} MB", "too_large"
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, str(exc) or "Not found", "not_found")


@csrf_exempt
@login_not_required
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything under /api/ that no operation matches: the API's JSON 404, not the site's
    HTML page (mounted after the API's own URLs in config/urls.py)."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}", "code": "not_found"}, status=404
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(request, 500, "Internal server error", "server_error")
