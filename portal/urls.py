from django.contrib.auth import views as auth_views
from django.urls import path

from portal.views import (
    account,
    auth,
    exports,
    faqs,
    files,
    message_templates,
    pages,
    raffle_extras,
    receipts,
    simulator,
)

app_name = "portal"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account.account, name="account"),
    path("", pages.DashboardPage.as_view(), name="dashboard"),
    path("raffles/", pages.RaffleListPage.as_view(), name="raffles"),
    path("raffles/new/", pages.RaffleCreatePage.as_view(), name="raffle-new"),
    path("raffles/<int:raffle_id>/", pages.RaffleDetailPage.as_view(), name="raffle"),
    path("raffles/<int:raffle_id>/edit/", pages.RaffleEditPage.as_view(), name="raffle-edit"),
    path("raffles/<int:raffle_id>/numbers/", pages.TicketGridPage.as_view(), name="tickets"),
    path(
        "raffles/<int:raffle_id>/sold-numbers.csv",
        exports.sold_numbers_csv,
        name="export-sold",
    ),
    path("raffles/<int:raffle_id>/photo/", raffle_extras.prize_photo, name="raffle-photo"),
    path(
        "raffles/<int:raffle_id>/photo/file",
        raffle_extras.prize_photo_file,
        name="raffle-photo-file",
    ),
    path("raffles/<int:raffle_id>/claims/", raffle_extras.claims, name="raffle-claims"),
    path("review/", pages.ReviewPage.as_view(), name="review"),
    path("proofs/<int:proof_id>/file", files.proof_file, name="proof-file"),
    path("orders/", pages.OrderListPage.as_view(), name="orders"),
    path("orders/export.csv", exports.orders_csv, name="export-orders"),
    path("orders/<str:code>/", pages.OrderPage.as_view(), name="order"),
    path("orders/<str:code>/receipt/", receipts.OrderReceiptPage.as_view(), name="order-receipt"),
    path("conversations/", pages.ConversationsPage.as_view(), name="conversations"),
    path(
        "conversations/<int:contact_id>/",
        pages.ConversationsPage.as_view(),
        name="conversation",
    ),
    path("outbox/", pages.OutboxPage.as_view(), name="outbox"),
    path("faq/", faqs.faq_list, name="faqs"),
    path("faq/new/", faqs.faq_edit, name="faq-new"),
    path("faq/<int:faq_id>/", faqs.faq_edit, name="faq-edit"),
    path("templates/", message_templates.template_list, name="templates"),
    path("simulator/", pages.SimulatorPage.as_view(), name="simulator"),
    path("simulator/upload", simulator.simulator_upload, name="simulator-upload"),
    path("staff/", pages.StaffAccountsPage.as_view(), name="staff"),
    path("api-keys/", pages.ApiKeysPage.as_view(), name="api-keys"),
]
