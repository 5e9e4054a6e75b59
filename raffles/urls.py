"""Public pages of the raffle domain (mounted at the site root, no login)."""

from django.urls import path

from raffles import payment_views, views

app_name = "raffles"
urlpatterns = [
    path("raffles/<str:public_id>/draw/", views.draw_detail, name="draw"),
    path("raffles/<str:public_id>/draw/entries.txt", views.draw_entries, name="draw-entries"),
    path(
        "payments/<str:provider>/webhook",
        payment_views.payment_webhook,
        name="payment-webhook",
    ),
]
