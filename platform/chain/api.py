"""On-chain actions over the API: what a POST that leads to a transaction answers (202, the queued
action), and `GET /api/actions/{action_id}/` to follow it from queued to confirmed. An
organisation sees only the actions its own account signs."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .models import ChainAction


class ChainActionSerializer(serializers.ModelSerializer):
    tx_hash = serializers.SerializerMethodField(help_text="The mined transaction's hash, once mined.")
    block = serializers.SerializerMethodField(help_text="The block that holds it, once mined.")

    class Meta:
        model = ChainAction
        fields = ["id", "function", "status", "tx_hash", "block", "error", "created_at", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tx_hash(self, action: ChainAction) -> str | None:
        return (action.transaction.tx_hash or None) if action.transaction else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_block(self, action: ChainAction) -> int | None:
        return action.transaction.block_number if action.transaction else None


def queued(action: ChainAction, request) -> Response:
    """The answer to a POST that queued `action`: 202, with where to follow its progress."""
    location = reverse("action-detail", kwargs={"action_id": action.pk}, request=request)
    return Response(ChainActionSerializer(action).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ChainActionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An action signed by your organisation's account: queued, sent, mined, confirmed or failed
    (with the chain's reason in `error`)."""

    serializer_class = ChainActionSerializer
    queryset = ChainAction.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "action_id"

    def get_queryset(self):
        return ChainAction.objects.filter(signer__organisation=self.request.user.organisation).select_related(
            "transaction"
        )
