"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


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
