"""The plan's money rules (annex rows 8, 10, 13), applied, never retyped."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from workflows.exceptions import RuleViolation

from .models import ApprenticeshipRate, CompetitionClass, ProgrammeKind, yuan

PLAN = "《台州市职技融通改革实施方案》（台政办发〔2022〕11号）附件重点任务"
ROW_8 = f"{PLAN}第8项"
ROW_10 = f"{PLAN}第10项"
ROW_13 = f"{PLAN}第13项"

CENT = Decimal("0.01")

# --- row 8: hosting subsidy and competition awards -----------------------------------------
HOSTING_MIN = Decimal("30000.00")
HOSTING_MAX = Decimal("60000.00")

MASTER = "台州技能大师"
EXPERT = "台州市技术能手"


def award_for(competition_class: str, place: int) -> tuple[str | None, Decimal]:
    """(title, amount) that row 8 gives a place in a class: 一类 1st → 台州技能大师 and
    10,000 yuan; 一类 2nd–5th and 二类 1st–3rd → 台州市技术能手 and 5,000 yuan; else nothing."""
    if isinstance(place, bool) or not isinstance(place, int):
        return None, Decimal("0.00")  # only a whole-number place earns anything
    if competition_class == CompetitionClass.FIRST and place == 1:
        return MASTER, Decimal("10000.00")
    if (competition_class == CompetitionClass.FIRST and 2 <= place <= 5) or (
        competition_class == CompetitionClass.SECOND and 1 <= place <= 3
    ):
        return EXPERT, Decimal("5000.00")
    return None, Decimal("0.00")


def check_hosting_amount(amount: Decimal) -> None:
    if amount is None:
        raise RuleViolation(_("「核定补助金额」必填。"), field="amount")
    if amount < HOSTING_MIN or amount > HOSTING_MAX:
        raise RuleViolation(
            _(
                "「核定补助金额」%(amount)s 不在规定范围内：根据%(row)s，对承办全市职业技能大赛的单位"
                "给予 3万元-6万元（%(low)s 至 %(high)s）的工作经费补助。"
            )
            % {
                "amount": yuan(amount),
                "row": ROW_8,
                "low": yuan(HOSTING_MIN),
                "high": yuan(HOSTING_MAX),
            },
            field="amount",
        )


# --- row 10: apprenticeship subsidy --------------------------------------------------------


def apprenticeship_amount(*, year: int, programme_kind: str, apprentices: int) -> Decimal:
    """rate × apprentices; the rate is the year's for the programme kind, whatever the school
    (row 10: 职业院校 and 技工院校 alike — the school is not an argument)."""
    rate = ApprenticeshipRate.objects.filter(year=year, programme_kind=programme_kind).first()
    if rate is None:
        raise RuleViolation(
            _("%(year)s 年度尚未设定%(kind)s补贴标准，请财政局、人力社保局先设定（%(row)s）。")
            % {"year": year, "kind": ProgrammeKind(programme_kind).label, "row": ROW_10},
            field="programme_kind",
        )
    return (rate.rate * apprentices).quantize(CENT, ROUND_HALF_UP)


# --- row 13: social-training remuneration --------------------------------------------------
REMUNERATION_SHARE = Decimal("0.35")


def check_remuneration(*, income: Decimal, costs: Decimal, remuneration: Decimal) -> None:
    cap = (income * REMUNERATION_SHARE).quantize(CENT, ROUND_HALF_UP)
    if remuneration > cap:
        raise RuleViolation(
            _(
                "「拟发劳务报酬」%(r)s 超过培训收入 %(i)s 的 35%%（%(cap)s）：根据%(row)s，"
                "劳务报酬计发总量须控制在此项培训取得收入的 35%%以内。"
            )
            % {"r": yuan(remuneration), "i": yuan(income), "cap": yuan(cap), "row": ROW_13},
            field="remuneration",
        )
    surplus = income - costs - remuneration
    if surplus <= 0:
        raise RuleViolation(
            _(
                "「培训成本」与「拟发劳务报酬」之和 %(spent)s 不低于培训收入 %(i)s，项目没有结余："
                "根据%(row)s，要保证项目收支平衡有结余（收入 > 成本 + 劳务报酬）。"
            )
            % {"spent": yuan(costs + remuneration), "i": yuan(income), "row": ROW_13},
            field="remuneration",
        )
