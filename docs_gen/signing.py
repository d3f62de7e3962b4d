"""PAdES signatures on issued documents (pyHanko), one per issuing unit, and their check.

Keys. Each issuing unit signs with its own key and an X.509 certificate naming it. Where a
unit's key comes from, first match wins:

1. ``DOCS_SIGNING_P12_<CODE>``: a PKCS#12 file (``<CODE>`` is the unit's code in capitals,
   ``-`` as ``_``: ``DOCS_SIGNING_P12_GOV_OFFICE``), its passphrase in
   ``DOCS_SIGNING_PASSPHRASE_<CODE>``;
2. ``DOCS_SIGNING_DIR/<code>.p12`` (same passphrase variable);
3. the local test authority, when ``DOCS_SIGNING_TEST_AUTHORITY`` is on (the embedded
   mode's default): a CA named as a test authority and a certificate per unit, made on
   first use under ``DOCS_SIGNING_DIR/test-authority/`` (``manage.py signing_keys
   --ensure`` makes them ahead). It is not a national electronic seal.

Otherwise signing fails and the rendering with it (stored on the document, retried by staff).

Signing (``sign_pdf``): PAdES baseline B-B, B-T when ``DOCS_TSA_URL`` names an RFC 3161
time-stamp service; one approval signature per issuer, in the issuers' order, each an
incremental update over the one before. A signature's widget lies over that issuer's seal
as the renderer drew it (GB/T 9704 §7.3.5.1) with an empty appearance: the seal on the page
is the one the renderer laid out, and clicking it opens the signature in a PDF reader.
Signing again is a no-op for the issuers who already signed.

Checking (``verify_pdf``): each signature's signer, signing time, whether the file changed
after it (digest, and pyHanko's analysis of later revisions), and whether the certificate
chains to an authority the project trusts (``DOCS_SIGNING_TRUST_ROOTS``, plus the test
authority when it is on). Pure PDF: the registry's side is ``selectors.verification_report``.
"""

import fcntl
import logging
import os
import re
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

TEST_AUTHORITY_NAME = "职技融通系统测试根证书（非国家电子印章）"
TEST_AUTHORITY_ORG = "台州市职技融通改革工作平台（测试用）"
TEST_UNIT_OU = "测试证书（非国家电子印章）"
FIELD_PREFIX = "Issuer"
VERIFY_CODE_RE = re.compile(r"/verify/([0-9A-Z]{4,12})/?$")


class SigningKeyMissing(Exception):
    """A unit has no signing key and the test authority is off."""


@dataclass(frozen=True)
class Party:
    """One issuer of a document, as signing needs it."""

    unit_code: str  # workflows.Unit.code: names the key
    name: str  # 发文机关全称: the certificate's subject in the test authority


@dataclass(frozen=True)
class SealBox:
    """Where a seal lies: page index from 0 and (x1, y1, x2, y2) in PDF points."""

    page: int
    rect: tuple[float, float, float, float]


# --- configuration -------------------------------------------------------------------
def env_code(unit_code: str) -> str:
    """A unit code as it appears in variable names: "gov-office" → "GOV_OFFICE"."""
    return re.sub(r"[^A-Z0-9]", "_", unit_code.upper())


def signing_dir() -> Path:
    return Path(settings.DOCS_SIGNING_DIR)


def authority_dir() -> Path:
    return signing_dir() / "test-authority"


