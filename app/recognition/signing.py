"""Attestations signed with the organisation's certificate (PAdES, pyHanko). Loaded only by an organisation that
signs (see `documents.sign_pades`): its libraries weigh about 24 MB in a worker."""

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter


def load_signer(pkcs12_path, password):
    """The signer of a PKCS#12 file (certificate and key), or None when it cannot be read with `password`."""
    try:
        return signers.SimpleSigner.load_pkcs12(pfx_file=pkcs12_path,
                                                passphrase=(password or "").encode("utf-8") or None)
    except OSError:
        return None


def sign(pdf, signer, reason, location=""):
    """The PDF signed as PAdES, in an incremental update that keeps its tags."""
    metadata = signers.PdfSignatureMetadata(field_name="Signature", subfilter=SigSeedSubFilter.PADES, reason=reason,
                                            location=location or None)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer).getvalue()
