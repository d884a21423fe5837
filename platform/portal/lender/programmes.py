"""The lender's programme pages: the list with a form for new terms, one programme with its
terms, deposit and withdrawal forms, and the progress of each change queued for the chain. A
programme appears, and its figures move, once the indexer has seen the chain accept the change."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from chain.models import ChainAction
from financing.services import programmes as services
from financing.models import Programme
from portal.access import organisation, role_required

from .forms import DepositForm, TermsForm, WithdrawalForm, new_request_key
from .selectors import programme_actions
from .views import ROLES

QUEUED = _("Queued for the chain: it takes effect once the transaction is confirmed.")


def _lender_programmes(request):
    return Programme.objects.filter(lender=organisation(request)).select_related("core_firm")


@role_required(*ROLES)
def programme_list(request):
    lender = organisation(request)
    form = TermsForm(request.POST or None, initial={"request_key": new_request_key()})
    if request.method == "POST" and form.is_valid():
        if form.queue(services.programme_set_terms, lender_user=request.user, **form.service_arguments()):
            messages.success(request, QUEUED)
            return redirect("portal:lender:programmes")
    return render(request, "portal/lender/programmes.html", {
        "programmes": _lender_programmes(request),
        "form": form,
        "actions": programme_actions(lender),
    })


def _detail(request, programme: Programme, *, terms=None, fund=None, withdraw=None):
    lender = organisation(request)
    return render(request, "portal/lender/programme.html", {
        "programme": programme,
        "terms_form": terms or TermsForm(programme=programme, initial=TermsForm.initial_for(programme)),
        "fund_form": fund or DepositForm(initial={"request_key": new_request_key()}, prefix="fund"),
        "withdraw_form": withdraw or WithdrawalForm(initial={"request_key": new_request_key()}, prefix="withdraw"),
        "actions": programme_actions(lender, programme),
    })


@role_required(*ROLES)
def programme_detail(request, programme_id: int):
    return _detail(request, get_object_or_404(_lender_programmes(request), pk=programme_id))


@role_required(*ROLES)
@require_POST
def programme_terms(request, programme_id: int):
    programme = get_object_or_404(_lender_programmes(request), pk=programme_id)
    form = TermsForm(request.POST, programme=programme, initial=TermsForm.initial_for(programme))
    if form.is_valid() and form.queue(services.programme_set_terms, lender_user=request.user, **form.service_arguments()):
        messages.success(request, QUEUED)
        return redirect("portal:lender:programme", programme_id=programme.pk)
    return _detail(request, programme, terms=form)


def _move_liquidity(request, programme_id: int, service, form_class, prefix: str):
    programme = get_object_or_404(_lender_programmes(request), pk=programme_id)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid() and form.queue(
        service, lender_user=request.user, core_firm_id=programme.core_firm_id, currency=programme.currency,
        amount=str(form.cleaned_data["amount"]),
    ):
        messages.success(request, QUEUED)
        return redirect("portal:lender:programme", programme_id=programme.pk)
    return _detail(request, programme, **{prefix: form})


@role_required(*ROLES)
@require_POST
def programme_fund(request, programme_id: int):
    return _move_liquidity(request, programme_id, services.programme_fund, DepositForm, "fund")


@role_required(*ROLES)
@require_POST
def programme_withdraw(request, programme_id: int):
    return _move_liquidity(request, programme_id, services.programme_defund, WithdrawalForm, "withdraw")


@role_required(*ROLES)
def action_progress(request, action_id: int):
    """One of the lender's queued actions, as the progress fragment that polls itself."""
    action = get_object_or_404(
        ChainAction.objects.select_related("transaction"), pk=action_id, signer__organisation=organisation(request)
    )
    return render(request, "portal/components/chain_progress.html", {"action": action, "poll_url": request.path})
