"""Actions of one signer that depend on each other, queued back to back: a lender sets its
programme's terms and deposits at once. The deposit's simulation would fail before the terms are
mined; it must wait for them instead of being refused."""

import pytest

from chain import accounts, client, sender
from chain.errors import ChainRevert
from chain.models import ActionStatus, ChainAction
from chain.services import token_mint_enqueue
from financing.models import Programme
from financing.services.programmes import programme_fund, programme_set_terms
from organisations.models import Role
from users.models import User

from localnet import wait_until
from world import onboard, operator_admin, wait_for_actions, wait_for_registration

USDC = 1


def test_a_deposit_queued_right_after_the_terms_waits_for_them(platform):
    platform.worker()
    admin = operator_admin()
    lender, lender_user = onboard(admin, "bank", Role.LENDER)
    core_firm, _ = onboard(admin, "maker", Role.CORE_FIRM)
    wait_for_registration(lender, core_firm)
    decimals = client.token_contract(client.currency_token(USDC)).functions.decimals().call()
    token_mint_enqueue(operator=accounts.operator_account(), account=accounts.organisation_account(lender),
                       currency=USDC, units=1_000 * 10**decimals, key="test")
    wait_for_actions()
    lender_user = User.objects.select_related("organisation").get(pk=lender_user.pk)

    programme_set_terms(
        lender_user=lender_user, core_firm_id=core_firm.pk, currency=USDC, limit="5000", advance_rate_bps=9000,
        base_rate_bps=500, max_tenor_days=120, rating_spread_bps=20, min_rating=3, max_rating_age_days=90,
        request_key="terms",
    )
    programme_fund(lender_user=lender_user, core_firm_id=core_firm.pk, currency=USDC, amount="750", request_key="cash")

    wait_for_actions()
    assert not ChainAction.objects.filter(status=ActionStatus.FAILED).exists()
    wait_until(lambda: Programme.objects.filter(lender=lender, liquidity=750_000_000).exists(), 30,
               message="the deposit in the programme's mirror")


def test_a_deposit_simulated_before_the_terms_are_mined_still_waits_when_they_are_mined_meanwhile(platform, monkeypatch):
    """The race behind a flaky run: the deposit's simulation runs before the terms are mined, and
    another worker records the terms as mined before the sender asks whether earlier actions are
    still in flight. The sender must judge by what its simulation could see, and wait."""
    worker = platform.worker()
    admin = operator_admin()
    lender, lender_user = onboard(admin, "bank", Role.LENDER)
    core_firm, _ = onboard(admin, "maker", Role.CORE_FIRM)
    wait_for_registration(lender, core_firm)
    decimals = client.token_contract(client.currency_token(USDC)).functions.decimals().call()
    token_mint_enqueue(operator=accounts.operator_account(), account=accounts.organisation_account(lender),
                       currency=USDC, units=1_000 * 10**decimals, key="test")
    wait_for_actions()
    lender_user = User.objects.select_related("organisation").get(pk=lender_user.pk)
    worker.kill()  # from here on this test plays both workers, in the order of the race
    programme_set_terms(
        lender_user=lender_user, core_firm_id=core_firm.pk, currency=USDC, limit="5000", advance_rate_bps=9000,
        base_rate_bps=500, max_tenor_days=120, rating_spread_bps=20, min_rating=3, max_rating_age_days=90,
        request_key="terms",
    )
    programme_fund(lender_user=lender_user, core_firm_id=core_firm.pk, currency=USDC, amount="750", request_key="cash")
    terms = ChainAction.objects.get(function="setProgrammeTerms")
    deposit = ChainAction.objects.get(function="fundProgramme")
    simulate = sender._estimate_gas

    def simulated_while_the_other_worker_finishes_the_terms(*args):
        try:
            return simulate(*args)
        except ChainRevert:
            sender.action_send(terms.pk)  # the other worker: sent, mined and recorded just now
            raise

    monkeypatch.setattr(sender, "_estimate_gas", simulated_while_the_other_worker_finishes_the_terms)

    with pytest.raises(sender.EarlierActionsInFlight):
        sender.action_send(deposit.pk)

    assert ChainAction.objects.get(pk=terms.pk).status == ActionStatus.MINED
    assert ChainAction.objects.get(pk=deposit.pk).status == ActionStatus.QUEUED, "refused for what it could not see"
