"""Staff accounts, managed by owners from the portal: each has a role (`portal.roles`).
Each change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils.translation import gettext as _

from portal.models import StaffRole
from portal.roles import Role
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput
from raffles.services import log_event

User = get_user_model()


def _check_password(password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None


def create_staff_user(
    *,
    username: str,
    password: str,
    email: str = "",
    superuser: bool = False,
    role: str = Role.VIEWER,
    by: Any,
) -> Any:
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("Choose a username"), field="username")
    field = User._meta.get_field(User.USERNAME_FIELD)
    assert isinstance(field, Field)  # the username is a concrete column, never a relation
    try:
        field.run_validators(username)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="username") from None
    max_length = field.max_length
    if max_length is not None and len(username) > max_length:
        raise InvalidInput(
            _("At most %(count)d characters") % {"count": max_length}, field="username"
        )
    if User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise InvalidInput(_("That username is taken"), field="username")
    email = (email or "").strip()
    if email:
        try:
            User._meta.get_field("email").run_validators(email)
        except ValidationError:
            raise InvalidInput(
                _("Enter a valid email address, or leave it empty"), field="email"
            ) from None
    role = Role.OWNER if superuser else _valid_role(role)
    candidate = User(username=username, email=email)
    _check_password(password, candidate)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password,
            is_staff=True,
            is_superuser=bool(superuser),
        )
        StaffRole.objects.create(user=user, role=role)
        log_event(
            kind=EventKind.STAFF_USER_CREATED,
            by=by,
            username=username,
            superuser=bool(superuser),
            role=str(role),
        )
    return user


def _change(user: Any, by: Any, kind: EventKind, **fields: Any) -> Any:
    if getattr(by, "pk", None) == user.pk:
        raise InvalidInput(_("You cannot change your own access here"), field=None)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**fields)
        log_event(kind=kind, by=by, username=user.get_username(), **fields)
    user.refresh_from_db()
    return user


def set_active(*, user: Any, active: bool, by: Any) -> Any:
    return _change(
        user,
        by,
        EventKind.STAFF_USER_ACTIVE if active else EventKind.STAFF_USER_DISABLED,
        is_active=active,
    )


def set_staff(*, user: Any, staff: bool, by: Any) -> Any:
    fields: dict[str, Any] = {"is_staff": staff}
    if not staff:
        fields["is_superuser"] = False
    return _change(user, by, EventKind.STAFF_ACCESS_CHANGED, **fields)


def set_superuser(*, user: Any, superuser: bool, by: Any) -> Any:
    fields: dict[str, Any] = {"is_superuser": superuser}
    if superuser:
        fields["is_staff"] = True
    return _change(user, by, EventKind.SUPERUSER_ACCESS_CHANGED, **fields)


def _valid_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput("Choose a role", field="role") from None


def set_role(*, user: Any, role: str, by: Any) -> Any:
    """Give a staff user a role (what it allows: `portal.roles`)."""
    new_role = _valid_role(role)
    if getattr(by, "pk", None) == user.pk:
        raise InvalidInput("You cannot change your own access here", field=None)
    with transaction.atomic():
        StaffRole.objects.update_or_create(user_id=user.pk, defaults={"role": new_role})
        log_event(
            kind=EventKind.STAFF_ACCESS_CHANGED,
            by=by,
            username=user.get_username(),
            role=str(new_role),
        )
    user.__dict__.pop("_portal_role", None)
    return user


def set_password(*, user: Any, password: str, by: Any) -> Any:
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        log_event(kind=EventKind.STAFF_PASSWORD_SET, by=by, username=user.get_username())
    return user
