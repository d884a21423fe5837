"""The organisations directory of the API: the counterparties the caller's organisation may
address (buyers, suppliers to pay with a split or transfer, lenders to ask), found by name. It
shows only id, name and role: never legal ids, KYC details or accounts."""

from rest_framework import mixins, serializers, viewsets

from api.representation import ListedFields

from .filters import CounterpartyFilter
from .models import Organisation
from .selectors import counterparties_of


class CounterpartySerializer(ListedFields, serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "role"]


class CounterpartyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Active organisations (current KYC approval, registered on chain) other than yours."""

    serializer_class = CounterpartySerializer
    queryset = Organisation.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "organisation_id"
    filterset_class = CounterpartyFilter
    ordering_fields = ["name", "role"]

    def get_queryset(self):
        return counterparties_of(self.request.user.organisation)
