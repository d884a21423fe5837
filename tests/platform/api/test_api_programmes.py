"""The programmes API, for lenders: read their own programmes, set terms, fund and defund, each
queued under the Idempotency-Key as the request key; other roles get a clear 403, other lenders'
programmes 404, and bad terms a 400 naming the field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chain.models import ActionPurpose, ChainAction
from organisations.models import Role

from factories import RegisteredOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM)


@pytest.fixture
def programme(lender_user, core_firm, make_programme):
    return make_programme(lender_user.organisation, core_firm)


def post(client, path, body=None, key="erp-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, body or {}, format="json", **headers)


def _terms(core_firm, **fields):
    return {
        "core_firm": core_firm.pk, "currency": "USDC", "limit": "250000", "advance_rate_bps": 9000,
        "base_rate_bps": 600, "max_tenor_days": 90, "rating_spread_bps": 40, "min_rating": 6,
    } | fields


# Reading


def test_a_lender_lists_its_own_programmes(programme, core_firm, lender_user, make_programme, api):
    make_programme(RegisteredOrganisationFactory(role=Role.LENDER), core_firm)

    [row] = api(lender_user).get("/api/programmes/").json()["results"]

    assert row | {"updated_at": None} == {
        "id": programme.pk, "core_firm": core_firm.pk, "core_firm_name": core_firm.name, "currency": "USDC",
        "limit": 500_000_000_000, "advance_rate_bps": 9_000, "base_rate_bps": 500, "max_tenor_days": 120,
        "rating_spread_bps": 50, "min_rating": 6, "max_rating_age_days": 365, "liquidity": 100_000_000_000,
        "exposure": 0, "updated_at": None,
    }


def test_another_lenders_programme_is_not_found(core_firm, lender_user, make_programme, api):
    foreign = make_programme(RegisteredOrganisationFactory(role=Role.LENDER), core_firm)

    assert api(lender_user).get(f"/api/programmes/{foreign.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/api/programmes/", "/api/programmes/terms/"])
def test_a_supplier_is_told_programmes_are_for_lenders(supplier_user, api, path):
    client = api(supplier_user)
    response = client.get(path) if path.endswith("programmes/") else post(client, path, {})

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a lender can do this; your organisation is a supplier."


def test_the_list_filters_by_core_firm(programme, lender_user, make_programme, api):
    make_programme(lender_user.organisation, RegisteredOrganisationFactory(role=Role.CORE_FIRM))

    rows = api(lender_user).get("/api/programmes/", {"core_firm": programme.core_firm_id}).json()["results"]

    assert [row["id"] for row in rows] == [programme.pk]


def test_the_list_costs_the_same_queries_for_5_or_30_rows(lender_user, make_programme, api,
                                                          django_assert_max_num_queries):
    client = api(lender_user)
    for _ in range(5):
        make_programme(lender_user.organisation, RegisteredOrganisationFactory(role=Role.CORE_FIRM))
    with CaptureQueriesContext(connection) as five:
        client.get("/api/programmes/")
    for _ in range(25):
        make_programme(lender_user.organisation, RegisteredOrganisationFactory(role=Role.CORE_FIRM))

    with django_assert_max_num_queries(len(five)):
        response = client.get("/api/programmes/")

    assert len(response.json()["results"]) == 30


# Terms


def test_terms_are_queued_under_the_idempotency_key(core_firm, lender_user, api):
    response = post(api(lender_user), "/api/programmes/terms/", _terms(core_firm), key="terms-1")

    assert response.status_code == 202
    action = ChainAction.objects.get(pk=response.json()["id"])
    assert action.function == "setProgrammeTerms"
    assert action.args[2] == [250_000_000_000, 9000, 600, 90, 40, 6, 365]  # a rating may be a year old by default
    assert (action.purpose, action.subject, action.request_key) == (
        ActionPurpose.PROGRAMME_TERMS, lender_user.organisation, "terms-1"
    )
    assert action.args[:2] == [core_firm.chain_account.address, 1]


def test_terms_carry_the_maximum_rating_age_given(core_firm, lender_user, api):
    response = post(api(lender_user), "/api/programmes/terms/", _terms(core_firm, max_rating_age_days=30))

    assert ChainAction.objects.get(pk=response.json()["id"]).args[2][6] == 30


@pytest.mark.parametrize(("field", "value"), [
    ("advance_rate_bps", 0), ("max_tenor_days", 400), ("min_rating", 11), ("limit", "lots"), ("currency", "DOGE"),
    ("max_rating_age_days", 0), ("max_rating_age_days", 3651),
])
def test_bad_terms_name_the_field(core_firm, lender_user, api, field, value):
    response = post(api(lender_user), "/api/programmes/terms/", _terms(core_firm, **{field: value}))

    assert response.status_code == 400
    assert field in response.json()
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    pytest.param({"max_tenor_days": 366}, "max_tenor_days", id="tenor-over-365-days"),
    pytest.param({"base_rate_bps": 10_000}, "base_rate_bps", id="base-rate-100%"),
    pytest.param({"base_rate_bps": 9_775, "rating_spread_bps": 25}, "rating_spread_bps", id="worst-rate-100%"),
    pytest.param({"base_rate_bps": 100, "rating_spread_bps": 255, "advance_rate_bps": 10_001}, "advance_rate_bps",
                 id="advance-over-100%"),
    pytest.param({"min_rating": 0}, "min_rating", id="rating-zero"),
])
def test_terms_the_contract_refuses_get_400_naming_the_field_and_queue_nothing(core_firm, lender_user, api,
                                                                               fields, field):
    response = post(api(lender_user), "/api/programmes/terms/", _terms(core_firm, **fields))

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not ChainAction.objects.exists()


def test_a_limit_below_the_programmes_exposure_gets_400(programme, core_firm, lender_user, api):
    programme.exposure = 300_000_000_000
    programme.save()

    response = post(api(lender_user), "/api/programmes/terms/", _terms(core_firm, limit="250000"))

    assert response.status_code == 400
    assert "current exposure of 300,000.00 USDC" in response.json()["limit"][0]
    assert not ChainAction.objects.exists()


def test_terms_for_a_supplier_as_core_firm_are_refused(lender_user, supplier_user, api):
    response = post(api(lender_user), "/api/programmes/terms/", _terms(supplier_user.organisation))

    assert response.status_code == 400
    assert "no core firm with this id" in response.json()["core_firm"][0]


def test_retried_terms_get_the_first_answer(core_firm, lender_user, api):
    client = api(lender_user)

    first = post(client, "/api/programmes/terms/", _terms(core_firm), key="terms-2")
    retry = post(client, "/api/programmes/terms/", _terms(core_firm), key="terms-2")

    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert ChainAction.objects.count() == 1


# Funding and defunding


@pytest.mark.parametrize(
    ("verb", "function", "purpose"),
    [
        ("fund", "fundProgramme", ActionPurpose.PROGRAMME_FUND),
        ("defund", "defundProgramme", ActionPurpose.PROGRAMME_DEFUND),
    ],
)
def test_liquidity_moves_are_queued_for_the_programme(programme, lender_user, api, verb, function, purpose):
    response = post(api(lender_user), f"/api/programmes/{programme.pk}/{verb}/", {"amount": "5000.25"}, key="m-1")

    assert response.status_code == 202
    action = ChainAction.objects.get(pk=response.json()["id"])
    assert (action.function, action.args) == (function, [programme.core_firm.chain_account.address, 1, 5_000_250_000])
    assert (action.purpose, action.subject, action.request_key) == (purpose, lender_user.organisation, "m-1")


@pytest.mark.parametrize("verb", ["fund", "defund"])
def test_a_bad_amount_is_named(programme, lender_user, api, verb):
    response = post(api(lender_user), f"/api/programmes/{programme.pk}/{verb}/", {"amount": "-3"})

    assert response.status_code == 400
    assert "above zero" in response.json()["amount"][0]


@pytest.mark.parametrize("verb", ["fund", "defund"])
def test_another_lenders_programme_cannot_be_moved(core_firm, lender_user, make_programme, api, verb):
    foreign = make_programme(RegisteredOrganisationFactory(role=Role.LENDER), core_firm)

    response = post(api(lender_user), f"/api/programmes/{foreign.pk}/{verb}/", {"amount": "1"})

    assert response.status_code == 404
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("verb", ["fund", "defund"])
def test_a_core_firm_cannot_move_liquidity(programme, core_firm_user, api, verb):
    response = post(api(core_firm_user), f"/api/programmes/{programme.pk}/{verb}/", {"amount": "1"})

    assert response.status_code == 403


def test_a_retried_deposit_is_made_once_and_a_new_key_deposits_again(programme, lender_user, api):
    client = api(lender_user)
    path = f"/api/programmes/{programme.pk}/fund/"

    first = post(client, path, {"amount": "10"}, key="dep-1")
    retry = post(client, path, {"amount": "10"}, key="dep-1")
    post(client, path, {"amount": "10"}, key="dep-2")

    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert ChainAction.objects.filter(function="fundProgramme").count() == 2


# The rating scale: the contract's, 10 the best (Pricing.BEST_RATING)


@pytest.mark.parametrize(("component", "field"), [
    ("ProgrammeTerms", "min_rating"), ("Programme", "min_rating"), ("FinancingRequest", "rating"),
    ("ProgrammeTerms", "rating_spread_bps"), ("Programme", "rating_spread_bps"),
])
def test_the_schema_says_a_rating_of_10_is_the_best(supplier_user, api, component, field):
    schema = api(supplier_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    description = schema["components"]["schemas"][component]["properties"][field].get("description", "")

    assert "10 (the best)" in description
    assert "1 best" not in description and "1 the best" not in description and "10 worst" not in description
