"""Every Chinese text the code shows a reader is translatable and has its English entry.

Read from the source itself (no database): a Chinese msgid in ``_()`` / ``gettext*`` /
``pgettext*`` or ``{% trans %}`` must be translated in locale/en, and no refusal
(RuleViolation, Conflict, PermissionDenied, ValidationError) is raised with a bare Chinese
literal or f-string, which an English reader would get in Chinese. Stored texts
(``workflows.i18n.stored``) are Chinese by design and are not looked at here.
"""

import ast
import gettext as gettext_module
import re

from django.conf import settings

BASE = settings.BASE_DIR
APPS = ("tasks_registry", "workflows", "docs_gen", "approvals")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
PLAIN = {"_", "gettext", "gettext_lazy", "gettext_noop"}
WITH_CONTEXT = {"pgettext", "pgettext_lazy"}
REFUSALS = {"RuleViolation", "Conflict", "PermissionDenied", "ValidationError"}
TRANS_TAG = re.compile(r'{%\s*(?:trans|translate)\s+"([^"]+)"(?:\s+context\s+"([^"]+)")?')


def _catalogue() -> dict:
    with open(BASE / "locale" / "en" / "LC_MESSAGES" / "django.mo", "rb") as fh:
        return gettext_module.GNUTranslations(fh)._catalog


def _sources():
    for app in APPS:
        for path in sorted((BASE / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def test_every_chinese_msgid_in_the_code_has_an_english_translation():
    catalogue = _catalogue()
    untranslated = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name in PLAIN and node.args:
                key = _literal(node.args[0])
            elif name in WITH_CONTEXT and len(node.args) > 1:
                context, msgid = _literal(node.args[0]), _literal(node.args[1])
                key = f"{context}\x04{msgid}" if context and msgid else None
            else:
                continue
            if key and CJK.search(key) and not catalogue.get(key):
                untranslated.append(f"{path.relative_to(BASE)}:{node.lineno} {key}")
    assert untranslated == []


def test_every_chinese_trans_tag_in_the_templates_has_an_english_translation():
    catalogue = _catalogue()
    untranslated = []
    for app in (*APPS, "templates"):
        for path in sorted((BASE / app).rglob("*.html")):
            for match in TRANS_TAG.finditer(path.read_text(encoding="utf-8")):
                msgid, context = match.groups()
                msgid = msgid.replace("%", "%%")  # as the trans tag looks it up
                key = f"{context}\x04{msgid}" if context else msgid
                if CJK.search(msgid) and not catalogue.get(key):
                    untranslated.append(f"{path.relative_to(BASE)} {key}")
    assert untranslated == []


def test_no_refusal_is_raised_with_an_untranslatable_chinese_literal():
    literal = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            if _name(node.exc.func) not in REFUSALS:
                continue
            values = [*node.exc.args, *(k.value for k in node.exc.keywords)]
            for value in values:
                if isinstance(value, (ast.Constant, ast.JoinedStr)) and CJK.search(
                    ast.unparse(value)
                ):
                    literal.append(f"{path.relative_to(BASE)}:{node.lineno}")
    assert literal == []
