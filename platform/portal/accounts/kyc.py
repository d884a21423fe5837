"""An organisation's KYC documents: what a newly signed-up organisation uploads for the platform's
review (and an approved one to renew it). Open before approval, as the Team page's profile is;
the operator reads them on the participant page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from documents.models import DocumentKind
from documents.selectors import kyc_documents_of
from documents.services import document_upload
from portal.kit.forms import apply_errors

from .forms import KycDocumentForm


@login_required
def kyc_documents(request):
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied(_("Only members of an organisation have KYC documents."))
    form = KycDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = document_upload(
                organisation=organisation, uploaded_by=request.user, kind=DocumentKind.KYC,
                name=upload.name, content=upload.read(),
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("%(name)s uploaded for the platform's KYC review.")
                             % {"name": document.original_name})
            return redirect("portal:kyc")
    return render(request, "portal/accounts/kyc.html", {
        "form": form, "organisation": organisation, "documents": kyc_documents_of(organisation),
    })
