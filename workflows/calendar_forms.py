"""The office enters a year's holidays and make-up working days (调休) the package lacks."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import NamedForm

LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(休|班)\s*(.*)$")


class CalendarYearForm(NamedForm):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2020, max_value=2100)
    basis = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=200,
        help_text=gettext_lazy(
            "国务院办公厅关于该年部分节假日安排的通知，如：国办发明电〔2026〕×号"
        ),
    )
    days = forms.CharField(
        label=gettext_lazy("节假日和调休"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=5000,
        help_text=gettext_lazy(
            "每行一天：日期、休或班、名称。例如“2027-01-01 休 元旦”“2027-02-07 班 春节调休”。"
            "只需列出与周一至周五不同的日子：放假的工作日（休）和调休上班的周末（班）。"
        ),
    )

    def clean(self):
        cleaned = super().clean()
        year, text = cleaned.get("year"), cleaned.get("days")
        if year is None or text is None:
            return cleaned
        days, errors = {}, []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            match = LINE.match(line)
            if match is None:
                errors.append(
                    _("第%(n)s行：应为“日期 休/班 名称”，如“2027-01-01 休 元旦”。") % {"n": number}
                )
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                errors.append(
                    _("第%(n)s行：%(d)s 不是有效日期。") % {"n": number, "d": match.group(1)}
                )
                continue
            working = match.group(2) == "班"
            if day.year != year:
                errors.append(
                    _("第%(n)s行：%(d)s 不在%(y)s年。") % {"n": number, "d": day, "y": year}
                )
            elif day in days:
                errors.append(_("第%(n)s行：%(d)s 重复。") % {"n": number, "d": day})
            elif working and day.weekday() < 5:
                errors.append(
                    _("第%(n)s行：%(d)s 是工作日，无需标注“班”。") % {"n": number, "d": day}
                )
            elif not working and day.weekday() >= 5:
                errors.append(
                    _("第%(n)s行：%(d)s 是周末，无需标注“休”。") % {"n": number, "d": day}
                )
            else:
                days[day] = (working, match.group(3).strip()[:40])
        if errors:
            self.add_error(
                "days", forms.ValidationError([_("「节假日和调休」") + e for e in errors])
            )
        elif not days:
            self.add_error("days", _("「节假日和调休」至少列出一天。"))
        cleaned["parsed"] = days
        return cleaned
