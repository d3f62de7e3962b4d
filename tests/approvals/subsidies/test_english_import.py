"""The competition-results import preview says why a row is invalid in the reader's language."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from .conftest import sheet
from .test_awards import bad_rows

pytestmark = pytest.mark.django_db


def _preview(client):
    response = client.post(
        reverse("subsidies:award_preview"),
        {"sheet": SimpleUploadedFile("results.xlsx", sheet(bad_rows())), "title": ""},
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_an_english_reader_is_told_in_english_why_each_row_is_invalid(world, login):
    client = login(world.hrss_handler)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _preview(client)
    for english in (
        "Name: empty",
        "ID number: wrong check digit (by GB 11643 it should be",
        "Place: 2.5 is not a whole number",
        "Competition class: \u201c四类\u201d is not class 1, 2 or 3",  # the typed value stays
        "The same person appears twice in the same competition (same ID number as row 6)",
        "Place: 第一 is not a whole number",
        "Place: 0 is invalid; a place is a whole number of 1 or more",
    ):
        assert english in page, english
    for chinese in (
        "「姓名」为空",
        "校验位错误",
        "不是整数",
        "不是一类、二类或三类",
        "重复出现",
        "无效",
    ):
        assert chinese not in page, chinese


def test_a_chinese_reader_still_reads_the_chinese_reasons(world, login):
    page = _preview(login(world.hrss_handler, Client()))
    assert "「姓名」为空" in page
    assert "「证件号码」校验位错误（按 GB 11643 应为" in page
    assert "「名次」2.5 不是整数" in page
    assert "Name: empty" not in page
