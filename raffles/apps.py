from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_schedules(**kwargs: object) -> None:
    """Install the domain's periodic jobs (idempotent; runs after every migrate)."""
    from django_q.models import Schedule

    for name, func in (
        ("raffles: expire reservations", "raffles.tasks.expire_reservations_task"),
        ("raffles: expiry reminders", "raffles.tasks.send_expiry_reminders_task"),
        ("raffles: payment notifications", "raffles.tasks.process_waiting_notifications_task"),
    ):
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": 1},
        )


class RafflesConfig(AppConfig):
    name = "raffles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(ensure_schedules, sender=self)
        from raffles.public import receivers

        receivers.connect()
        from raffles.services import pricing

        pricing.connect()
        from raffles.services import sellers

        sellers.connect()
