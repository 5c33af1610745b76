"""Signs a PDF through Sigil's /csc/v1/ API with pyHanko's CSCSigner, then validates it.

Usage: pyhanko_csc_sign.py <server base URL> <CA PEM> <demo-account.properties> <out.pdf> [step offset]

The step offset (default 0) chooses which TOTP code of the accepted window to use, so that a test
that authorizes several times within one 30-second step can share the window.

pyHanko is the reference CSC v1 client: this script uses its CSCSigner as an integrator would,
with an authorization manager that sends the PIN and a TOTP code (RFC 6238, from the demo seed)
to credentials/authorize for the hash pyHanko computed. Exit code 0 only if the signature
validates as intact, valid and trusted (trusting the development CA only).
"""
import asyncio
import base64
import hashlib
import hmac
import io
import ssl
import struct
import sys
import time
from datetime import datetime, timedelta, timezone

import aiohttp
from asn1crypto import pem, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def properties(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                out[k] = v
    return out


def totp(seed_b32, step):
    key = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    h = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = h[-1] & 0x0F
    code = (struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return "%06d" % code


def minimal_pdf():
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    content = b"BT /F1 12 Tf 72 770 Td (Signed through Sigil) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


class PinAndOtpAuthorization(CSCAuthorizationManager):
    """Authorizes exactly the hashes pyHanko asks for, with the credential's PIN and a fresh code."""

    def __init__(self, session, session_info, credential_info, pin, seed, step_offset):
        super().__init__(session_info, credential_info)
        self.session = session
        self.pin = pin
        self.seed = seed
        self.step_offset = step_offset

    async def authorize_signature(self, hash_b64s):
        # Each code is accepted once; the server accepts one step either side of now.
        step = int(time.time()) // 30 + self.step_offset
        self.step_offset += 1
        body = {
            "credentialID": self.csc_session_info.credential_id,
            "numSignatures": len(hash_b64s),
            "hash": hash_b64s,
            "PIN": self.pin,
            "OTP": totp(self.seed, step),
        }
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, headers=self.auth_headers, json=body, raise_for_status=True) as r:
            answer = await r.json()
        return CSCAuthorizationInfo(
            sad=answer["SAD"],
            expires_at=datetime.now(timezone.utc) + timedelta(seconds=int(answer["expiresIn"])),
        )


async def main(base_url, ca_pem, account_file, out_pdf, step_offset="0"):
    account = properties(account_file)
    tls = ssl.create_default_context(cafile=ca_pem)
    connector = aiohttp.TCPConnector(ssl=tls)
    async with aiohttp.ClientSession(connector=connector) as session:
        login = base64.b64encode((account["user"] + ":" + account["password"]).encode()).decode()
        async with session.post(base_url.rstrip("/") + "/csc/v1/auth/login",
                                headers={"Authorization": "Basic " + login}, raise_for_status=True) as r:
            token = (await r.json())["access_token"]
        info = CSCServiceSessionInfo(base_url.rstrip("/"), account["credential.1"], oauth_token=token, api_ver="v1")
        credential = await fetch_certs_in_csc_credential(session, info)
        auth = PinAndOtpAuthorization(session, info, credential, account["credential.1.pin"], account["totp.seed"],
                                      int(step_offset))
        signer = CSCSigner(session, auth_manager=auth)
        writer = IncrementalPdfFileWriter(io.BytesIO(minimal_pdf()))
        output = io.BytesIO()
        await signers.async_sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1"),
                                     signer=signer, output=output)
    with open(out_pdf, "wb") as f:
        f.write(output.getvalue())

    with open(ca_pem, "rb") as f:
        _, _, der = pem.unarmor(f.read())
    reader = PdfFileReader(io.BytesIO(output.getvalue()))
    status = await async_validate_pdf_signature(reader.embedded_signatures[0],
                                                ValidationContext(trust_roots=[x509.Certificate.load(der)]))
    print(status.pretty_print_details())
    if not (status.intact and status.valid and status.trusted):
        print("pyHanko: the signature does NOT validate", file=sys.stderr)
        return 1
    print("pyHanko: signature intact, valid and trusted")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:6])))
