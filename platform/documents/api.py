"""Document upload over the API: multipart `file` and `kind`; the answer carries the hash and
the fields read from UBL or Factur-X, to pre-fill the invoice."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import INVOICE_KINDS, Document
from .services import document_upload


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "kind", "format", "original_name", "size", "keccak", "extracted", "created_at"]


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    # KYC documents are uploaded in the portal (the KYC page), where the operator reviews them.
    kind = serializers.ChoiceField(choices=[(kind.value, kind.label) for kind in INVOICE_KINDS])


class DocumentUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def post(self, request):
        """Stores a document of your organisation (PDF, UBL, Factur-X or an image) to attach to an
        invoice you submit; the answer has its keccak hash and the fields read from it."""
        fields = DocumentUploadSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        upload = fields.validated_data["file"]
        document = document_upload(
            organisation=request.user.organisation, uploaded_by=request.user,
            kind=fields.validated_data["kind"], name=upload.name, content=upload,
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)
