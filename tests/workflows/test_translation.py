"""The project's zh_Hans catalogue translates viewflow's English UI strings.

viewflow 2.4 ships an empty zh_Hans catalogue; locale/zh_Hans/LC_MESSAGES/django.po
(see locale/README.md) fills it. No database is needed here.
"""

import gettext as gettext_module
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext, pgettext

CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize(
    ("msgid", "chinese"),
    [
        ("Inbox", "待办"),
        ("Queue", "待认领"),
        ("Archive", "已办"),
        ("Log out", "退出登录"),
        ("Assign", "认领"),
        ("Unassign", "退回认领"),
        ("Process", "流程"),
        ("Task", "环节"),
        ("Dashboard", "概览"),
        ("Undo", "撤回"),
        ("Revive", "恢复"),
    ],
)
def test_a_viewflow_menu_string_is_chinese_in_zh_hans_and_english_in_en(msgid, chinese):
    with translation.override("zh-hans"):
        assert gettext(msgid) == chinese
    with translation.override("en"):
        assert gettext(msgid) == msgid


def test_task_and_process_statuses_read_as_chinese_office_terms():
    from viewflow.workflow.status import PROCESS, STATUS

    with translation.override("zh-hans"):
        assert str(STATUS.ASSIGNED.label) == "已认领"
        assert str(STATUS.STARTED.label) == "办理中"
        assert str(STATUS.DONE.label) == "已办结"
        assert str(PROCESS.CANCELED.label) == "已取消"
        assert pgettext("STATUS", "Error") == "出错"
    with translation.override("en"):
        assert str(STATUS.DONE.label) == "Done"


def test_viewflow_list_titles_and_templates_are_translated():
    from viewflow.workflow.flow.views.list import FlowArchiveListView, FlowInboxListView

    with translation.override("zh-hans"):
        assert str(FlowInboxListView.title) == "待办"
        assert str(FlowArchiveListView.title) == "已办"
        # task_detail.html renders transition labels with {% trans label %}
        rendered = Template("{% load i18n %}{% trans label %}").render(Context({"label": "Undo"}))
        assert rendered == "撤回"
        assert gettext("Task {task} has been assigned.").format(task="#1/2") == "任务 #1/2 已认领。"


def test_the_projects_chinese_msgids_pass_through_unchanged():
    with translation.override("zh-hans"):
        assert gettext("我的待办") == "我的待办"


def test_the_zh_hans_catalogue_holds_only_english_msgids():
    with open(CATALOGUE / "django.mo", "rb") as fh:
        catalog = gettext_module.GNUTranslations(fh)._catalog
    msgids = [k[0] if isinstance(k, tuple) else k for k in catalog if k]
    assert len(msgids) > 150
    assert [m for m in msgids if CJK.search(m)] == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) not installed")
def test_the_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE / "django.po")],
        check=True,
        capture_output=True,
    )
    with open(fresh, "rb") as a, open(CATALOGUE / "django.mo", "rb") as b:
        assert (
            gettext_module.GNUTranslations(a)._catalog == gettext_module.GNUTranslations(b)._catalog
        )
