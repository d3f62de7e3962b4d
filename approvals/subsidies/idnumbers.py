"""Personal ID numbers (居民身份证号码, GB 11643-1999): validated, masked, shown in full
only to the HR and finance bureaus."""

import re
from datetime import date

from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """None when ``value`` is a well-formed 18-character ID number, else the reason in the
    active language, naming the field as refusals do: "「证件号码」…"."""
    value = (value or "").strip().upper()
    if not value:
        return _("「证件号码」为空")
    if len(value) != 18:
        return _("「证件号码」应为 18 位，当前 %(n)s 位") % {"n": len(value)}
    if not _SHAPE.match(value):
        return _("「证件号码」前 17 位应为数字，第 18 位为数字或 X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("「证件号码」中的出生日期不存在")
    if check_digit(value[:17]) != value[17]:
        return _("「证件号码」校验位错误（按 GB 11643 应为 %(digit)s）") % {
            "digit": check_digit(value[:17])
        }
    return None


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def mask(value: str) -> str:
    """331002********123X: the region and the last four kept, the birth date hidden."""
    value = normalize(value)
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def may_see_full(user) -> bool:
    """Only the HR bureau and the finance bureau see ID numbers in full."""
    from workflows.access import units_of

    return any(u.code in ("hrss", "finance") for u in units_of(user))
