"""The project's zh_Hans catalogue translates viewflow's English UI strings.

viewflow 2.4 ships an empty zh_Hans catalogue; locale/zh_Hans/LC_MESSAGES/django.po
(see locale/README.md) fills it. No database is needed here.
"""

import gettext as gettext_module
import json
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


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_zh_hans_catalogues_hold_only_english_msgids(domain):
    with open(CATALOGUE / f"{domain}.mo", "rb") as fh:
        catalog = gettext_module.GNUTranslations(fh)._catalog
    msgids = [k[0] if isinstance(k, tuple) else k for k in catalog if k]
    assert len(msgids) > (150 if domain == "django" else 1)
    assert [m for m in msgids if CJK.search(m)] == []


def test_the_zh_hans_po_was_not_run_through_makemessages():
    """`makemessages -l zh_Hans` would add the project's Chinese msgids and obsolete viewflow's."""
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert "\n#~ " not in po
    assert [m for m in re.findall(r'^msgid "(.*)"$', po, re.M) if CJK.search(m)] == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) not installed")
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_committed_mo_is_compiled_from_the_committed_po(domain, tmp_path):
    fresh = tmp_path / f"{domain}.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE / f"{domain}.po")],
        check=True,
        capture_output=True,
    )
    with open(fresh, "rb") as a, open(CATALOGUE / f"{domain}.mo", "rb") as b:
        fresh_catalog = gettext_module.GNUTranslations(a)._catalog
        assert fresh_catalog == gettext_module.GNUTranslations(b)._catalog


def test_a_signed_in_page_shows_viewflows_menu_in_chinese_and_english_after_switching(world, login):
    client = login(world.office_handler)
    # An English browser still gets Chinese (ChineseByDefaultMiddleware drops Accept-Language).
    page = client.get("/workbench/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "退出登录" in page
    assert "Log out" not in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/workbench/"})
    page = client.get("/workbench/").content.decode()
    assert "Log out" in page
    assert "退出登录" not in page


def test_list_column_headers_viewflow_builds_with_pretty_name_are_translated():
    from viewflow.views.list import DataSourceColumn, ObjectAttrColumn
    from viewflow.workflow.flow.views.list import FlowArchiveListView
    from viewflow.workflow.models import Task

    with translation.override("zh-hans"):
        assert str(ObjectAttrColumn(Task, "brief").header()) == "摘要"
        assert str(DataSourceColumn(FlowArchiveListView, "process_summary").header()) == "流程概要"
    with translation.override("en"):
        assert str(ObjectAttrColumn(Task, "brief").header()) == "Brief"


def test_list_pagination_and_bulk_actions_are_chinese():
    from types import SimpleNamespace

    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    paginator = Paginator(range(25), 10)
    context = {
        "page_obj": paginator.page(1),
        "paginator": paginator,
        "view": SimpleNamespace(page_kwarg="page"),
    }
    with translation.override("zh-hans"):
        html = render_to_string("viewflow/includes/list_pagination.html", context)
        assert "第 1–10 条，共 25 条" in html
        html = render_to_string("viewflow/includes/list_bulk_actions.html", {"actions": []})
        assert "全选" in html and "执行" in html
    with translation.override("en"):
        html = render_to_string("viewflow/includes/list_pagination.html", context)
        assert "1-10 of 25" in html


def test_the_javascript_catalogue_carries_viewflows_selection_counter(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    js = client.get("/jsi18n/").content.decode()
    assert json.dumps("已选 %(sel)s 项") in js  # JSON, with \u escapes


def test_the_task_filter_of_viewflow_lists_names_nodes_by_their_chinese_title(monkeypatch):
    from types import SimpleNamespace

    import viewflow.workflow.fields
    from viewflow.workflow.flow.views import filters

    from workflows.viewflow_i18n import flow_task_choices

    assert filters.get_queryset_flow_task_choices is flow_task_choices
    monkeypatch.setattr(viewflow.workflow.fields, "get_task_ref", lambda node: node.name)
    flow_class = SimpleNamespace(process_title="入选审批")
    titled = SimpleNamespace(flow_class=flow_class, name="approve", task_title="科室审核")
    untitled = SimpleNamespace(flow_class=flow_class, name="end", task_title="")

    class Nodes(list):
        def order_by(self, *a):
            return self

        def values_list(self, *a, **kw):
            return self

        def distinct(self):
            return self

    assert flow_task_choices(Nodes([titled, untitled])) == [
        ("approve", "入选审批/科室审核"),
        ("end", "入选审批/End"),
    ]
