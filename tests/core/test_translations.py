"""Dutch first: every text a page or message can show has a Dutch translation.

When a test here fails after adding text, run (from src/weerbaar)
`../../.venv/bin/python ../../manage.py makemessages -l nl --ignore='static/vendor/*'`,
translate the new entries in locale/nl/LC_MESSAGES/django.po and run `make messages`.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "weerbaar"
PO_PATH = SRC / "locale" / "nl" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_PATH))


def _files(*patterns):
    for pattern in patterns:
        for path in SRC.rglob(pattern):
            if "static" in path.relative_to(SRC).parts or "locale" in path.parts:
                continue
            yield path


_TRANSLATE_TAG = re.compile(r"{%\s*(?:translate|trans)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')(?P<rest>[^%]*)%}")
_BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)(?P<options>[^%]*)%}(?P<body>.*?){%\s*(?:endblocktranslate|endblocktrans)\s*%}",
    re.DOTALL,
)
_TEMPLATE_UNDERSCORE = re.compile(r"\b_\((\"[^\"]*\"|'[^']*')\)")
_PYTHON_CALL = re.compile(
    r"\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')\s*[,)]"
)


def _block_msgid(options: str, body: str) -> str | None:
    if "context" in options.split():
        return None
    singular = re.split(r"{%\s*plural\s*%}", body)[0]
    if "trimmed" in options.split():
        singular = re.sub(r"\s*\n\s*", " ", singular.strip())
    singular = singular.replace("%", "%%")
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", singular)


def template_msgids() -> dict[str, str]:
    found = {}
    for path in _files("*.html", "*.txt"):
        text = path.read_text(encoding="utf-8")
        for match in _TRANSLATE_TAG.finditer(text):
            if "context" not in match.group("rest").split():
                found.setdefault(ast.literal_eval(match.group(1)), str(path.relative_to(SRC)))
        for match in _BLOCK_TAG.finditer(text):
            msgid = _block_msgid(match.group("options"), match.group("body"))
            if msgid:
                found.setdefault(msgid, str(path.relative_to(SRC)))
        for match in _TEMPLATE_UNDERSCORE.finditer(text):
            found.setdefault(match.group(1)[1:-1], str(path.relative_to(SRC)))
    return found


def python_msgids() -> dict[str, str]:
    found = {}
    for path in _files("*.py"):
        if "migrations" in path.parts:
            continue
        for match in _PYTHON_CALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(ast.literal_eval(match.group(1)), str(path.relative_to(SRC)))
    return found


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]

    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy (check and confirm these): {fuzzy}"


def test_catalogue_is_marked_dutch_with_dutch_plurals(catalogue):
    assert catalogue.metadata["Language"] == "nl"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"


def test_every_translatable_text_in_templates_is_in_the_catalogue(catalogue):
    known = {e.msgid for e in catalogue if not e.obsolete}
    found = template_msgids()
    # The scan must see the shell's own texts, or it would pass by finding nothing.
    assert {"Skip to content", "Welcome, %(name)s", "Page %(n)s of %(total)s"} <= set(found)

    missing = {msgid: where for msgid, where in found.items() if msgid not in known}

    assert missing == {}, f"not in the Dutch catalogue (run makemessages): {missing}"


def test_every_translatable_text_in_python_is_in_the_catalogue(catalogue):
    known = {e.msgid for e in catalogue if not e.obsolete}
    found = python_msgids()
    assert "The details have been saved." in found

    missing = {msgid: where for msgid, where in found.items() if msgid not in known}

    assert missing == {}, f"not in the Dutch catalogue (run makemessages): {missing}"


def test_translations_keep_every_placeholder(catalogue):
    broken = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, text in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                broken.append((source, text))

    assert broken == []


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("Skip to content", "Direct naar de inhoud"),
        ("Sign out", "Uitloggen"),
        ("IBP officer", "IBP-coördinator"),
        ("Data protection officer", "Functionaris gegevensbescherming (FG)"),
        ("Supervisory board member", "Lid Raad van Toezicht"),
        ("Umbrella council", "Koepel"),
        ("Institution", "Instelling"),
        ("Frameworks", "Normenkaders"),
    ],
)
def test_key_texts_use_the_sectors_own_words(english, dutch):
    # Needs the compiled catalogue (`make messages`).
    with translation.override("nl"):
        assert translation.gettext(english) == dutch
