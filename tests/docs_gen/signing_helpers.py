"""Helpers for the signature tests: a foreign authority, tampered copies, pdfsig with a
trust store holding the project's authority, a time-stamp service on the loopback."""

import asyncio
import http.server
import subprocess
import threading
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from docs_gen import signing


def authority(name: str = "另一个证书机构"):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = signing._name(C="CN", O=name, CN=name)
    cert = signing.make_certificate(
        subject=subject,
        issuer_name=subject,
        public_key=key.public_key(),
        issuer_key=key,
        ca=True,
        days=365,
    )
    return cert, key


def unit_p12(ca_cert, ca_key, name: str, passphrase: bytes | None = None) -> bytes:
    """A PKCS#12 for a unit called ``name``, issued by (ca_cert, ca_key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = signing.make_certificate(
        subject=signing._name(C="CN", O=name, CN=name),
        issuer_name=ca_cert.subject,
        public_key=key.public_key(),
        issuer_key=ca_key,
        issuer_public_key=ca_key.public_key(),
        ca=False,
        days=365,
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(b"unit", key, cert, [ca_cert], encryption)


def sign_with_p12(pdf: bytes, p12: bytes, name: str = "台州市教育局") -> bytes:
    """``pdf`` signed (PAdES) by the key in ``p12``, outside the project's key lookup."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=())
    meta = signers.PdfSignatureMetadata(
        field_name="Forged", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = BytesIO()
    signers.PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out)
    return out.getvalue()


def flip_content_byte(pdf: bytes) -> bytes:
    """One byte changed inside the first page's content stream (in the signed range)."""
    at = pdf.index(b"stream", pdf.index(b"/Contents")) + 40
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def append_page(pdf: bytes) -> bytes:
    """A blank page added in an incremental update, as an editor saving in place does."""
    from pypdf import PdfWriter

    writer = PdfWriter(BytesIO(pdf), incremental=True)
    writer.add_blank_page(595, 842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def reprint(pdf: bytes, tmp_path: Path) -> bytes:
    """The PDF printed to PDF again (poppler's pdftocairo): same pages, no signature."""
    src, dst = tmp_path / "in.pdf", tmp_path / "reprinted.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftocairo", "-pdf", str(src), str(dst)], check=True, timeout=60)
    return dst.read_bytes()


def nss_trusting(ca_pem: Path, directory: Path) -> Path:
    """An NSS database (what pdfsig checks certificates against) trusting ``ca_pem``."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True, timeout=60
    )
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{directory}", "-n", "zhiji", "-t", "CT,C,C", "-i", ca_pem],
        check=True,
        timeout=60,
    )
    return directory


def pdfsig(pdf: bytes, tmp_path: Path, nssdir: Path | None = None) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    args = ["pdfsig", *(["-nssdir", f"sql:{nssdir}"] if nssdir else []), str(path)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


@contextmanager
def time_stamp_service(ca_cert, ca_key):
    """An RFC 3161 time-stamp service on 127.0.0.1 (pyHanko's test TSA, RSA-only, behind
    a real HTTP server); yields its URL."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = signing.make_certificate(
        subject=signing._name(C="CN", O="测试时间戳服务", CN="测试时间戳服务"),
        issuer_name=ca_cert.subject,
        public_key=key.public_key(),
        issuer_key=ca_key,
        issuer_public_key=ca_key.public_key(),
        ca=False,
        days=365,
        extra_extensions=[(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)],
    )
    der = serialization.Encoding.DER
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        certs_to_embed=[asn1_x509.Certificate.load(ca_cert.public_bytes(der))],
    )
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(body)
            response = asyncio.run(
                tsa.async_request_tsa_response(tsp.TimeStampReq.load(body))
            ).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", requests
    finally:
        server.shutdown()
        server.server_close()
