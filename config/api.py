"""The one NinjaAPI of the project: it mounts each app's router."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Raffle Backoffice API",
    version="1.0.0",
    description="Raffles, availability, orders and payments, contacts and messages.",
    urls_namespace="api",
)
