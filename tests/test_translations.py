"""The translation catalogs: a fresh template, a complete Vietnamese catalog, sound placeholders.

The template (translations/messages.pot) is extracted exactly as ``make extract`` does it, with the
options read from the Makefile, and compared with the committed one. Vietnamese is the first
language, so every message must be translated there. English is the language of the source texts:
an empty English msgstr shows the msgid, and a filled one is an intentional rewording.
"""

from __future__ import annotations

import collections
import difflib
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = {lang: TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po" for lang in ("vi", "en")}
PLURAL_FORMS = {"vi": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}

STALE = ("translations/messages.pot is out of date with the code and templates: run "
         "`make update-translations`, translate the new entries in "
         "translations/vi/LC_MESSAGES/messages.po, and commit the three files.")
UPDATE = "run `make update-translations` and translate what it adds"

# printf-style placeholders (%(name)s, %d, %.1f...) and str.format ones ({name}); "%%" is literal.
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                    r"(?P<conv>[diouxXeEfFgGcrsa%])")
BRACES = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_]\w*|\d*)(?:[!:][^{}]*)?\}(?!\})")
WORD = re.compile(r"[^\W\d_]{2,}")
VIETNAMESE_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
)


def makefile_variable(name: str) -> list[str]:
    """The words of a plain ``NAME = value`` variable of the Makefile, continuation lines joined."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(rf"^{name}\s*[:?]?=(.*)$", text, re.MULTILINE)
    assert match, f"the Makefile no longer defines {name}, which this test reads"
    value = match.group(1).strip()
    assert "$" not in value, f"{name} in the Makefile must stay a plain list of words"
    return value.split()


def pybabel(*args: str) -> subprocess.CompletedProcess:
    """Run the pybabel command line of this interpreter from the project root."""
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603


def extract(output: Path) -> Path:
    """Extract the template into ``output`` exactly as ``make extract`` does."""
    done = pybabel("extract", *makefile_variable("POT_OPTIONS"), "--output-file", str(output),
                   *makefile_variable("POT_SOURCES"))
    assert done.returncode == 0, f"extraction failed:\n{done.stderr}"
    return output


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory) -> Path:
    """A template extracted now from the working tree."""
    return extract(tmp_path_factory.mktemp("extract") / "messages.pot")


def load(path: Path, locale: str | None = None) -> Catalog:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: {UPDATE}"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return load(POT)


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {lang: load(path, locale=lang) for lang, path in PO.items()}


def entries(catalog: Catalog) -> dict[tuple, Message]:
    """Messages by (msgid, context), the header left out."""
    return {(m.id, m.context): m for m in catalog if m.id}


def label(message: Message) -> str:
    text = message.id if isinstance(message.id, str) else message.id[0]
    return repr(text) + (f" (context {message.context!r})" if message.context else "")


def forms(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def fail_with(problems: list[str], advice: str) -> None:
    if problems:
        shown = "\n  ".join(problems[:40])
        more = f"\n  ... and {len(problems) - 40} more" if len(problems) > 40 else ""
        pytest.fail(f"{advice}\n  {shown}{more}")


# (a) The committed template is what the code and templates hold today.

def test_template_lists_the_messages_of_the_code_and_templates(template, fresh_pot):
    fresh = entries(load(fresh_pot))
    committed = entries(template)
    problems = [f"not in the template: {label(fresh[k])}" for k in fresh.keys() - committed.keys()]
    problems += [f"no longer in the code: {label(committed[k])}"
                 for k in committed.keys() - fresh.keys()]
    problems += [f"plural form changed: {label(fresh[k])}" for k in fresh.keys() & committed.keys()
                 if not isinstance(k[0], str) and fresh[k].id != committed[k].id]
    fail_with(sorted(problems), STALE)


def test_template_is_byte_identical_to_a_fresh_extraction(fresh_pot):
    committed = POT.read_text(encoding="utf-8")
    fresh = fresh_pot.read_text(encoding="utf-8")
    if committed != fresh:
        diff = difflib.unified_diff(committed.splitlines(), fresh.splitlines(),
                                    "committed messages.pot", "fresh extraction", lineterm="", n=1)
        pytest.fail(STALE + "\n" + "\n".join(list(diff)[:60]))


def test_extraction_is_deterministic(fresh_pot, tmp_path):
    again = extract(tmp_path / "again.pot")
    assert again.read_bytes() == fresh_pot.read_bytes(), "two extractions of the same tree differ"
    assert "POT-Creation-Date" not in again.read_text(encoding="utf-8")


# (b), (c) Every message is in both catalogs; Vietnamese has them all translated.

@pytest.mark.parametrize("lang", sorted(PO))
def test_catalog_holds_exactly_the_messages_of_the_template(lang, template, catalogs):
    catalog = catalogs[lang]
    wanted, held = entries(template), entries(catalog)
    problems = [f"missing: {label(wanted[k])}" for k in wanted.keys() - held.keys()]
    problems += [f"not in the template: {label(held[k])}" for k in held.keys() - wanted.keys()]
    problems += [f"obsolete entry: {label(m)}" for m in catalog.obsolete.values()]
    problems += [f"fuzzy (compiled catalogs leave it out): {label(m)}"
                 for m in held.values() if m.fuzzy]
    problems += [f"plural form differs from the template: {label(held[k])}"
                 for k in wanted.keys() & held.keys() if held[k].id != wanted[k].id]
    fail_with(sorted(problems), f"translations/{lang} is not in step with the template: {UPDATE}.")


@pytest.mark.parametrize("lang", sorted(PO))
def test_catalog_header_declares_language_and_plural_forms(lang, catalogs):
    catalog = catalogs[lang]
    assert str(catalog.locale) == lang
    assert catalog.plural_forms == PLURAL_FORMS[lang]
    assert catalog.charset.lower() == "utf-8"


def test_every_message_is_translated_into_vietnamese(catalogs):
    catalog = catalogs["vi"]
    problems = []
    for message in entries(catalog).values():
        texts = forms(message)
        if len(texts) != catalog.num_plurals or not all(t.strip() for t in texts):
            problems.append(f"untranslated: {label(message)}")
    fail_with(problems, "Translate these in translations/vi/LC_MESSAGES/messages.po:")


def test_english_translations_when_given_have_every_plural_form(catalogs):
    catalog = catalogs["en"]
    problems = [f"some plural forms empty: {label(m)}" for m in entries(catalog).values()
                if any(forms(m)) and not all(forms(m))]
    fail_with(problems, "An English msgstr is either empty (the msgid is shown) or complete:")


# (d) Placeholders survive translation, and every translation can be formatted.

def placeholders(text: str) -> tuple[frozenset, tuple, frozenset]:
    """Named printf placeholders with their conversion, positional ones in order, brace fields."""
    named, positional = set(), []
    for match in PRINTF.finditer(text):
        if match["conv"] == "%":
            continue
        if match["name"] is not None:
            named.add((match["name"], match["conv"]))
        else:
            positional.append(match["conv"])
    return frozenset(named), tuple(positional), frozenset(m["name"] for m in BRACES.finditer(text))


def expected_placeholders(message: Message, index: int, num_plurals: int) -> tuple:
    """The placeholders of the msgid that msgstr[index] stands for."""
    if isinstance(message.id, str):
        return placeholders(message.id)
    singular, plural = message.id[0], message.id[1]
    if num_plurals == 2 and index == 0:
        return placeholders(singular)
    return placeholders(plural)


def formats(text: str, positional: int) -> bool:
    """Whether ``text % values`` works, as gettext with variables (and Jinja, always) does it."""
    try:
        if positional:
            text % ((1,) * positional)
        else:
            text % collections.defaultdict(lambda: 1)
    except (ValueError, TypeError, KeyError):
        return False
    return True


@pytest.mark.parametrize("lang", sorted(PO))
def test_translations_keep_the_placeholders_of_the_msgid(lang, catalogs):
    catalog = catalogs[lang]
    problems = []
    for message in entries(catalog).values():
        for index, text in enumerate(forms(message)):
            if not text:
                continue
            want = expected_placeholders(message, index, catalog.num_plurals)
            got = placeholders(text)
            if got != want:
                problems.append(f"{label(message)}: msgstr[{index}] has {got}, expected {want}")
            source = message.id if isinstance(message.id, str) else message.id[-1]
            count = len(placeholders(source)[1])
            if formats(source, count) and not formats(text, count):
                problems.append(f"{label(message)}: msgstr[{index}] is not a valid format string "
                                "(write a literal percent sign as %%)")
    fail_with(problems, f"Placeholders differ in translations/{lang}/LC_MESSAGES/messages.po:")


def test_placeholder_parser_sees_names_positions_and_literals():
    assert placeholders("%(n)d of %(total)d, %s, 100%% and {unit}") == (
        frozenset({("n", "d"), ("total", "d")}), ("s",), frozenset({"unit"}))
    assert placeholders("Due in %(days)d days") != placeholders("Còn %(day)d ngày")
    assert not formats("Đạt 100%", 0) and formats("Đạt 100%%", 0)
    assert placeholders("100% sure") == (frozenset(), ("s",), frozenset())  # "% s" is a spec


def test_catalogs_compile_without_errors(tmp_path):
    for lang, path in PO.items():
        done = pybabel("compile", "--locale", lang, "--input-file", str(path),
                       "--output-file", str(tmp_path / f"{lang}.mo"))
        assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr


# (e) The Vietnamese is written in Vietnamese: diacritics present, precomposed, no stray letters.

def test_vietnamese_translations_use_vietnamese_diacritics(catalogs):
    sentences = [m for m in entries(catalogs["vi"]).values()
                 if len(WORD.findall(label(m))) >= 2 and any(forms(m))]
    with_marks = [m for m in sentences if any(ch in VIETNAMESE_LETTERS for ch in "".join(forms(m)))]
    assert len(sentences) >= 10, "too few Vietnamese entries to judge"
    share = len(with_marks) / len(sentences)
    bare = [label(m) for m in sentences if m not in with_marks]
    assert share >= 0.9, (
        f"only {share:.0%} of the Vietnamese translations of two words or more carry a Vietnamese "
        f"diacritic; were these typed without accents or left in English? {bare[:20]}")


def test_vietnamese_translations_are_not_copies_of_the_english(catalogs):
    problems = [f"same as the msgid: {label(m)}" for m in entries(catalogs["vi"]).values()
                if isinstance(m.id, str) and len(WORD.findall(m.id)) >= 3 and m.string == m.id]
    fail_with(problems, "Translate these into Vietnamese:")


def test_vietnamese_text_is_precomposed_and_uses_only_vietnamese_letters(catalogs):
    problems = []
    for message in entries(catalogs["vi"]).values():
        for text in forms(message):
            if not unicodedata.is_normalized("NFC", text):
                problems.append(f"decomposed accents (save as NFC): {label(message)}")
            strange = {ch for ch in text if ord(ch) > 127 and ch not in VIETNAMESE_LETTERS
                       and unicodedata.category(ch).startswith("L")}
            if strange:
                problems.append(f"not Vietnamese letters {sorted(strange)}: {label(message)}")
    fail_with(problems, "Fix the encoding of these Vietnamese translations:")


# The compiled catalogs are the ones the app uses, for template strings and lazy form labels alike.

def test_login_page_is_shown_in_the_language_asked_for(client, catalogs):
    compiled = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.mo"
    assert compiled.exists(), "the catalogs are not compiled: run `make translations`"
    vietnamese = {msgid: catalogs["vi"][msgid].string for msgid in ("Log in", "Username")}
    page = client.get("/login?lang=vi").get_data(as_text=True)
    for msgid, text in vietnamese.items():
        assert f">{text}<" in page, f"{msgid!r} is not shown as {text!r}: run `make translations`"
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert ">Log in<" in page and ">Username<" in page
    assert not any(f">{text}<" in page for text in vietnamese.values())
