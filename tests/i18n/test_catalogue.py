"""The Spanish catalogue is complete, and the compiled file people's servers load matches it."""

import gettext
from pathlib import Path

import polib
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from students.models import Student

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django"


def entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(f"{CATALOGUE}.po") if not entry.obsolete]


def test_every_string_has_a_spanish_translation():
    missing = [entry.msgid for entry in entries() if not entry.translated()]
    assert missing == [], f"translate these in locale/es/LC_MESSAGES/django.po: {missing}"


def test_no_translation_is_left_fuzzy():
    fuzzy = [entry.msgid for entry in entries() if entry.fuzzy]
    assert fuzzy == [], f"check these and remove their fuzzy flag: {fuzzy}"


def test_translations_keep_their_placeholders():
    """A translation that drops or renames %(name)s or {{ name }} would fail or lie at run time."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    broken = []
    for entry in entries():
        expected = sorted(placeholder.findall(entry.msgid))
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in translations:
            if sorted(placeholder.findall(text)) != expected and not entry.msgid_plural:
                broken.append(entry.msgid)
            if entry.msgid_plural and not set(placeholder.findall(text)) <= set(
                placeholder.findall(entry.msgid_plural)
            ):
                broken.append(entry.msgid)
    assert broken == [], broken


def test_the_compiled_catalogue_matches_the_source():
    """`make messages` compiles the .mo; a forgotten compile leaves people reading English."""
    with open(f"{CATALOGUE}.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for entry in entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            if catalogue.ngettext(key, entry.msgid_plural, 1) != entry.msgstr_plural[0]:
                stale.append(entry.msgid)
        elif catalogue.gettext(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], f"run `make messages`: {stale[:20]}"


def test_one_students_status_is_singular_and_a_count_plural_in_spanish():
    with translation.override("es"):
        badge = render_to_string("students/_status_badge.html", {"status": "enrolled"})
        assert ">Inscrito<" in badge
        assert str(Student.Status.ENROLLED.label) == "Inscrito"
        assert translation.gettext("Enrolled") == "Inscritos"  # the funnel's and the report's columns
