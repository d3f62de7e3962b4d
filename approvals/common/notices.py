"""How a decision document words its public notice: the period, and what came of the
objections. One wording for every procedure (the documents say what happened)."""

from .models import ObjectionStatus


def cn_date(day) -> str:
    """2026年11月18日, as 公文 write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_period(notice) -> str:
    return f"{cn_date(notice.starts_on)}至{cn_date(notice.ends_on)}"


def dismissed_objections(notice) -> int:
    return notice.objections.filter(status=ObjectionStatus.DISMISSED).count()


def publicity_clause(notice) -> str:
    """并于…至…公示无异议 / 公示期间收到异议N件，经核查均不成立 / 并经公示 (no notice)."""
    if notice is None:
        return "并经公示"
    dismissed = dismissed_objections(notice)
    if dismissed:
        return f"并于{notice_period(notice)}公示，公示期间收到异议{dismissed}件，经核查均不成立"
    return f"并于{notice_period(notice)}公示无异议"
