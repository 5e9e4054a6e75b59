from django.apps import AppConfig


class RafflesConfig(AppConfig):
    name = "raffles"
    default_auto_field = "django.db.models.BigAutoField"
