"""Public raffle pages (no login): /r/<public id or short link name>/…"""

from django.urls import path

from raffles.public import draw_views, feeds, views

app_name = "raffles-public"
urlpatterns = [
    path("r/<str:ref>/", views.raffle_page, name="page"),
    path("r/<str:ref>/board.json", feeds.board_feed, name="board"),
    path("r/<str:ref>/photo/", feeds.prize_photo, name="photo"),
    path("r/<str:ref>/mine/", views.lookup, name="lookup"),
    path("r/<str:ref>/draw/", draw_views.live_draw, name="draw"),
    path("r/<str:ref>/draw/state.json", draw_views.draw_state, name="draw-state"),
    path("r/<str:ref>/draw/early/<int:early>/", draw_views.early_live_draw, name="early-draw"),
    path(
        "r/<str:ref>/draw/early/<int:early>/state.json",
        draw_views.early_draw_state,
        name="early-draw-state",
    ),
    path(
        "r/<str:ref>/draw/early/<int:early>/entries.txt",
        draw_views.early_entries,
        name="early-entries",
    ),
    path("r/<str:ref>/qr/<str:target>.<str:fmt>", feeds.raffle_qr, name="qr"),
    path("r/<str:ref>/ticket/<str:token>/", views.ticket, name="ticket"),
    path("r/<str:ref>/ticket/<str:token>/qr.<str:fmt>", feeds.ticket_qr, name="ticket-qr"),
    path("raffles/<str:public_id>/", views.legacy_redirect, name="legacy"),
    # Under /raffles/ too, for WhatsApp template URL buttons (their fixed part ends there).
    path("raffles/<str:public_id>/ticket/<str:token>/", views.legacy_ticket, name="legacy-ticket"),
]
