"""Public pages of the raffle domain (mounted at the site root, no login)."""

from django.urls import path

from raffles import views

app_name = "raffles"
urlpatterns = [
    path("raffles/<str:public_id>/draw/", views.draw_detail, name="draw"),
    path("raffles/<str:public_id>/draw/entries.txt", views.draw_entries, name="draw-entries"),
]
