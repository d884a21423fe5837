"""The participants: every organisation with its role, KYC status, on-chain identity, rating and
people and KYC documents; and the KYC review, where an admin approves (until a date), rejects or
suspends, and sets the organisation's time zone. Auditors see the same pages without the decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from chain.models import ActionPurpose, ChainAccount, ChainAction
from chain.selectors import about
from documents.selectors import kyc_documents_of
from organisations import services
from organisations.models import KycStatus, Organisation, Role
from organisations.services import PARTICIPANT_CHANGES
from portal.access import role_required
from portal.kit.downloads import document_response
from portal.kit.forms import TimeZoneForm, apply_errors

from . import selectors
from .forms import KycApprovalForm
from .views import ROLES

PAGE_SIZE = 50
RECENT_ACTIONS = 10


@role_required(*ROLES)
def participant_list(request):
    filters = {name: request.GET.get(name, "") for name in ("role", "kyc", "text")}
    page = Paginator(selectors.participants(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/operator/participants.html", {
        "page": page,
        "query": urlencode({name: value for name, value in filters.items() if value}),
        "filters": filters,
        "roles": Role.choices,
        "kyc_statuses": KycStatus.choices,
    })


def _detail(
    request, organisation: Organisation, approval: KycApprovalForm | None = None, zone: TimeZoneForm | None = None
):
    account = getattr(organisation, "chain_account", None)
    changes = about(Organisation, [organisation.pk], *PARTICIPANT_CHANGES)
    if account is not None:  # its gas money and token allowances
        changes |= about(ChainAccount, [account.pk], ActionPurpose.GAS_FUNDING, ActionPurpose.TOKEN_APPROVE)
    actions = (
        ChainAction.objects.filter(changes)
        .select_related("transaction")
        .order_by("-created_at", "-pk")[:RECENT_ACTIONS]
    )
    return render(request, "portal/operator/participant.html", {
        "organisation": organisation,
        "account": account,
        "members": organisation.users.order_by("username"),
        "kyc_documents": kyc_documents_of(organisation),
        "approval": approval or KycApprovalForm.fresh(),
        "zone_form": zone or TimeZoneForm(initial={"time_zone": organisation.time_zone}),
        "actions": actions,
        "can_decide": request.user.role == Role.ADMIN,
    })


def _organisation(organisation_id: int) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("chain_account"), pk=organisation_id)


@role_required(*ROLES)
def participant_detail(request, organisation_id: int):
    return _detail(request, _organisation(organisation_id))


@role_required(*ROLES)
def participant_kyc_document(request, organisation_id: int, document_id: int):
    """One of the organisation's KYC documents, for the review; no other document is served here."""
    organisations_documents = kyc_documents_of(_organisation(organisation_id))
    return document_response(get_object_or_404(organisations_documents, pk=document_id))


@role_required(Role.ADMIN)
@require_POST
def participant_approve(request, organisation_id: int):
    organisation = _organisation(organisation_id)
    form = KycApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_approve_kyc(
                organisation=organisation, approved_by=request.user, valid_until=form.valid_until_moment()
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("KYC approved. The chain registers the change shortly."))
            return redirect("portal:operator:participant", organisation_id=organisation.pk)
    return _detail(request, organisation, approval=form)


@role_required(Role.ADMIN)
@require_POST
def participant_time_zone(request, organisation_id: int):
    organisation = _organisation(organisation_id)
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_set_time_zone(
                organisation=organisation, time_zone=form.cleaned_data["time_zone"], changed_by=request.user
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("Dates of %(name)s are now judged, and its pages show times, in %(zone)s.") % {
                "name": organisation.name, "zone": organisation.time_zone,
            })
            return redirect("portal:operator:participant", organisation_id=organisation.pk)
    return _detail(request, organisation, zone=form)


def _decide(request, organisation_id: int, service, done: str):
    organisation = _organisation(organisation_id)
    try:
        service(organisation, request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("portal:operator:participant", organisation_id=organisation.pk)


@role_required(Role.ADMIN)
@require_POST
def participant_reject(request, organisation_id: int):
    return _decide(
        request, organisation_id,
        lambda organisation, user: services.organisation_reject_kyc(organisation=organisation, rejected_by=user),
        _("KYC rejected."),
    )


@role_required(Role.ADMIN)
@require_POST
def participant_suspend(request, organisation_id: int):
    return _decide(
        request, organisation_id,
        lambda organisation, user: services.organisation_suspend(organisation=organisation, suspended_by=user),
        _("Organisation suspended. It can no longer transact."),
    )
