"""Form widgets shared by the apps."""

from collections.abc import Callable

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from artworx.cache import TIMEOUT


class LongSelect(forms.Select):
    """A select whose options are written in Python rather than one template render each.

    The filter bars offer every site and teacher the user may see: at county size that is hundreds of
    options, and rendering each through the option template cost more than the page's queries.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class KeptSelect(LongSelect):
    """A LongSelect whose options are written once per `options_key` and kept in the cache (issue #22).

    The filter bars' site and teacher pickers list hundreds of options, the same for everyone of a
    scope until a site, a teacher or a role changes: the form that shows them gives `options_key`, a
    function returning a key that changes with all of those (artworx.cache.version_key), and a request
    then reads the options from the cache instead of querying and writing them. Without a key it is a
    LongSelect.
    """

    def __init__(self, attrs=None, choices=(), options_key: Callable[[], str] | None = None):
        super().__init__(attrs, choices)
        # Called when the select is drawn: a download that filters by the same form never asks.
        self.options_key = options_key

    def render(self, name, value, attrs=None, renderer=None):
        if self.options_key is None:
            return super().render(name, value, attrs, renderer)
        key = self.options_key()
        options = cache.get(key)
        if options is None:
            options = format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((self.format_value_of(choice), label) for choice, label in self.choices),
            )
            cache.set(key, str(options), TIMEOUT)
        chosen = self.format_value(value)
        if chosen and chosen != [""]:
            # Option values are escaped ids: marking the chosen one is a plain replacement.
            for item in chosen:
                option = format_html('<option value="{}">', item)
                options = options.replace(option, option[:-1] + " selected>", 1)
        else:
            options = options.replace('<option value="">', '<option value="" selected>', 1)
        context_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(context_attrs),
            mark_safe(options),  # noqa: S308
        )

    @staticmethod
    def format_value_of(choice) -> str:
        return "" if choice is None else str(choice)


class OptionDataSelect(forms.Select):
    """A select whose options carry `data-*` attributes, read from each choice's object by `option_data`
    (a function of the object returning a dict): a script can then narrow or describe the options
    without asking the server again."""

    option_data = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and self.option_data is not None:
            option["attrs"].update({f"data-{key}": data for key, data in self.option_data(instance).items()})
        return option
