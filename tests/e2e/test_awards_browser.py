"""The HR bureau imports a results sheet in the browser (preview, confirm); the award, budget
and budget-check pages at phone (390 px) and desk (1280 px) widths."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def test_the_hr_bureau_imports_results_and_the_pages_fit_a_phone(
    transactional_db, live_server, sign_in, tmp_path
):
    from approvals.subsidies.models import AwardImport, Purpose
    from tests.approvals.subsidies.conftest import (
        act,
        hosting_data,
        id_number,
        make_line,
        sheet,
        submit,
    )
    from tests.conftest import build_world

    world = build_world()
    make_line(world, Purpose.AWARDS, "200000")
    make_line(world, Purpose.HOSTING, "300000")
    path = tmp_path / "results.xlsx"
    path.write_bytes(
        sheet(
            [
                (1, "张三", id_number(1), "台州市精工机械有限公司", "数控车工项目", "一类", 1),
                (2, "李四", id_number(2), "台州市第一技工学校", "数控车工项目", "一类", 2),
                (
                    3,
                    "王五",
                    id_number(3)[:-1] + "0",
                    "台州市第一技工学校",
                    "数控车工项目",
                    "一类",
                    3,
                ),
            ]
        )
    )
    page = sign_in(world.hrss_handler, world.password)
    page.goto(f"{live_server.url}/subsidies/awards/")
    page.set_input_files("#id_sheet", str(path))
    follow(page, "text=上传并预览")
    assert "第 4 行" in page.content() and "确认导入" not in page.content()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"awards-preview-invalid-{width}")
    assert AwardImport.objects.count() == 0
    path.write_bytes(
        sheet(
            [
                (1, "张三", id_number(1), "台州市精工机械有限公司", "数控车工项目", "一类", 1),
                (2, "李四", id_number(2), "台州市第一技工学校", "数控车工项目", "一类", 2),
                (3, "王五", id_number(3), "台州市第一技工学校", "数控车工项目", "一类", 7),
            ]
        )
    )
    page.goto(f"{live_server.url}/subsidies/awards/")
    page.set_input_files("#id_sheet", str(path))
    follow(page, "text=上传并预览")
    follow(page, "text=确认导入")
    imp = AwardImport.objects.get()
    assert imp.total == Decimal("15000.00")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/subsidies/awards/{imp.public_id}/")
        screenshot(page, f"awards-detail-{width}")
        page.goto(f"{live_server.url}/subsidies/lines/")
        screenshot(page, f"budget-lines-{width}")

    app = submit("hosting", world.school, world.school_handler, world.school_head, hosting_data())
    act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("45000"))
    page.context.clear_cookies()
    page = sign_in(world.finance_handler, world.password)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/applications/{app.public_id}/")
        assert "¥45,000.00" in page.content()
        screenshot(page, f"hosting-budget-check-{width}")
