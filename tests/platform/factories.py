"""factory_boy factories for the Django suite: one per model that tests build directly."""

import factory

from organisations.models import KycStatus, Organisation, Role
from users.models import User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    legal_id = factory.Sequence(lambda n: f"LEI-{n:06d}")
    role = Role.SUPPLIER
    kyc_status = KycStatus.APPROVED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
