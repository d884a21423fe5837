"""The lender's write-off of a financed piece of a defaulted invoice, from its portfolio: one
button per such piece, which queues the write-off; the row shows it queued, then written off with
the amount released once the chain has done it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from financing.services import write_offs as writeoffs
from invoices.models import Piece
from portal.access import organisation, role_required

from .views import ROLES


@role_required(*ROLES)
@require_POST
def piece_write_off(request, piece_id: int):
    piece = get_object_or_404(Piece.objects.filter(holder=organisation(request)), pk=piece_id)
    try:
        writeoffs.piece_write_off(piece=piece, written_off_by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _(
            "Write-off queued: the piece leaves your programme's exposure once the chain has done it. "
            "Whatever the buyer still repays is collected for you."
        ))
    return redirect(f"{reverse('portal:lender:portfolio')}?{urlencode({'bucket': 'defaulted'})}")
