"""Pages for the signed-in person: API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from weerbaar.accounts import selectors, services
from weerbaar.accounts.forms import TokenForm
from weerbaar.core.access import SIGNED_IN, access_rule


@never_cache
@require_http_methods(["GET", "POST"])
@access_rule(SIGNED_IN)
def token_list(request):
    """A person's own API tokens; the full token is shown once, right after creation."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field, errors)
        else:
            form = TokenForm()
    tokens = selectors.list_api_tokens(request.user)
    status = 400 if request.method == "POST" and new_token is None else 200
    return render(
        request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_token": new_token}, status=status
    )


@require_POST
@access_rule(SIGNED_IN)
def token_revoke(request, token_id):
    token = selectors.access_api_token(request.user, token_id)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token %(name)s has been revoked.") % {"name": token.name})
    return redirect("accounts:token_list")
