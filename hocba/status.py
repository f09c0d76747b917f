"""Verification statuses, their precedence, and the checks behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Check", "Status", "VerificationResult", "overall_status"]


class Status(StrEnum):
    """Overall verdict of one verification, listed in precedence order."""

    MALFORMED = "malformed"
    TAMPERED = "tampered"
    WRONG_NETWORK = "wrong_network"
    UNAVAILABLE = "unavailable"
    NOT_ANCHORED = "not_anchored"
    KEY_NOT_VALID = "key_not_valid"
    ISSUER_NOT_ACCREDITED = "issuer_not_accredited"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"

    @property
    def label_vi(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    def label(self, lang: str) -> str:
        return self.label_vi if lang == "vi" else self.label_en


_LABELS: dict[Status, tuple[str, str]] = {
    Status.MALFORMED: ("Không đọc được văn bản", "Malformed document"),
    Status.TAMPERED: ("Văn bản đã bị sửa đổi", "Tampered document"),
    Status.WRONG_NETWORK: ("Không thuộc mạng được tin cậy", "Wrong network"),
    Status.UNAVAILABLE: ("Chưa kiểm tra được: không đọc được chuỗi khối",
                         "Cannot check now: the chain is unavailable"),
    Status.NOT_ANCHORED: ("Chưa được ghi nhận trên chuỗi khối", "Not anchored"),
    Status.KEY_NOT_VALID: ("Khóa ký không còn hiệu lực", "Signing key not valid"),
    Status.ISSUER_NOT_ACCREDITED: ("Đơn vị cấp không được công nhận",
                                   "Issuer not accredited"),
    Status.REVOKED: ("Văn bản đã bị thu hồi", "Revoked"),
    Status.SUSPENDED: ("Văn bản đang bị tạm đình chỉ", "Suspended"),
    Status.EXPIRED: ("Văn bản đã hết hạn", "Expired"),
    Status.NOT_YET_VALID: ("Văn bản chưa có hiệu lực", "Not yet valid"),
    Status.VALID: ("Hợp lệ", "Valid"),
}

_PRECEDENCE = list(Status)


@dataclass(frozen=True)
class Check:
    """One step of a verification: a machine code, whether it passed, and messages."""

    code: str
    passed: bool
    status: Status | None
    message_vi: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "passed": self.passed,
            "status": self.status.value if self.status else None,
            "message": {"vi": self.message_vi, "en": self.message_en},
            **({"details": self.details} if self.details else {}),
        }


def overall_status(checks: list[Check]) -> Status:
    """Return the highest-precedence status among failed checks, else valid."""
    failed = [check.status for check in checks if not check.passed and check.status]
    if not failed:
        return Status.VALID
    return min(failed, key=_PRECEDENCE.index)


@dataclass
class VerificationResult:
    """The verdict of one verification and the checks behind it."""

    status: Status
    checks: list[Check]
    credential_id: str | None = None
    issuer: dict[str, Any] | None = None
    subject: dict[str, Any] | None = None
    anchored: dict[str, Any] | None = None
    block: int | None = None
    source: str = ""

    @property
    def valid(self) -> bool:
        return self.status is Status.VALID

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "label": {"vi": self.status.label_vi, "en": self.status.label_en},
            "source": self.source,
            "credentialId": self.credential_id,
            "issuer": self.issuer,
            "subject": self.subject,
            "anchored": self.anchored,
            "checkedAtBlock": self.block,
            "checks": [check.to_json() for check in self.checks],
        }
