"""What an uploaded PDF proves about an issued document: its signatures (docs_gen.signing)
beside the registry (number, issuers, valid or revoked, the SHA-256 of the file issued).

``verification_report`` gives the same plain dict to the /verify/<code>/ page and to
``manage.py verify_pdf`` (which prints it as JSON). Texts are in the active language
(Chinese unless a visitor chose English).
"""

import hashlib

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import signing
from .models import DocumentStatus, OfficialDocument

# verdicts, the worst first: the report's verdict is the first that applies
VERDICTS = (
    "unreadable",
    "unsigned",
    "modified",
    "untrusted",
    "other_document",
    "wrong_signer",
    "not_registered",
    "revoked",
    "genuine",
)


def _when(dt) -> str:
    if not dt:
        return ""
    return formats.date_format(dt, pgettext("date and time with seconds", "Y年n月j日 H:i:s"))


def _day(dt) -> str:
    return formats.date_format(dt, "DATE_FORMAT") if dt else ""


def _names(names) -> str:
    return pgettext("punctuation", "、").join(names)


def expected_signers(document: OfficialDocument) -> list[str]:
    from .services import signing_parties

    return [p.name for p in signing_parties(document)]


def find_document(data: bytes, check: signing.PdfCheck) -> OfficialDocument | None:
    """The registry's document for a file: the one issued with these exact bytes, else
    the one whose verification code a signature names (a changed copy still says which
    document it claims to be)."""
    issued = OfficialDocument.objects.select_related("issuer__unit").filter(
        status__in=[DocumentStatus.ISSUED, DocumentStatus.REVOKED]
    )
    digest = hashlib.sha256(data).hexdigest()
    document = issued.filter(sha256=digest).first()
    if document is None:
        codes = [s.code for s in check.signatures if s.code]
        if codes:
            document = issued.filter(verification_code=codes[0]).first()
    return document


def _finding(label: str, text: str, ok: bool | None) -> dict:
    return {"label": label, "text": text, "ok": ok}


def _signature(sig: signing.SignatureCheck, index: int, document, expected) -> dict:
    findings = []
    if sig.problem:
        findings.append(
            _finding(_("签名"), _("无法校验：%(problem)s") % {"problem": sig.problem}, False)
        )
    else:
        matches = None if document is None else sig.signer in expected
        if matches is None:
            unit = sig.signer
        elif matches:
            unit = _("%(unit)s（与登记的发文机关一致）") % {"unit": sig.signer}
        else:
            unit = _("%(unit)s（与登记的发文机关%(issuers)s不符）") % {
                "unit": sig.signer,
                "issuers": _names(expected),
            }
        findings.append(_finding(_("签名单位"), unit, matches))
        if sig.timestamp:
            when = _("%(time)s（时间戳服务认证）") % {"time": _when(sig.timestamp)}
        else:
            when = _("%(time)s（签名者计算机的时间，未经时间戳认证）") % {
                "time": _when(sig.signing_time)
            }
        findings.append(_finding(_("签名时间"), when, None))
        if not sig.intact:
            changed = _("签名后文件内容被改动（签名的摘要与文件不符）")
        elif not sig.valid:
            changed = _("签名值无效：不是该证书的密钥所签")
        elif not sig.unchanged_after:
            changed = _("签名后文件被追加修改（如增加页面、改动内容）")
        elif sig.later_signatures_only:
            changed = _("签名后未被改动（其后只追加了其他发文机关的签名）")
        else:
            changed = _("签名后未被改动")
        findings.append(
            _finding(_("文件完整性"), changed, sig.intact and sig.valid and sig.unchanged_after)
        )
        if sig.trusted and sig.test_authority:
            trust = _(
                "证书由本系统的测试证书机构（%(ca)s）签发：可证明出自本系统，但不是国家电子印章"
            ) % {"ca": sig.certificate_issuer}
        elif sig.trusted:
            trust = _("证书链通向本系统信任的证书机构（%(ca)s）") % {"ca": sig.certificate_issuer}
        else:
            trust = _("证书不是本系统信任的证书机构签发的（签发者：%(ca)s）") % {
                "ca": sig.certificate_issuer or "?"
            }
        findings.append(_finding(_("证书"), trust, sig.trusted))
        if document is not None and sig.code and sig.code != document.verification_code:
            findings.append(
                _finding(
                    _("所属公文"),
                    _("该签名属于另一份公文（验证码 %(code)s）") % {"code": sig.code},
                    False,
                )
            )
    return {
        "number": index,
        "field": sig.field,
        "signer": sig.signer,
        "signer_subject": sig.signer_subject,
        "certificate_issuer": sig.certificate_issuer,
        "signing_time": sig.signing_time.isoformat() if sig.signing_time else None,
        "timestamp": sig.timestamp.isoformat() if sig.timestamp else None,
        "intact": sig.intact,
        "valid": sig.valid,
        "unchanged_after_signing": sig.unchanged_after,
        "later_signatures_only": sig.later_signatures_only,
        "trusted": sig.trusted,
        "test_authority": sig.test_authority,
        "code": sig.code,
        "reason": sig.reason,
        "problem": sig.problem,
        "findings": findings,
    }


