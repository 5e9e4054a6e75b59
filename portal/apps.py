from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from messaging import staff_approvals
        from portal.roles import Perm, user_can

        # Approvals from WhatsApp: the reviewers are who the portal's roles say.
        staff_approvals.set_reviewer_check(lambda user: user_can(user, Perm.REVIEW_PAYMENTS))
