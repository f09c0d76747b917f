"""Messages for a person about registry reverts during accreditation, in Vietnamese and English.

``hocba.revert`` decodes a revert into the Solidity error name and its arguments.
This module turns that into a message for the Department or an accreditor that
states what failed and what to do next.
"""

from __future__ import annotations

from hocba.errors import HocbaError, RegistryRevertError

__all__ = ["error_messages"]

# Error name -> (Vietnamese, English); {placeholders} are the error's arguments.
_MESSAGES: dict[str, tuple[str, str]] = {
    "OwnableUnauthorizedAccount": (
        "Chỉ tài khoản của Sở GD&ĐT mới được thực hiện thao tác này.",
        "Only the Department's account may do this."),
    "RegistryZeroAddress": ("Địa chỉ tài khoản trống.", "The account address is empty."),
    "RegistryEmptyName": ("Tên không được để trống.", "The name is empty."),
    "RegistryEmptySchoolCode": ("Mã trường không được để trống.", "The school code is empty."),
    "RegistryInvalidAdminUnitCode": ("Mã đơn vị hành chính không hợp lệ.",
                                     "The administrative unit code is invalid."),
    "RegistryNotAccreditor": (
        "Tài khoản {account} không phải đơn vị công nhận đang hoạt động (chưa được chỉ định "
        "hoặc đã bị gỡ).",
        "Account {account} is not an active accreditor (never appointed, or removed)."),
    "RegistryAccreditorAlreadyAppointed": (
        "Đơn vị này đã được chỉ định từ khối {appointedBlock}; mỗi tài khoản chỉ được chỉ định "
        "một lần.",
        "This accreditor was already appointed in block {appointedBlock}; an account is "
        "appointed once."),
    "RegistryUnknownIssuer": ("Trường chưa được công nhận trên sổ đăng ký.",
                              "The school is not accredited on the registry."),
    "RegistryIssuerAlreadyAccredited": (
        "Tài khoản trường đã được công nhận từ khối {accreditedFrom}.",
        "The school account was already accredited in block {accreditedFrom}."),
    "RegistryIssuerWithdrawn": (
        "Trường đã bị rút công nhận (từ khối {cutoffBlock}); không thể đổi tên hay thêm khóa.",
        "The school's accreditation was withdrawn (from block {cutoffBlock}); it cannot be "
        "renamed or given keys."),
    "RegistryNotIssuerAccreditor": (
        "Đơn vị của bạn không phải đơn vị đang quản lý trường này.",
        "Your unit is not the accreditor that supervises this school."),
    "RegistryNotIssuerOrAccreditor": (
        "Chỉ trường hoặc đơn vị đang quản lý trường mới được thu hồi khóa này.",
        "Only the school or its supervising accreditor may revoke this key."),
    "RegistryAlreadySupervising": ("Trường đã thuộc đơn vị này.",
                                   "The school is already supervised by this accreditor."),
    "RegistryCutoffInFuture": (
        "Khối ngừng hiệu lực {cutoff} nằm trong tương lai (khối hiện tại: {current}).",
        "The cut-off block {cutoff} lies in the future (current block: {current})."),
    "RegistryCutoffBeforeStart": (
        "Khối ngừng hiệu lực {cutoff} nằm trước khối bắt đầu hiệu lực {start}.",
        "The cut-off block {cutoff} lies before the start block {start}."),
    "RegistryCutoffNotEarlier": (
        "Đã có khối ngừng hiệu lực {existing}; chỉ được dời sớm hơn, không được dời muộn hơn.",
        "A cut-off at block {existing} is already set; it can only move earlier."),
    "RegistryZeroKey": ("Khóa công khai trống.", "The public key is empty."),
    "RegistryKeyAlreadyAdded": (
        "Khóa này đã được đăng ký cho trường từ khối {addedBlock}; một khóa chỉ đăng ký một lần.",
        "This key was already registered for the school in block {addedBlock}; a key is "
        "registered once."),
    "RegistryUnknownKey": ("Khóa này chưa từng được đăng ký cho trường.",
                           "This key was never registered for the school."),
}


def error_messages(error: HocbaError) -> tuple[str, str]:
    """Return the (Vietnamese, English) messages for an error raised by an accreditation step."""
    if not isinstance(error, RegistryRevertError):
        return error.message_vi, str(error)
    known = _MESSAGES.get(error.error_name)
    if known is None:
        return (f"Sổ đăng ký từ chối giao dịch ({error.error_name}).",
                f"The registry rejected the transaction ({error.error_name}).")
    arguments = {name: value for name, value in error.args_by_name.items()}
    try:
        return known[0].format(**arguments), known[1].format(**arguments)
    except (KeyError, IndexError):
        return known[0], known[1]
