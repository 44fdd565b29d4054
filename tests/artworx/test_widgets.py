"""The long select renders like Django's select: escaped labels, the chosen option selected."""

from artworx.widgets import LongSelect


def test_long_select_escapes_labels_and_marks_the_choice():
    widget = LongSelect(
        choices=[("", "---"), (1, "A & B"), (2, "<script>x</script>")], attrs={"class": "form-select"}
    )
    html = widget.render("site", "2", {"id": "id_site"})
    assert html.startswith('<select name="site" class="form-select" id="id_site">')
    assert '<option value="1">A &amp; B</option>' in html
    assert '<option value="2" selected>&lt;script&gt;x&lt;/script&gt;</option>' in html
    assert "<script>" not in html
