"""Form helpers shared by every app's pages."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: errors about a field the form has go to that field,
    the rest above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def submit_form(request, form, action: Callable[[dict], object], success_message: str) -> bool:
    """Validate a posted form and hand its cleaned data to `action` (a service call). True when
    the service accepted it: the success message is queued and the page redirects. False when the
    form or the service refused it: the errors are on the form (a service writes nothing when it
    refuses) and the page renders the form again. Every form page posts this way, so the order of
    those steps lives here once instead of in each view."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    messages.success(request, success_message)
    return True
