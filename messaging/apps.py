from django.apps import AppConfig
from django.db.models.signals import post_migrate

SWEEP_SCHEDULE_NAME = "messaging: sweep outbox and inbox"
DRAW_REMINDERS_SCHEDULE_NAME = "messaging: day-before-draw reminders"
DRAW_REMINDERS = "messaging.tasks.send_draw_reminders"


def ensure_sweep_schedule(**kwargs: object) -> None:
    """The sweeper runs every minute, the draw reminders every 15 minutes. Idempotent: runs
    after every migrate."""
    from django_q.models import Schedule

    from messaging.channel.jobs import SWEEP

    Schedule.objects.using(kwargs.get("using") or "default").get_or_create(
        func=SWEEP,
        defaults={
            "name": SWEEP_SCHEDULE_NAME,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    Schedule.objects.using(kwargs.get("using") or "default").get_or_create(
        func=DRAW_REMINDERS,
        defaults={
            "name": DRAW_REMINDERS_SCHEDULE_NAME,
            "schedule_type": Schedule.MINUTES,
            "minutes": 15,
            "repeats": -1,
        },
    )


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "WhatsApp"

    def ready(self) -> None:
        post_migrate.connect(ensure_sweep_schedule, sender=self, dispatch_uid="messaging-sweep")
        from messaging import (
            checks,  # noqa: F401 - registers the system checks
            staff_approvals,  # noqa: F401 - proofs to the reviewers' phones
        )
        from messaging.bot import (  # noqa: F401 - connects the buyer notifications, the ticket after the receipt
            claim_notice,
            notifications,
            ticket_notice,
        )
