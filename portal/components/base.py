"""StaffComponent: the base of every portal component.

It refuses anyone but active staff whose role allows it (`portal.roles`) on every entry
point django-unicorn has. A component names the permission needed to show it
(`_permission`, also checked for model syncs, setters and the live pollers `refresh`, `tick`
and `check`); each other action declares its own with `@requires(Perm.…)`. An action that
declares nothing is for owners only. The checks run:

* `mount()` (first render inside a page) and every public method of a subclass are wrapped
  by `__init_subclass__`, so a new action cannot forget the check;
* `pre_parse()` runs before the browser's data is applied on every message (so setters,
  `$refresh`, `$toggle` and model syncs are covered too);
* `calling()` runs before each method call.

Actions also turn errors into readable messages: domain and channel errors
(`RaffleError`, `MessagingError`) are shown next to what caused them (`field_errors` when
the error names a field, `error` otherwise); anything unexpected is logged and shown as a
short message instead of ending in a 500.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_unicorn.components import UnicornView

from portal.access import check_portal_user
from portal.roles import Perm, Role, role_of, user_can
from raffles.exceptions import RaffleError

logger = logging.getLogger(__name__)

# Lifecycle hooks django-unicorn calls itself; they are not actions.
_HOOKS = {
    "hydrate",
    "complete",
    "rendered",
    "parent_rendered",
    "updating",
    "updated",
    "resolved",
    "calling",
    "called",
    "pre_parse",
    "post_parse",
    "get_context_data",
    "render",
    "dispatch",
    "setup",
}
_HOOK_PREFIXES = ("updating_", "updated_", "resolved_")

# Calls made by pollers, not by a person: they keep the last action's messages.
PASSIVE = frozenset({"refresh", "tick", "check"})

# A button or link that calls a component action (`unicorn:click`, or portal.js's
# `data-call="component:action"`): removed from the page for a role that may
# not call it (the call would be refused anyway).
_ACTION_ELEMENT = re.compile(
    r"<(button|a)\b[^>]*?\b(?:unicorn:click(?:\.[\w.]+)?=\"|data-call=\"[\w-]+:)"
    r"([^\"(]+)[^\"]*\"[^>]*>.*?</\1>",
    re.DOTALL,
)

UNEXPECTED = gettext_lazy("Something went wrong and it was logged. Reload the page and try again.")


def _error_classes() -> tuple[type[Exception], ...]:
    classes: list[type[Exception]] = [RaffleError]
    try:
        from messaging.exceptions import MessagingError
    except ImportError:  # pragma: no cover - the channel is always installed
        pass
    else:
        classes.append(MessagingError)
    return tuple(classes)


KNOWN_ERRORS = _error_classes()


def requires[F: Callable[..., Any]](permission: Perm) -> Callable[[F], F]:
    """Declare the permission a component action needs."""

    def mark(func: F) -> F:
        func.__permission__ = permission  # type: ignore[attr-defined]
        return func

    return mark


def _guarded(func: Callable[..., Any], *, is_mount: bool) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(self: StaffComponent, *args: Any, **kwargs: Any) -> Any:
        self._require_staff()
        self._require(self._action_permission("mount" if is_mount else func.__name__))
        if is_mount:
            return func(self, *args, **kwargs)
        if func.__name__ not in PASSIVE:  # a live refresh keeps the messages on screen
            self.error = ""
            self.field_errors = {}
        try:
            return func(self, *args, **kwargs)
        except PermissionDenied:
            raise
        except KNOWN_ERRORS as exc:
            self._show_error(exc)
        except ObjectDoesNotExist:
            self.error = _("That record no longer exists. Reload the page.")
        except Exception:
            logger.exception("portal action %s.%s failed", type(self).__name__, func.__name__)
            self.error = str(UNEXPECTED)
        return None

    # Marker attributes on the function object, which mypy does not model.
    wrapper.__staff_guarded__ = True  # type: ignore[attr-defined]
    if hasattr(func, "__permission__"):
        wrapper.__permission__ = func.__permission__  # type: ignore[attr-defined]
    return wrapper


MISSING_TEMPLATE = "portal/component_missing.html"


def _tolerant_context(func: Callable[..., Any]) -> Callable[..., Any]:
    """A record shown by the component was deleted (or the browser sent an id that does not
    exist): render a short notice instead of failing."""

    @functools.wraps(func)
    def wrapper(self: StaffComponent, **kwargs: Any) -> Any:
        try:
            return func(self, **kwargs)
        except ObjectDoesNotExist:
            self.template_name = MISSING_TEMPLATE
            return UnicornView.get_context_data(self, **kwargs)

    return wrapper


# django_unicorn ships no type information: UnicornView is Any to mypy.
class StaffComponent(UnicornView):  # type: ignore[misc]
    """Base class of every portal component: active staff only, errors shown inline."""

    error: str = ""
    field_errors: dict[str, str] = {}

    # Private (leading underscore): django-unicorn never lets the browser set it.
    _superuser_only = False
    # What showing the component needs (mount, render, model syncs, live refreshes). Read
    # from the class, never the instance: nothing the browser sends can change it.
    _permission: Perm = Perm.VIEW

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error = ""
        self.field_errors = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not inspect.isfunction(value) or getattr(value, "__staff_guarded__", False):
                continue
            if name == "mount":
                setattr(cls, name, _guarded(value, is_mount=True))
            elif (
                not name.startswith("_")
                and name not in _HOOKS
                and not name.startswith(_HOOK_PREFIXES)
            ):
                setattr(cls, name, _guarded(value, is_mount=False))
        if "get_context_data" in vars(cls):
            # Wrapping the subclass's own method in place is the point of this hook.
            cls.get_context_data = _tolerant_context(vars(cls)["get_context_data"])  # type: ignore[method-assign]
        if "mount" not in vars(cls):
            cls.mount = _guarded(StaffComponent._mount_default, is_mount=True)

    def _mount_default(self) -> None:
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Typed pass-through: django_unicorn's own method is untyped.
        context: dict[str, Any] = super().get_context_data(**kwargs)
        return context

    # -- access -------------------------------------------------------------------------
    @classmethod
    def _action_permission(cls, name: str) -> Perm | None:
        """What calling `name` needs: its declared permission; the component's own for
        mount and the pollers; None (owners only) for an action that declared nothing."""
        if name == "mount" or name in PASSIVE:
            return cls._permission
        method = getattr(cls, name, None)
        return getattr(method, "__permission__", None) if callable(method) else None

    def _require(self, permission: Perm | None) -> None:
        check_portal_user(
            getattr(self.request, "user", None),
            superuser=self._superuser_only,
            permission=permission,
        )

    def _require_staff(self) -> None:
        self._require(type(self)._permission)

    def pre_parse(self) -> None:
        self._require_staff()
        super().pre_parse()

    def calling(self, name: str, args: Any) -> None:
        self._require_staff()
        if not name.startswith("$"):
            self._require(self._action_permission(name))
        super().calling(name, args)

    # -- errors -------------------------------------------------------------------------
    def _show_error(self, exc: Exception, *, field: str | None = None) -> None:
        message = getattr(exc, "message", "") or str(exc)
        field = field or (getattr(exc, "fields", {}) or {}).get("field")
        if field:
            self.field_errors = {**self.field_errors, field: message}
        else:
            self.error = message

    def render(self, *args: Any, **kwargs: Any) -> str:
        html: str = super().render(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if role_of(user) in ("", Role.OWNER):
            return html  # owners may do everything; others never got this far
        return self._without_refused_actions(html, user)

    @classmethod
    def _without_refused_actions(cls, html: str, user: Any) -> str:
        """Drop the buttons whose action the user's role may not call."""

        def keep(match: re.Match[str]) -> str:
            action = match.group(2).strip()
            if action.startswith("$"):
                return match.group(0)
            allowed = user_can(user, cls._action_permission(action))
            return match.group(0) if allowed else ""

        return _ACTION_ELEMENT.sub(keep, html)

    def refresh(self) -> None:
        """Re-render with fresh data (called by the `live-version` poller)."""
        return None


# The base class's own action gets the same guard as a subclass's (replaced in place).
StaffComponent.refresh = _guarded(StaffComponent.refresh, is_mount=False)  # type: ignore[method-assign]


def redirect_to(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url)