def _file_name(unit_code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", unit_code) + ".p12"


def _configured_key(unit_code: str) -> tuple[Path, bytes | None] | None:
    code = env_code(unit_code)
    passphrase = (settings.DOCS_SIGNING_PASSPHRASES or {}).get(code)
    secret = passphrase.encode() if passphrase else None
    path = (settings.DOCS_SIGNING_P12 or {}).get(code)
    if path:
        return Path(path), secret
    in_dir = signing_dir() / _file_name(unit_code)
    if in_dir.is_file():
        return in_dir, secret
    return None


def key_source(party: Party) -> tuple[str, Path | None]:
    """("configured" | "test-authority" | "missing", the PKCS#12 file)."""
    configured = _configured_key(party.unit_code)
    if configured:
        return "configured", configured[0]
    if settings.DOCS_SIGNING_TEST_AUTHORITY:
        return "test-authority", authority_dir() / "units" / _file_name(party.unit_code)
    return "missing", None


# --- the local test authority --------------------------------------------------------
_lock = threading.Lock()


@contextmanager
def _authority_lock():
    """One process and one thread at a time make the authority's files (several Celery
    workers may sign their first document at once)."""
    directory = authority_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _lock, open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield directory
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_private(path: Path, data: bytes) -> None:
    """Atomically, readable by the owner only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _name(**attrs):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    oids = {
        "C": NameOID.COUNTRY_NAME,
        "O": NameOID.ORGANIZATION_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "CN": NameOID.COMMON_NAME,
    }
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attrs.items()])


def make_certificate(
    *,
    subject,
    issuer_name,
    public_key,
    issuer_key,
    ca: bool,
    days: int,
    issuer_public_key=None,
    extra_extensions=(),
):
    """An X.509 certificate (EC P-256 keys: fast to make and to sign with)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = datetime.now(UTC) - timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key or public_key),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    for extension, critical in extra_extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def ensure_test_authority():
    """(certificate, key) of the local test authority, made on first use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory = authority_dir()
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if not (cert_path.is_file() and key_path.is_file()):
        with _authority_lock():
            if not (cert_path.is_file() and key_path.is_file()):
                key = ec.generate_private_key(ec.SECP256R1())
                name = _name(C="CN", O=TEST_AUTHORITY_ORG, CN=TEST_AUTHORITY_NAME)
                cert = make_certificate(
                    subject=name,
                    issuer_name=name,
                    public_key=key.public_key(),
                    issuer_key=key,
                    ca=True,
                    days=20 * 365,
                )
                _write_private(
                    key_path,
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ),
                )
                # the certificate last: its presence says the pair is complete
                _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
                logger.info("docs signing: created the test authority in %s", directory)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return cert, key


def _unit_certificate_current(path: Path, party: Party, ca_cert) -> bool:
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    if not path.is_file():
        return False
    from cryptography.exceptions import InvalidSignature

    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), None)
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):  # unreadable, or another authority's
        return False
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    fresh = cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=30)
    return bool(names) and names[0].value == party.name and fresh


def ensure_test_certificate(party: Party) -> Path:
    """The unit's PKCS#12 file from the test authority (made, or made again when the
    unit's name changed, the authority changed or it expires within 30 days)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca_cert, ca_key = ensure_test_authority()
    path = authority_dir() / "units" / _file_name(party.unit_code)
    if _unit_certificate_current(path, party, ca_cert):
        return path
    with _authority_lock():
        if _unit_certificate_current(path, party, ca_cert):
            return path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = make_certificate(
            subject=_name(C="CN", O=party.name, OU=TEST_UNIT_OU, CN=party.name),
            issuer_name=ca_cert.subject,
            public_key=key.public_key(),
            issuer_key=ca_key,
            issuer_public_key=ca_key.public_key(),
            ca=False,
            days=5 * 365,
        )
        data = pkcs12.serialize_key_and_certificates(
            party.unit_code.encode(), key, cert, [ca_cert], serialization.NoEncryption()
        )
        _write_private(path, data)
        logger.info("docs signing: test certificate for %s in %s", party.name, path)
    return path


# --- keys, loaded once per file version ------------------------------------------------
_signers: dict[tuple, object] = {}


def signer_for(party: Party):
    """The pyHanko signer of ``party`` (raises SigningKeyMissing)."""
    from pyhanko.sign import signers

    source, path = key_source(party)
    passphrase = None
    if source == "missing":
        raise SigningKeyMissing(
            f"发文机关 {party.name} 没有签名证书：请设置 DOCS_SIGNING_P12_{env_code(party.unit_code)}"
            f"（PKCS#12 文件）或把 {_file_name(party.unit_code)} 放入 {signing_dir()}"
        )
    if source == "test-authority":
        path = ensure_test_certificate(party)
    else:
        passphrase = _configured_key(party.unit_code)[1]
    stat = path.stat()
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size, passphrase)
    signer = _signers.get(cache_key)
    if signer is None:
        signer = signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=(), passphrase=passphrase
        )
        if signer is None:
            raise SigningKeyMissing(f"发文机关 {party.name} 的签名证书无法读取：{path}")
        _signers[cache_key] = signer
    return signer


