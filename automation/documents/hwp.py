"""HWP 5.0 (.hwp) → HWPX bytes, by python-hwpx's converter (experimental: tested on forms this
project generates and saves as HWP 5.0, not on a public corpus of real HWP files)."""

from __future__ import annotations

from automation.errors import DocumentError


class HwpRefused(DocumentError):
    """An .hwp file that cannot be read (the message says why, in Korean)."""


def hwp_to_hwpx(data: bytes) -> bytes:
    from hwpx.hwp5.errors import Hwp5Error
    from hwpx.hwp5.package import convert, to_hwpx_bytes

    try:
        return to_hwpx_bytes(convert(data).files)
    except Hwp5Error as exc:
        code = str(getattr(exc, "code", ""))
        if code in ("hwp5-password", "hwp5-distribution") or "encrypt" in code:
            raise HwpRefused("암호가 걸린 HWP 파일입니다. 암호를 풀고 다시 저장해 보내 주세요.") from exc
        if "not-hwp5" in code:
            raise HwpRefused(
                "HWP 5.0 문서가 아닙니다 (암호가 걸린 Word 문서이거나 다른 형식). 암호를 풀고 HWPX나 DOCX로 "
                "저장해 보내 주세요."
            ) from exc
        raise HwpRefused(
            f"HWP 파일을 읽지 못했습니다 ({code or '형식 오류'}). 한글에서 HWPX로 저장해 보내 주세요."
        ) from exc
