"""Template helpers for the sign-in pages, which render allauth's forms in our design system."""

from django import forms, template

from weerbaar.accounts import selectors

register = template.Library()

_WIDGET_CLASSES = (
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.RadioSelect, ""),
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea"),
    (forms.Select, "utrecht-select utrecht-select--html-select"),
    (forms.widgets.Input, "utrecht-textbox utrecht-textbox--html-input"),
)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def as_utrecht(bound_field):
    """Render a form field's widget with the NL Design System classes and error state.

    allauth builds its forms with bare widgets; without these classes the inputs would fall back
    to browser defaults and lose the focus and invalid styling of the design system.
    """
    widget = bound_field.field.widget
    css = next((c for kind, c in _WIDGET_CLASSES if isinstance(widget, kind)), "")
    attrs = {}
    existing = widget.attrs.get("class", "")
    classes = " ".join(part for part in (existing, css) if part)
    described_by = []
    if bound_field.help_text:
        # The id Django itself links help text with, kept when errors are added to the list.
        described_by.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        if "utrecht-textbox" in classes:
            classes += " utrecht-textbox--invalid"
        described_by.append(f"{bound_field.auto_id}_error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if classes:
        attrs["class"] = classes
    return bound_field.as_widget(attrs=attrs)


@register.filter
def has_security_key(user) -> bool:
    return user is not None and selectors.has_security_key(user)
