from django.urls import path

from messaging.channel import views

app_name = "messaging"
urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
]
