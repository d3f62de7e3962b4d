from django.urls import path
from django.utils.translation import gettext_lazy as _

from workflows.access import units_of
from workflows.site import ZhijiApplication

from . import views


def _bureaus(user) -> bool:
    return any(u.code in ("hrss", "finance") for u in units_of(user))


class SubsidiesApp(ZhijiApplication):
    title = _("补助与奖励")
    icon = "payments"
    app_name = "subsidies"
    links = (
        (_("预算指标"), "subsidies:lines", "account_balance", _bureaus),
        (_("竞赛获奖奖励"), "subsidies:awards", "military_tech", _bureaus),
    )
    visible_to = staticmethod(_bureaus)
    index_path = path("", views.lines, name="index")
    lines_path = path("lines/", views.lines, name="lines")
    rate_path = path("rates/", views.rate_save, name="rate_save")
    line_path = path("lines/<uuid:public_id>/", views.line_detail, name="line")
    awards_path = path("awards/", views.award_index, name="awards")
    preview_path = path("awards/preview/", views.award_preview, name="award_preview")
    confirm_path = path("awards/confirm/", views.award_confirm, name="award_confirm")
    award_path = path("awards/<uuid:public_id>/", views.award_detail, name="award")
    decide_path = path("awards/<uuid:public_id>/decide/", views.award_decide, name="award_decide")
    pay_path = path("awards/<uuid:public_id>/pay/", views.award_pay, name="award_pay")
    issue_path = path("awards/<uuid:public_id>/issue/", views.award_issue, name="award_issue")
    reissue_path = path(
        "awards/<uuid:public_id>/certificates/", views.certificates_issue, name="certificates_issue"
    )
    retry_path = path(
        "awards/<uuid:public_id>/certificates/retry/",
        views.certificates_retry,
        name="certificates_retry",
    )
    progress_path = path(
        "awards/<uuid:public_id>/progress/", views.award_progress, name="award_progress"
    )
    payment_list_path = path(
        "awards/<uuid:public_id>/payment-list.xlsx", views.payment_list, name="payment_list"
    )
    certificate_path = path(
        "certificates/<uuid:public_id>/", views.certificate_pdf, name="certificate"
    )
