"""Dual-track promotion's rules (annex task 17), in one place: the mapping table between
technician qualifications and teacher titles with the conditions of each way across,
and the review committee's two-thirds rules.

The two-thirds rules follow 《职称评审管理暂行规定》（人力资源社会保障部令第40号）: a
session is valid only when at least two thirds of the committee's members attend; an
application passes when the yes votes reach at least two thirds of the members attending.
Integer arithmetic throughout (3 × part ≥ 2 × whole), never a rounded fraction.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.exceptions import RuleViolation

from .models import Grade, PromotionDetail, Route, Track

TASK_17 = (
    "《台州市职技融通改革实施方案》（台政办发〔2022〕11号）附件重点任务第17项"
    "“支持鼓励高技能人才在职业院校和技工院校任教，探索技师、高级技师资格与教师职称资格双线晋升”"
)
PANEL_RULE = "《职称评审管理暂行规定》（人力资源社会保障部令第40号）"
PANEL_MIN_MEMBERS = 5  # this platform's floor for one committee


@dataclass(frozen=True)
class RouteRule:
    route: Route
    held: Grade  # what the person must already hold (on their record)
    target: Grade  # what they ask for
    level: str  # the corresponding level (中级 / 副高级)
    min_years: (
        int  # teaching years at the school (to a title) or practice years (to a qualification)
    )
    min_hours: int = 0  # annual teaching hours (to a title)

    @property
    def to_title(self) -> bool:
        return self.target in (Grade.LECTURER, Grade.SENIOR_LECTURER)

    @property
    def direction(self) -> str:
        return Track.TEACHER.label if self.to_title else Track.TECHNICIAN.label

    def conditions(self) -> str:
        if self.to_title:
            return _("持%(held)s证书；在校任教满 %(y)s 年；年均教学工作量不少于 %(h)s 课时") % {
                "held": Grade(self.held).label,
                "y": self.min_years,
                "h": self.min_hours,
            }
        return _("具有%(held)s职称；从事申报职业（工种）实践累计满 %(y)s 年，写明实践工作内容") % {
            "held": Grade(self.held).label,
            "y": self.min_years,
        }


# The mapping table: the one statement of which qualification corresponds to which title.
ROUTES: tuple[RouteRule, ...] = (
    RouteRule(Route.TECHNICIAN_TO_LECTURER, Grade.TECHNICIAN, Grade.LECTURER, "中级", 2, 240),
    RouteRule(
        Route.SENIOR_TECHNICIAN_TO_SENIOR_LECTURER,
        Grade.SENIOR_TECHNICIAN,
        Grade.SENIOR_LECTURER,
        "副高级",
        5,
        240,
    ),
    RouteRule(Route.LECTURER_TO_TECHNICIAN, Grade.LECTURER, Grade.TECHNICIAN, "中级", 3),
    RouteRule(
        Route.SENIOR_LECTURER_TO_SENIOR_TECHNICIAN,
        Grade.SENIOR_LECTURER,
        Grade.SENIOR_TECHNICIAN,
        "副高级",
        5,
    ),
)
RULES = {r.route: r for r in ROUTES}
LEVEL_LABELS = {"中级": gettext_lazy("中级"), "副高级": gettext_lazy("副高级")}


def rule_for(route: str) -> RouteRule:
    return RULES[Route(route)]


# --- the review committee -------------------------------------------------------------


def quorum(members: int) -> int:
    """The fewest attending members that make a valid session: ⌈2/3 × members⌉."""
    return (2 * members + 2) // 3


def session_is_valid(members: int, attending: int) -> bool:
    return members > 0 and 3 * attending >= 2 * members


def passes(attending: int, yes: int) -> bool:
    """Yes votes reach two thirds of the members attending (none attending: never)."""
    return attending > 0 and 3 * yes >= 2 * attending


def votes_needed(attending: int) -> int:
    return (2 * attending + 2) // 3


# --- eligibility ----------------------------------------------------------------------


def _refuse(message: str, field: str):
    raise RuleViolation(message, field=field)


def check_route(detail: PromotionDetail, record) -> RouteRule:
    """The person holds what the route starts from, not yet what it leads to, and meets
    the route's conditions (annex task 17). Each refusal names its field."""
    rule = rule_for(detail.route)
    held = set(record.credentials.values_list("grade", flat=True)) if record else set()
    if rule.held not in held:
        _refuse(
            _(
                "「申报方向」不符合条件：根据%(task)s，按对应关系申报%(target)s须已取得%(held)s，"
                "本人档案中没有%(held)s记录。请先由学校在人员档案中登记，或选择其他方向。"
            )
            % {"task": TASK_17, "target": Grade(rule.target).label, "held": Grade(rule.held).label},
            "route",
        )
    if rule.target in held:
        _refuse(
            _("「申报方向」不符合条件：本人已取得%(target)s，无需再次申报（%(task)s）。")
            % {"target": Grade(rule.target).label, "task": TASK_17},
            "route",
        )
    if rule.to_title:
        if detail.teaching_years is None:
            _refuse(
                _("「在校任教年限」申报教师职称时必填（%(task)s）。") % {"task": TASK_17},
                "teaching_years",
            )
        if detail.teaching_years < rule.min_years:
            _refuse(
                _(
                    "「在校任教年限」不符合条件：根据%(task)s，%(route)s须在校任教满 %(n)s 年，"
                    "所填为 %(v)s 年。"
                )
                % {
                    "task": TASK_17,
                    "route": rule.route.label,
                    "n": rule.min_years,
                    "v": detail.teaching_years,
                },
                "teaching_years",
            )
        if detail.annual_hours is None:
            _refuse(
                _("「年均教学工作量（课时）」申报教师职称时必填（%(task)s）。") % {"task": TASK_17},
                "annual_hours",
            )
        if detail.annual_hours < rule.min_hours:
            _refuse(
                _(
                    "「年均教学工作量（课时）」不符合条件：根据%(task)s，%(route)s须年均教学工作量"
                    "不少于 %(n)s 课时，所填为 %(v)s 课时。"
                )
                % {
                    "task": TASK_17,
                    "route": rule.route.label,
                    "n": rule.min_hours,
                    "v": detail.annual_hours,
                },
                "annual_hours",
            )
        if not detail.courses.strip():
            _refuse(
                _("「主讲课程」申报教师职称时必填（%(task)s）。") % {"task": TASK_17}, "courses"
            )
    else:
        if not detail.occupation.strip():
            _refuse(
                _("「申报职业（工种）」申报技师资格时必填（%(task)s）。") % {"task": TASK_17},
                "occupation",
            )
        if detail.practice_years is None:
            _refuse(
                _("「本职业实践年限」申报技师资格时必填（%(task)s）。") % {"task": TASK_17},
                "practice_years",
            )
        if detail.practice_years < rule.min_years:
            _refuse(
                _(
                    "「本职业实践年限」不符合条件：根据%(task)s，%(route)s须从事本职业（工种）实践"
                    "累计满 %(n)s 年，所填为 %(v)s 年。"
                )
                % {
                    "task": TASK_17,
                    "route": rule.route.label,
                    "n": rule.min_years,
                    "v": detail.practice_years,
                },
                "practice_years",
            )
        if len(detail.practical_work.strip()) < 20:
            _refuse(
                _(
                    "「实践工作内容」申报技师资格时必填，至少 20 个字，写明实践岗位与任务（%(task)s）。"
                )
                % {"task": TASK_17},
                "practical_work",
            )
    return rule
