"""Template helpers for the page shell.

`control` renders a form field's widget with the NL Design System classes and the attributes that
tie it to its help text and error message, so every form built on `core/_form.html` is accessible
without per-form work. `aria_current` marks the navigation link of the page the user is on.
"""

from django import forms, template
from django.forms.widgets import Input
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

register = template.Library()


# Which design-system component styles which widget. Order matters: the choice widgets subclass
# each other, and most widgets subclass Input.
_COMPONENTS: list[tuple[type, str, str | None]] = [
    (forms.CheckboxSelectMultiple, "utrecht-checkbox", "html-input"),
    (forms.RadioSelect, "utrecht-radio-button", "html-input"),
    (forms.CheckboxInput, "utrecht-checkbox", "html-input"),
    (forms.Textarea, "utrecht-textarea", "html-textarea"),
    (forms.Select, "utrecht-select", "html-select"),
    (forms.FileInput, "file-input", None),
    (Input, "utrecht-textbox", "html-input"),
    (forms.MultiWidget, "utrecht-textbox", "html-input"),
]


def _classes(widget: forms.Widget, invalid: bool) -> list[str]:
    for kind, component, element in _COMPONENTS:
        if isinstance(widget, kind):
            classes = [component]
            if element:
                classes.append(f"{component}--{element}")
            # A group of radios or checkboxes shows its invalid state on the fieldset.
            if invalid and element and not widget.use_fieldset:
                classes.append(f"{component}--invalid")
            return classes
    return []


def described_by(field) -> str:
    """Ids of the help text and error message that `core/_form.html` renders for this field."""
    ids = []
    if field.auto_id:
        if field.help_text:
            ids.append(f"{field.auto_id}_helptext")
        if field.errors:
            ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.filter
def control(field):
    """The field's widget with design-system classes, aria-describedby and aria-invalid."""
    widget = field.field.widget
    invalid = bool(field.errors)
    existing = widget.attrs.get("class", "").split()
    attrs = {"class": " ".join(dict.fromkeys(existing + _classes(widget, invalid)))}
    # A group of radios or checkboxes is described on its fieldset instead (see `core/_form.html`).
    if not field.use_fieldset:
        ids = [*widget.attrs.get("aria-describedby", "").split(), *described_by(field).split()]
        if ids:
            attrs["aria-describedby"] = " ".join(dict.fromkeys(ids))
    if invalid and not widget.is_hidden:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def describedby(field) -> str:
    return described_by(field)


@register.filter
def is_checkbox(field) -> bool:
    """A single checkbox, whose label goes after the box rather than above it."""
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def aria_current(context, url_name: str, *args) -> str:
    """` aria-current="page"` on the link to this very page, `="true"` on the link to its section.

    The section match lets "Organisations" stay marked on an organisation's own pages; the root
    URL only ever matches itself, or every page would be in its section.
    """
    request = context.get("request")
    if request is None:
        return ""
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        return ""
    if request.path == url:
        return format_html(' aria-current="{}"', "page")
    if url != "/" and request.path.startswith(url):
        return format_html(' aria-current="{}"', "true")
    return ""
