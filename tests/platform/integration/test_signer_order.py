"""Actions of one signer that depend on each other, queued back to back: a lender sets its
programme's terms and deposits at once. The deposit's simulation would fail before the terms are
mined; it must wait for them instead of being refused."""

from chain import accounts, client
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
