"""One invoice through its whole life, the path the gas benchmark measures."""

from brownie import chain

from scripts.world import ANY_PAYOUT, NO_DEADLINE, Reject, Status, units


def test_invoice_lifecycle_pays_every_holder_in_full(scf, usdc, receivable, supplier, tier2, core_firm, lender):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})

    tx = scf.requestFinancing(fingerprint, 1, lender, ANY_PAYOUT, NO_DEADLINE, {"from": tier2})
    assert tx.return_value == Reject.NONE
    approved = tx.events["FinancingApproved"]
    payout = approved["advance"] - approved["discount"]
    assert usdc.balanceOf(tier2) == payout

    chain.sleep(30 * 86_400)
    scf.repay(fingerprint, units(100_000), {"from": core_firm})
    assert scf.invoice(fingerprint)["status"] == Status.REPAID

    lender_before = usdc.balanceOf(lender)
    scf.claim(fingerprint, 1, {"from": lender})
    scf.claim(fingerprint, 0, {"from": supplier})
    assert usdc.balanceOf(lender) - lender_before == units(40_000)
    assert usdc.balanceOf(supplier) == units(60_000)
    assert scf.programme(lender, core_firm, 1)["exposure"] == 0