def trust_roots() -> list:
    """The authorities whose certificates count as the project's (asn1crypto certificates):
    DOCS_SIGNING_TRUST_ROOTS (PEM or DER files) and the test authority when it is on."""
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys import load_certs_from_pemder

    roots = []
    for path in settings.DOCS_SIGNING_TRUST_ROOTS or ():
        roots.extend(load_certs_from_pemder([path]))
    if settings.DOCS_SIGNING_TEST_AUTHORITY:
        from asn1crypto import x509 as asn1_x509

        ca_cert, _key = ensure_test_authority()
        roots.append(asn1_x509.Certificate.load(ca_cert.public_bytes(serialization.Encoding.DER)))
    return roots


# --- signing ---------------------------------------------------------------------------
def field_name(index: int, party: Party) -> str:
    return f"{FIELD_PREFIX}{index + 1}-" + re.sub(r"[^A-Za-z0-9_-]", "_", party.unit_code)


def _timestamper():
    url = settings.DOCS_TSA_URL
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=settings.DOCS_TSA_TIMEOUT)


def _filled_fields(writer) -> set[str]:
    if "/AcroForm" not in writer.root:
        return set()
    from pyhanko.sign.fields import enumerate_sig_fields

    return {name for name, value, _ref in enumerate_sig_fields(writer) if value is not None}


