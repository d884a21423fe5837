"""The OpenAPI schema: drf-spectacular's, with the error answers every operation can give, so a
client (and the contract test) knows each status code and its body."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

from .idempotency import HEADER

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong: `detail` for the request as a whole, or each field (query parameter, "
    "header) named with its messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}


class ErrorDocumentingAutoSchema(AutoSchema):
    def _error_descriptions(self) -> dict[str, str]:
        errors = {
            "401": "No valid API token: unknown, revoked or expired, or its creator left its organisation.",
            "403": "Your organisation's role may not do this, or a rule of the platform forbids it.",
            "429": "Too many requests with this token: wait the seconds in the Retry-After header.",
        }
        lists = self._is_list_view()
        if self.method in ("POST", "PUT", "PATCH") or ((lists or self._reads_query()) and self.method == "GET"):
            errors["400"] = "A field, query parameter or header is invalid; each is named with its messages."
        if "{" in self.path or lists:
            errors["404"] = "Not found: no such object among your organisation's, or no such page."
        takes_key = any(
            isinstance(parameter, OpenApiParameter) and parameter.name == HEADER
            for parameter in self.get_override_parameters()
        )
        if takes_key:
            errors["422"] = "This Idempotency-Key was already used for another request."
            errors["503"] = ("On-chain actions are paused (`code`: `chain_paused`) while the platform checks the chain "
                             "it mirrors: nothing was stored. Retry later with the same Idempotency-Key.")
        return errors

    def _reads_query(self) -> bool:
        """Whether the operation declares query parameters of its own (extend_schema's `parameters`:
        a serializer, or a parameter in the query), which it may refuse."""
        return any(
            not isinstance(parameter, OpenApiParameter) or parameter.location == OpenApiParameter.QUERY
            for parameter in self.get_override_parameters()
        )

    def _error_reference(self) -> dict:
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA)
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_descriptions().items():
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": self._error_reference()}}}
            )
        return dict(sorted(responses.items()))
