"""The words on the accreditation pages (Department and accreditors), Vietnamese and English."""

from __future__ import annotations

__all__ = ["ACTION_TITLES", "AUDIT_ACTIONS", "EVENT_NAMES", "WORDS"]

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "department_title": "Sở GD&ĐT: đơn vị công nhận và trường",
        "department_intro": "Sở chỉ định các đơn vị công nhận (UBND xã, phường hoặc chính Sở). "
                            "Mỗi đơn vị công nhận đăng ký và quản lý các trường trên địa bàn. "
                            "Mọi thao tác là giao dịch trên sổ đăng ký (chuỗi khối) và được ghi "
                            "vào nhật ký.",
        "accreditor_title": "Đơn vị công nhận",
        "accreditor_intro": "Các trường do đơn vị của bạn quản lý. Mọi thao tác là giao dịch trên "
                            "sổ đăng ký (chuỗi khối) và được ghi vào nhật ký.",
        "accreditors": "Đơn vị công nhận",
        "unit": "Đơn vị",
        "supervisor": "Đơn vị quản lý",
        "schools": "Các trường",
        "school_history": "Lịch sử trên sổ đăng ký",
        "appoint": "Chỉ định đơn vị công nhận",
        "register": "Đăng ký trường mới",
        "unit_code": "Mã đơn vị hành chính (2 chữ số: tỉnh/thành; 5 chữ số: xã/phường)",
        "unit_name": "Tên đơn vị, ví dụ: UBND xã Phú Hòa Đông",
        "login": "Tên đăng nhập của tài khoản mới",
        "display_name": "Tên hiển thị (người phụ trách)",
        "reason": "Lý do (lưu trong nhật ký, không ghi lên chuỗi khối)",
        "school_code": "Mã trường",
        "school_name": "Tên trường",
        "principal": "Hiệu trưởng",
        "principal_login": "Tên đăng nhập của hiệu trưởng",
        "public_key": "Khóa công khai Ed25519 của trường (để trống: hệ thống tự tạo khóa)",
        "public_key_hint": "64 chữ số hex hoặc nội dung PEM «BEGIN PUBLIC KEY». Khóa bí mật "
                           "không bao giờ hiện trên trang.",
        "continue": "Tiếp tục",
        "confirm_title": "Xác nhận thao tác",
        "confirm_intro": "Kiểm tra lại. Sau khi xác nhận, giao dịch được gửi lên sổ đăng ký và "
                         "không thể xóa; chỉ có thể ghi thêm thay đổi mới.",
        "confirm": "Xác nhận và gửi giao dịch",
        "cancel": "Hủy",
        "done_title": "Đã ghi lên sổ đăng ký",
        "transaction": "Giao dịch",
        "block": "Khối",
        "blocks": "Khối",
        "date": "Thời điểm",
        "password_once": "Mật khẩu ban đầu (chỉ hiện một lần; hãy chuyển cho người dùng qua kênh "
                         "an toàn và yêu cầu đổi mật khẩu):",
        "back": "Quay lại",
        "account": "Tài khoản trên chuỗi khối",
        "logins": "Tài khoản đăng nhập",
        "status": "Trạng thái",
        "active": "Đang hoạt động",
        "removed": "Đã gỡ từ khối",
        "withdrawn": "Đã rút công nhận từ khối",
        "accredited": "Được công nhận",
        "remove": "Gỡ đơn vị",
        "rename": "Đổi tên trường",
        "new_name": "Tên mới",
        "withdraw": "Rút công nhận",
        "withdraw_hint": "Học bạ ghi nhận trước thời điểm có hiệu lực vẫn hợp lệ; từ thời điểm "
                         "đó trở đi thì không. Thời điểm có thể nằm trong quá khứ (ví dụ khi phát "
                         "hiện gian lận muộn) nhưng không trước ngày trường được công nhận.",
        "effective": "Có hiệu lực từ (giờ Việt Nam; để trống: ngay bây giờ)",
        "cutoff_block": "Hoặc số khối ngừng hiệu lực (nâng cao)",
        "cutoff_block_confirm": "Khối ngừng hiệu lực (tính từ thời điểm đã chọn hoặc số khối "
                                "đã nhập)",
        "rotate": "Thay khóa ký",
        "rotate_hint": "Thêm khóa mới, rồi cho khóa đang dùng hết hiệu lực từ khối thêm khóa "
                       "mới. Học bạ ký bằng khóa cũ trước đó vẫn hợp lệ.",
        "revoke_key": "Thu hồi khóa",
        "revoke_hint": "Dùng khi khóa bị lộ: học bạ ghi nhận từ thời điểm ngừng hiệu lực trở đi "
                       "và ký bằng khóa này sẽ không hợp lệ.",
        "key": "Khóa",
        "names": "Tên trường theo thời gian",
        "name": "Tên",
        "from": "Từ",
        "to": "Đến",
        "now": "nay",
        "supervisors": "Đơn vị quản lý theo thời gian",
        "signing_keys": "Khóa ký và thời gian hiệu lực",
        "key_in_use": "đang dùng",
        "key_valid": "còn hiệu lực",
        "key_cut": "hết hiệu lực từ khối",
        "withdrawals": "Rút công nhận",
        "no_withdrawals": "Chưa bị rút công nhận.",
        "by": "Thực hiện bởi",
        "transactions": "Giao dịch trên sổ đăng ký",
        "event": "Sự kiện",
        "audit": "Nhật ký thao tác",
        "who": "Ai",
        "when": "Khi nào",
        "why": "Lý do",
        "what": "Thao tác",
        "reassign": "Chuyển đơn vị quản lý",
        "reassign_hint": "Dùng khi địa giới hành chính thay đổi: trường chuyển sang đơn vị công "
                         "nhận khác. Lịch sử đơn vị quản lý cũ vẫn được giữ.",
        "new_unit": "Đơn vị công nhận mới",
        "open": "Xem",
        "none_yet": "Chưa có.",
        "error_title": "Không thực hiện được",
        "forbidden_title": "Không có quyền",
        "logout": "Đăng xuất",
        "signed_in": "Đang đăng nhập:",
        "not_appointed": "Đơn vị của bạn chưa được Sở chỉ định trên sổ đăng ký trên hệ thống "
                         "này.",
        "credentials_note": "Học bạ cấp dưới tên cũ vẫn xác thực được: sổ đăng ký giữ mọi tên "
                            "cũ cùng khối bắt đầu của chúng.",
        "chain_unavailable": "Không kết nối được chuỗi khối. Hãy thử lại sau ít phút.",
    },
    "en": {
        "department_title": "Department: accreditors and schools",
        "department_intro": "The Department appoints accreditors (commune or ward People's "
                            "Committees, or the Department itself). Each accreditor registers and "
                            "manages the schools of its area. Every action is a registry "
                            "(blockchain) transaction and is written to the audit log.",
        "accreditor_title": "Accreditor",
        "accreditor_intro": "The schools your unit supervises. Every action is a registry "
                            "(blockchain) transaction and is written to the audit log.",
        "accreditors": "Accreditors",
        "unit": "Unit",
        "supervisor": "Supervising body",
        "schools": "Schools",
        "school_history": "History on the registry",
        "appoint": "Appoint an accreditor",
        "register": "Register a new school",
        "unit_code": "Administrative unit code (2 digits: province or city; 5 digits: commune)",
        "unit_name": "Name of the unit, e.g. UBND xã Phú Hòa Đông",
        "login": "Login of the new account",
        "display_name": "Display name (person in charge)",
        "reason": "Reason (kept in the audit log, not on the chain)",
        "school_code": "School code",
        "school_name": "School name",
        "principal": "Principal",
        "principal_login": "Login of the principal",
        "public_key": "The school's Ed25519 public key (leave empty to generate one)",
        "public_key_hint": "64 hex digits or a PEM \"BEGIN PUBLIC KEY\" block. Private keys are "
                           "never shown on a page.",
        "continue": "Continue",
        "confirm_title": "Confirm the action",
        "confirm_intro": "Check again. Once confirmed, the transaction goes to the registry and "
                         "cannot be deleted; only new changes can be added.",
        "confirm": "Confirm and send the transaction",
        "cancel": "Cancel",
        "done_title": "Written to the registry",
        "transaction": "Transaction",
        "block": "Block",
        "blocks": "Blocks",
        "date": "Time",
        "password_once": "Initial password (shown only once; hand it to the user over a safe "
                         "channel and ask them to change it):",
        "back": "Back",
        "account": "Chain account",
        "logins": "Login accounts",
        "status": "Status",
        "active": "Active",
        "removed": "Removed from block",
        "withdrawn": "Withdrawn from block",
        "accredited": "Accredited",
        "remove": "Remove accreditor",
        "rename": "Rename the school",
        "new_name": "New name",
        "withdraw": "Withdraw accreditation",
        "withdraw_hint": "Records anchored before the effective time stay valid; those from that "
                         "time on do not. The time may lie in the past (fraud found late) but "
                         "not before the school was accredited.",
        "effective": "Effective from (Vietnam time; empty: now)",
        "cutoff_block": "Or the cut-off block number (advanced)",
        "cutoff_block_confirm": "Cut-off block (from the chosen time or the block typed)",
        "rotate": "Rotate the signing key",
        "rotate_hint": "Adds a new key, then ends the key in use at the block that added the new "
                       "one. Records signed with the old key before then stay valid.",
        "revoke_key": "Revoke a key",
        "revoke_hint": "For a leaked key: records anchored from the cut-off on and signed with "
                       "this key are not valid.",
        "key": "Key",
        "names": "School names over time",
        "name": "Name",
        "from": "From",
        "to": "To",
        "now": "now",
        "supervisors": "Supervising bodies over time",
        "signing_keys": "Signing keys and their validity",
        "key_in_use": "in use",
        "key_valid": "valid",
        "key_cut": "void from block",
        "withdrawals": "Withdrawals",
        "no_withdrawals": "Not withdrawn.",
        "by": "By",
        "transactions": "Registry transactions",
        "event": "Event",
        "audit": "Audit log",
        "who": "Who",
        "when": "When",
        "why": "Reason",
        "what": "Action",
        "reassign": "Move supervision",
        "reassign_hint": "For a change of administrative boundaries: the school moves to another "
                         "accreditor. The history of former supervisors is kept.",
        "new_unit": "New accreditor",
        "open": "Open",
        "none_yet": "None yet.",
        "error_title": "Could not do this",
        "forbidden_title": "Not allowed",
        "logout": "Log out",
        "signed_in": "Logged in as:",
        "not_appointed": "Your unit has not been appointed on the registry of this instance.",
        "credentials_note": "Records issued under an old name still verify: the registry keeps "
                            "every former name with the block it took effect.",
        "chain_unavailable": "The blockchain cannot be reached. Try again in a few minutes.",
    },
}