def _registry(document: OfficialDocument, expected) -> dict:
    revoked = document.status == DocumentStatus.REVOKED
    if revoked:
        text = _("已作废（%(date)s，原因：%(reason)s）") % {
            "date": _day(document.revoked_at),
            "reason": document.revoked_reason or "—",
        }
    else:
        text = _("有效")
    return {
        "code": document.code_display,
        "number": document.number,
        "title": document.title,
        "issuers": expected,
        "issued_on": document.issued_on.isoformat() if document.issued_on else None,
        "status": "revoked" if revoked else "valid",
        "status_text": text,
        "revoked_at": document.revoked_at.isoformat() if document.revoked_at else None,
        "revoked_reason": document.revoked_reason if revoked else "",
    }


def _verdict(check, signatures, document, expected, registry) -> tuple[str, str]:
    sigs = check.signatures
    if not check.readable:
        return "unreadable", _("无法读取：上传的文件不是有效的 PDF。")
    if not sigs:
        return "unsigned", _(
            "文件不含数字签名：可能是重新打印、转换或截取的副本，不能证明其真实性。"
        )
    if any(not (s.intact and s.valid and s.unchanged_after) for s in sigs):
        return "modified", _("文件在签名后被改动，不是印发的原件。")
    if any(not s.trusted for s in sigs):
        return "untrusted", _("签名证书不是本系统信任的证书机构签发的，不能确认发文机关。")
    if document is None:
        return "not_registered", _("签名完好，但没有找到对应的公文登记。")
    if any(s.code and s.code != document.verification_code for s in sigs):
        return "other_document", _("文件的签名属于另一份公文，不是此验证码对应的公文。")
    signers = [s.signer for s in sigs]
    missing = [n for n in expected if n not in signers]
    if missing or any(s not in expected for s in signers):
        return "wrong_signer", _("签名单位与登记的发文机关不符（应由%(issuers)s签名）。") % {
            "issuers": _names(expected)
        }
    if registry["status"] == "revoked":
        return "revoked", _(
            "签名真实，文件未被改动，但该公文已作废（%(when)s，原因：%(reason)s）。"
        ) % {
            "when": _day(document.revoked_at),
            "reason": document.revoked_reason or "—",
        }
    return "genuine", _("真实有效：文件由%(signers)s签名，签名后未被改动，公文登记有效。") % {
        "signers": _names(signers)
    }


def verification_report(data: bytes, document: OfficialDocument | None) -> dict:
    """What ``data`` proves about ``document`` (None: not found in the registry)."""
    check = signing.verify_pdf(data)
    expected = expected_signers(document) if document is not None else []
    signatures = [
        _signature(sig, i, document, expected) for i, sig in enumerate(check.signatures, start=1)
    ]
    registry = _registry(document, expected) if document is not None else None
    digest = hashlib.sha256(data).hexdigest()
    verdict, text = _verdict(check, signatures, document, expected, registry)
    return {
        "verdict": verdict,
        "verdict_text": text,
        "genuine": verdict == "genuine",
        "file": {
            "sha256": digest,
            "readable": check.readable,
            "error": check.error,
            "matches_registry": None
            if document is None
            else bool(document.sha256) and digest == document.sha256,
        },
        "signatures": signatures,
        "registry": registry,
    }
