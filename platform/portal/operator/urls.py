from django.urls import path

from . import participants, receivables, views

app_name = "operator"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("participants/", participants.participant_list, name="participants"),
    path("participants/<int:organisation_id>/", participants.participant_detail, name="participant"),
    path("participants/<int:organisation_id>/kyc/<int:document_id>/", participants.participant_kyc_document,
         name="participant-kyc-document"),
    path("participants/<int:organisation_id>/approve/", participants.participant_approve, name="participant-approve"),
    path("participants/<int:organisation_id>/reject/", participants.participant_reject, name="participant-reject"),
    path("participants/<int:organisation_id>/suspend/", participants.participant_suspend, name="participant-suspend"),
    path("participants/<int:organisation_id>/time-zone/", participants.participant_time_zone,
         name="participant-time-zone"),
    path("chain/", views.chain, name="chain"),
    path("actions/<int:action_id>/", views.action_progress, name="action"),
    path("receivables/", receivables.receivable_search, name="receivables"),
    path("receivables/<int:invoice_id>/", receivables.receivable_detail, name="receivable"),
    path("duplicates/", receivables.duplicate_flags, name="duplicates"),
]
