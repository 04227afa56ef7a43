"""`core.forms.submit_form`, the one way a page posts a form to a service: a valid form the service
accepts gives a success message, and any refusal, the form's or the service's, ends up on the
form with no message and, for an invalid form, no service call at all."""

from unittest import mock

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory

from weerbaar.core.forms import submit_form


class NoteForm(forms.Form):
    title = forms.CharField(max_length=20)
    body = forms.CharField(required=False)


def posted(data):
    request = RequestFactory().post("/", data)
    request._messages = CookieStorage(request)
    return request


def shown(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_accepted_form_calls_the_service_with_the_cleaned_data_and_says_so():
    request = posted({"title": " Phishing ", "body": "Mail"})
    form = NoteForm(request.POST)
    service = mock.Mock()

    assert submit_form(request, form, service, "The note has been added.") is True

    service.assert_called_once_with({"title": "Phishing", "body": "Mail"})
    assert shown(request) == ["The note has been added."]
    assert not form.errors


def test_invalid_form_never_reaches_the_service():
    request = posted({"title": "x" * 21})
    form = NoteForm(request.POST)
    service = mock.Mock()

    assert submit_form(request, form, service, "The note has been added.") is False

    service.assert_not_called()
    assert "title" in form.errors
    assert shown(request) == []


def test_service_refusal_goes_on_the_form_by_field_and_above_it():
    request = posted({"title": "Phishing"})
    form = NoteForm(request.POST)
    refusal = ValidationError(
        {
            "title": "A note with this title exists.",
            "severity": "Triage the incident first.",  # not a field of this form
            NON_FIELD_ERRORS: "The incident is closed.",
        }
    )

    assert submit_form(request, form, mock.Mock(side_effect=refusal), "The note has been added.") is False

    assert form.errors["title"] == ["A note with this title exists."]
    assert sorted(form.non_field_errors()) == ["The incident is closed.", "Triage the incident first."]
    assert shown(request) == []


@pytest.mark.parametrize("refusal", [ValidationError("Not now."), ValidationError(["Not now.", "Not ever."])])
def test_service_refusal_without_fields_goes_above_the_form(refusal):
    request = posted({"title": "Phishing"})
    form = NoteForm(request.POST)

    assert submit_form(request, form, mock.Mock(side_effect=refusal), "Saved.") is False

    assert list(form.non_field_errors()) == refusal.messages
    assert not form.has_error("title")
    assert shown(request) == []


def test_other_exceptions_are_not_swallowed():
    request = posted({"title": "Phishing"})
    form = NoteForm(request.POST)

    with pytest.raises(PermissionError):
        submit_form(request, form, mock.Mock(side_effect=PermissionError), "Saved.")

    assert shown(request) == []
