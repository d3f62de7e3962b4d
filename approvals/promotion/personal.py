"""Personal ID numbers (居民身份证号码, GB 11643-1999): checked when stored, masked when shown.

Lists, application snapshots and documents show only the first four and last four
characters (``3310**********123X``); the full number is shown to the person alone.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    value = (value or "").strip().upper()
    if not value:
        return
    if not _SHAPE.match(value):
        raise ValidationError(_("「身份证号」应为 18 位，前 17 位为数字，末位为数字或 X。"))
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("「身份证号」第 7–14 位的出生日期不是有效日期。")) from None
    if check_digit(value[:17]) != value[17]:
        raise ValidationError(_("「身份证号」校验位不正确，请核对后重新填写。"))


def mask_id_number(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 9:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
