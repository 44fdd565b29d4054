"""`{% load form_fields %}`: what templates/forms/field.html asks of a field (artworx.rendering)."""

from django import template

from artworx.rendering import is_checkbox, is_choice_list, with_bootstrap_classes

register = template.Library()

register.filter("bootstrap", with_bootstrap_classes)
register.filter("is_checkbox", is_checkbox)
register.filter("is_choice_list", is_choice_list)