def _reserve(pdf_signer, timestamper) -> int | None:
    """Room for the signature container, in hex digits. Without a time-stamp service its
    size is known from the certificates it embeds (pyHanko would otherwise sign twice,
    once to measure: about two thirds of the signing time); with one, pyHanko measures."""
    if timestamper is not None:
        return None
    signer = pdf_signer.signer
    certs = [signer.signing_cert, *signer.cert_registry]
    size = sum(len(c.dump()) for c in certs) + 2048  # signature, attributes, structure
    return 2 * (-(-size // 512) * 512)


def outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous calls run their own event loop (``asyncio.run``), which fails in
    a thread where one runs already (an ASGI server, Playwright's sync API in the tests): run
    them in a thread of their own there."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(
    pdf: bytes,
    parties: Sequence[Party],
    *,
    seals: Sequence[SealBox] = (),
    reason: str = "",
    location: str = "",
) -> bytes:
    """``pdf`` signed by each of ``parties`` in order; party ``i`` over ``seals[i]`` (an
    invisible widget when there is no such seal). Issuers whose field is already signed
    are skipped, so signing a signed file again changes nothing."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import NoOpStampStyle

    timestamper = _timestamper()
    for index, party in enumerate(parties):
        name = field_name(index, party)
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        if name in _filled_fields(writer):
            continue
        seal = seals[index] if index < len(seals) else None
        spec = fields.SigFieldSpec(
            sig_field_name=name,
            on_page=seal.page if seal else 0,
            box=tuple(round(v, 2) for v in seal.rect) if seal else None,
        )
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason or None,
            location=location or None,
            name=party.name,
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer_for(party),
            timestamper=timestamper,
            stamp_style=NoOpStampStyle(),
            new_field_spec=spec,
        )
        output = BytesIO()
        outside_event_loop(
            pdf_signer.sign_pdf,
            writer,
            output=output,
            bytes_reserved=_reserve(pdf_signer, timestamper),
        )
        pdf = output.getvalue()
    return pdf


# --- checking --------------------------------------------------------------------------
@dataclass
class SignatureCheck:
    field: str
    signer: str  # the certificate's organisation (or common name)
    signer_subject: str
    certificate_issuer: str
    signing_time: datetime | None
    timestamp: datetime | None  # from a trusted time-stamp token (B-T)
    intact: bool  # the signed bytes are unchanged (digest)
    valid: bool  # the signature over them is the certificate's key's
    unchanged_after: bool  # nothing but later signatures was added after it
    later_signatures_only: bool  # the file grew after it, by later signatures only
    trusted: bool  # the certificate chains to an authority the project trusts
    test_authority: bool  # … and that authority is the local test authority
    code: str  # the verification code its location names
    reason: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.unchanged_after and self.trusted


@dataclass
class PdfCheck:
    readable: bool
    signatures: list[SignatureCheck] = field(default_factory=list)
    error: str = ""


def _name_part(name, key: str) -> str:
    native = name.native
    value = native.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value or ""


def _local(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    from django.utils import timezone

    return timezone.localtime(dt)


def _check_signature(embedded, revisions: int, later: set[int], roots) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    status = outside_event_loop(validate_pdf_signature, embedded, context)
    cert = status.signing_cert
    signed_revision = embedded.signed_revision
    after = set(range(signed_revision + 1, revisions))
    entire = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    by_signatures = bool(after) and after <= later
    level = status.modification_level
    unchanged = status.intact and (
        entire
        or (
            by_signatures
            and level is not None
            and level <= ModificationLevel.FORM_FILLING
            and status.docmdp_ok is not False
        )
    )
    location = str(embedded.sig_object.get("/Location", "") or "")
    match = VERIFY_CODE_RE.search(location)
    test_root = None
    if settings.DOCS_SIGNING_TEST_AUTHORITY and status.validation_path is not None:
        test_root = status.validation_path.trust_anchor.authority.name.native.get("common_name")
    ts = status.timestamp_validity
    return SignatureCheck(
        field=embedded.field_name,
        signer=_name_part(cert.subject, "organization_name")
        or _name_part(cert.subject, "common_name"),
        signer_subject=cert.subject.human_friendly,
        certificate_issuer=_name_part(cert.issuer, "common_name") or cert.issuer.human_friendly,
        signing_time=_local(status.signer_reported_dt),
        timestamp=_local(ts.timestamp) if ts is not None and ts.valid and ts.trusted else None,
        intact=status.intact,
        valid=status.valid,
        unchanged_after=bool(unchanged),
        later_signatures_only=bool(unchanged and not entire),
        trusted=status.trusted,
        test_authority=status.trusted and test_root == TEST_AUTHORITY_NAME,
        code=match.group(1) if match else "",
        reason=str(embedded.sig_object.get("/Reason", "") or ""),
    )


def verify_pdf(data: bytes) -> PdfCheck:
    """Every signature of ``data`` checked, in signing order. Never raises on a bad file:
    an unreadable one gives ``readable=False``."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    roots = trust_roots()
    # an uploaded file is anything: whatever pyHanko's parser raises on it is a report
    # ("unreadable", "this signature cannot be checked"), never a 500
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = sorted(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)
        revisions = reader.xrefs.total_revisions
    except Exception as exc:  # noqa: BLE001 - see above
        logger.info("docs signing: unreadable upload: %s: %s", type(exc).__name__, exc)
        return PdfCheck(readable=False, error=f"{type(exc).__name__}: {exc}"[:300])
    checks = []
    for i, sig in enumerate(embedded):
        later = {s.signed_revision for s in embedded[i + 1 :]}
        try:
            checks.append(_check_signature(sig, revisions, later, roots))
        except Exception as exc:  # noqa: BLE001 - see above
            logger.info("docs signing: signature not checkable: %s: %s", type(exc).__name__, exc)
            checks.append(_broken(sig, f"{type(exc).__name__}: {exc}"[:300]))
    return PdfCheck(readable=True, signatures=checks)


def _broken(embedded, problem: str) -> SignatureCheck:
    try:
        name = embedded.field_name or ""
    except Exception:  # noqa: BLE001 - see verify_pdf
        name = ""
    return SignatureCheck(
        field=name,
        signer="",
        signer_subject="",
        certificate_issuer="",
        signing_time=None,
        timestamp=None,
        intact=False,
        valid=False,
        unchanged_after=False,
        later_signatures_only=False,
        trusted=False,
        test_authority=False,
        code="",
        reason="",
        problem=problem,
    )