# Action key -> (Vietnamese, English) title, on confirmation and result pages.
ACTION_TITLES: dict[str, tuple[str, str]] = {
    "appoint": ("Chỉ định đơn vị công nhận", "Appoint an accreditor"),
    "remove": ("Gỡ đơn vị công nhận", "Remove an accreditor"),
    "reassign": ("Chuyển đơn vị quản lý", "Move supervision"),
    "register": ("Đăng ký trường", "Register a school"),
    "rename": ("Đổi tên trường", "Rename a school"),
    "withdraw": ("Rút công nhận trường", "Withdraw a school's accreditation"),
    "rotate": ("Thay khóa ký", "Rotate the signing key"),
    "revoke_key": ("Thu hồi khóa ký", "Revoke a signing key"),
}

# Registry event -> (Vietnamese, English) label on the history page.
EVENT_NAMES: dict[str, tuple[str, str]] = {
    "IssuerAccredited": ("Công nhận", "Accredited"),
    "IssuerRenamed": ("Đổi tên", "Renamed"),
    "IssuerReassigned": ("Chuyển đơn vị quản lý", "Supervision moved"),
    "IssuerKeyAdded": ("Thêm khóa", "Key added"),
    "IssuerKeyRevoked": ("Thu hồi khóa", "Key revoked"),
    "IssuerWithdrawn": ("Rút công nhận", "Withdrawn"),
}

# Audit action code -> (Vietnamese, English) label in the audit tables.
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "appoint_accreditor": ("Chỉ định đơn vị công nhận", "Accreditor appointed"),
    "remove_accreditor": ("Gỡ đơn vị công nhận", "Accreditor removed"),
    "accredit": ("Công nhận trường", "School accredited"),
    "rename": ("Đổi tên trường", "School renamed"),
    "reassign": ("Chuyển đơn vị quản lý", "Supervision moved"),
    "withdraw": ("Rút công nhận", "Accreditation withdrawn"),
    "rotate_key": ("Thay khóa ký", "Signing key rotated"),
    "revoke_key": ("Thu hồi khóa ký", "Signing key revoked"),
}
