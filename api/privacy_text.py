"""Words of the privacy pages (``/wallet/privacy`` and ``/school/{code}/data-requests``)."""

from __future__ import annotations

__all__ = ["PRIVACY_TEXT"]

PRIVACY_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Dữ liệu của tôi",
        "intro": "Trang này cho biết máy chủ học bạ số đang giữ những gì về {name}. Bạn có thể "
                 "tải về tất cả, hoặc yêu cầu xóa.",
        "records": "Học bạ và văn bằng",
        "records_about": "Mỗi học bạ nhà trường cấp có: họ tên, ngày sinh, mã học sinh (nếu "
                         "có), lớp, năm học, điểm và đánh giá từng môn, kết quả học tập, kết quả "
                         "rèn luyện, danh hiệu, nhận xét và tên giáo viên chủ nhiệm. Máy chủ "
                         "giữ bản có chữ ký của trường, tệp PDF và các số ngẫu nhiên (gọi là "
                         "\"muối\") dùng để ẩn từng mục khi bạn chia sẻ.",
        "fields": "{count} mục thông tin",
        "pdf_kept": "có tệp PDF",
        "purged": "trường đã xóa dữ liệu",
        "claims": "Đường dẫn nhận học bạ",
        "claims_about": "Đường dẫn (hoặc mã QR) nhà trường đưa để bạn nhận học bạ. Máy chủ giữ "
                        "họ tên, ngày sinh, mã học sinh, trường, ngày tạo, hạn dùng và lúc đã "
                        "dùng. Bản thân đường dẫn chỉ được lưu dưới dạng mã băm, không ai đọc "
                        "lại được.",
        "sessions": "Điện thoại và máy tính đã mở ví",
        "sessions_about": "Mỗi lần mở đường dẫn nhận học bạ trên một máy, máy chủ ghi lại ngày "
                          "mở và hạn dùng. Không lưu tên máy, vị trí hay số điện thoại.",
        "this_device": "máy này",
        "ended": "đã kết thúc",
        "shares": "Đường dẫn chia sẻ",
        "shares_about": "Học bạ bạn chia sẻ được khóa (mã hóa) ngay trên máy của bạn. Máy chủ "
                        "chỉ giữ bản đã khóa, tên gợi nhớ bạn đặt, hạn dùng và số lần được mở; "
                        "chìa khóa nằm trong đường dẫn và máy chủ không bao giờ nhận được.",
        "withdrawn": "đã thu hồi",
        "opened": "đã mở {count} lần",
        "consents": "Sự đồng ý đã ghi",
        "consents_about": "Khi chia sẻ học bạ của học sinh dưới 16 tuổi, máy chủ ghi ai đồng ý "
                          "(cha mẹ hoặc người giám hộ, và cả học sinh từ đủ 7 tuổi), cho mục đích "
                          "gì, gửi cho ai và ngày nào.",
        "requests": "Yêu cầu tải về và xóa",
        "requests_about": "Mỗi lần bạn tải dữ liệu về hoặc yêu cầu xóa, máy chủ ghi lại ngày và "
                          "trạng thái.",
        "chain": "Trên chuỗi khối",
        "chain_about": "Chuỗi khối chỉ giữ các mã băm có muối của cả lớp (gốc Merkle) và trạng "
                       "thái thu hồi. Không có họ tên, ngày sinh, mã học sinh hay điểm. Mỗi mã "
                       "băm có một số ngẫu nhiên riêng, nên khi máy chủ xóa số đó thì không ai "
                       "nối được mã băm với bạn nữa.",
        "none": "Không có.",
        "count": "Số lượng: {count}",
        "export": "Tải dữ liệu về",
        "export_about": "Tải về ngay một tệp JSON có toàn bộ dữ liệu trên, hoặc một tệp ZIP có "
                        "tệp JSON đó và các tệp PDF học bạ.",
        "export_json": "Tải tệp JSON",
        "export_zip": "Tải tệp ZIP (JSON và PDF)",
        "delete": "Xóa dữ liệu của tôi",
        "delete_about": "Xóa ví này khỏi máy chủ và đề nghị các trường xóa học bạ.",
        "delete_title": "Xóa dữ liệu của tôi",
        "delete_now": "Sẽ xóa ngay: ví, mọi máy đã mở ví (kể cả máy này), mọi đường dẫn chia "
                      "sẻ (người nhận sẽ không mở được nữa), các sự đồng ý đã ghi và các đường "
                      "dẫn nhận học bạ.",
        "delete_later": "Sau đó, hiệu trưởng của từng trường đã cấp học bạ sẽ xem yêu cầu. Nhà "
                        "trường có thể phải lưu học bạ theo quy định về hồ sơ; khi đó trường "
                        "từ chối xóa và ghi lý do. Nếu trường đồng ý, họ tên, ngày sinh, điểm và "
                        "tệp PDF bị xóa vĩnh viễn khỏi máy chủ.",
        "delete_keep": "Các tệp học bạ bạn đã tải về vẫn dùng được: người nhận vẫn kiểm tra "
                       "được chúng với chuỗi khối. Hãy tải dữ liệu về trước khi xóa.",
        "delete_confirm": "Tôi hiểu và muốn xóa dữ liệu",
        "delete_button": "Xóa ngay",
        "cancel": "Quay lại",
        "confirm_missing": "Hãy đánh dấu ô xác nhận trước khi xóa.",
        "deleted_title": "Đã xóa ví",
        "deleted": "Ví đã được xóa khỏi máy chủ. Các trường sẽ xem yêu cầu xóa học bạ.",
        "deleted_ids": "Mã yêu cầu của bạn (ghi lại để hỏi nhà trường): {ids}",
        "back_wallet": "Về trang ví",
        "kind_export": "Tải về",
        "kind_deletion": "Xóa",
        "state_open": "đang chờ trường",
        "state_done": "đã xong",
        "state_refused": "trường từ chối",
        "by_student": "học sinh",
        "by_guardian": "cha mẹ/người giám hộ",
        # School page.
        "school_title": "Yêu cầu xóa dữ liệu học sinh",
        "back_to_school": "← Về trang tổng quan của trường",
        "school_intro": "Học sinh hoặc cha mẹ đã yêu cầu xóa dữ liệu. Ví của học sinh đã được "
                        "xóa; các học bạ dưới đây vẫn còn trên máy chủ của trường.",
        "school_duty": "Nhà trường có thể có nghĩa vụ lưu trữ học bạ theo quy định về hồ sơ "
                       "trong nhà trường. Nếu vậy, hãy từ chối và ghi lý do để gia đình biết.",
        "school_effect": "Nếu xóa: họ tên, ngày sinh, điểm, số ngẫu nhiên (muối) và tệp PDF của "
                         "các học bạ này bị xóa vĩnh viễn. Chuỗi khối không thay đổi: học bạ của "
                         "các học sinh khác trong lô vẫn xác thực được, và bản học sinh đã tải "
                         "về cũng vậy.",
        "school_none": "Không có yêu cầu nào.",
        "request_no": "Yêu cầu số {id}",
        "requested_on": "Ngày yêu cầu",
        "requested_by": "Người yêu cầu",
        "state": "Trạng thái",
        "learner": "Học sinh",
        "class": "Lớp",
        "year": "Năm học",
        "record": "Mã văn bản",
        "already_purged": "đã xóa",
        "purge_confirm": "Tôi xác nhận xóa vĩnh viễn dữ liệu các học bạ này",
        "purge_button": "Xóa dữ liệu",
        "refuse_reason": "Lý do từ chối",
        "refuse_button": "Từ chối",
        "principal_only": "Chỉ hiệu trưởng quyết định xóa hoặc từ chối.",
        "purged_done": "Đã xóa dữ liệu của {count} học bạ.",
        "refused_done": "Đã từ chối yêu cầu số {id}.",
        "refusal": "Lý do từ chối: {reason}",
        "decided_by": "Người quyết định",
    },
    "en": {
        "title": "My data",
        "intro": "This page lists what the digital transcript server keeps about {name}. You "
                 "can download all of it, or ask for it to be deleted.",
        "records": "Transcripts and certificates",
        "records_about": "Each transcript the school issues contains: full name, date of "
                         "birth, learner id (if any), class, school year, the results of each "
                         "subject, the academic and conduct results, the award title, remarks and "
                         "the homeroom teacher's name. The server keeps the school's signed "
                         "copy, the PDF file, and the random numbers (\"salts\") that let you "
                         "hide single fields when you share.",
        "fields": "{count} fields",
        "pdf_kept": "PDF kept",
        "purged": "deleted by the school",
        "claims": "Claim links",
        "claims_about": "The link (or QR code) the school gave you to receive your transcripts. "
                        "The server keeps the name, date of birth, learner id, school, when it "
                        "was made, when it expires and when it was used. The link itself is "
                        "stored only as a hash that nobody can turn back into the link.",
        "sessions": "Phones and computers that opened the wallet",
        "sessions_about": "Each time a claim link is opened on a device, the server records "
                          "when and until when. No device name, location or phone number.",
        "this_device": "this device",
        "ended": "ended",
        "shares": "Share links",
        "shares_about": "Records you share are encrypted on your own device. The server keeps "
                        "only the encrypted copy, the label you gave, the expiry and how many "
                        "times it was opened; the key is in the link and never reaches the "
                        "server.",
        "withdrawn": "withdrawn",
        "opened": "opened {count} times",
        "consents": "Recorded consent",
        "consents_about": "When records of a learner under 16 are shared, the server records "
                          "who consented (the parent or guardian, and the child too from age 7), "
                          "for what purpose, for whom and when.",
        "requests": "Export and deletion requests",
        "requests_about": "Each export or deletion request is recorded with its date and state.",
        "chain": "On the blockchain",
        "chain_about": "The blockchain holds only salted hashes of the whole class (a Merkle "
                       "root) and revocation states. No name, date of birth, learner id or "
                       "score. Each hash has its own random salt, so once the server deletes "
                       "the salt nobody can link the hash to you.",
        "none": "None.",
        "count": "Count: {count}",
        "export": "Download my data",
        "export_about": "Download now one JSON file with all of the above, or a ZIP file with "
                        "that JSON and the transcript PDFs.",
        "export_json": "Download JSON",
        "export_zip": "Download ZIP (JSON and PDFs)",
        "delete": "Delete my data",
        "delete_about": "Delete this wallet from the server and ask the schools to delete the "
                        "transcripts.",
        "delete_title": "Delete my data",
        "delete_now": "Deleted at once: the wallet, every device that opened it (this one too), "
                      "every share link (recipients can no longer open them), the recorded "
                      "consent and the claim links.",
        "delete_later": "Then the principal of each school that issued transcripts reviews the "
                        "request. A school may have to keep transcripts under its record-keeping "
                        "rules; it then refuses and gives the reason. If the school agrees, the "
                        "name, date of birth, results and PDF are deleted from the server for "
                        "good.",
        "delete_keep": "Transcript files you downloaded keep working: recipients can still check "
                       "them against the blockchain. Download your data before you delete it.",
        "delete_confirm": "I understand and want my data deleted",
        "delete_button": "Delete now",
        "cancel": "Back",
        "confirm_missing": "Tick the confirmation box before deleting.",
        "deleted_title": "Wallet deleted",
        "deleted": "The wallet was deleted from the server. The schools will review the request "
                   "to delete the transcripts.",
        "deleted_ids": "Your request numbers (note them to ask the school): {ids}",
        "back_wallet": "Back to the wallet",
        "kind_export": "Export",
        "kind_deletion": "Deletion",
        "state_open": "waiting for the school",
        "state_done": "done",
        "state_refused": "refused by the school",
        "by_student": "student",
        "by_guardian": "parent/guardian",
        "school_title": "Learners' deletion requests",
        "back_to_school": "← Back to the school's overview",
        "school_intro": "A learner or parent asked for their data to be deleted. The learner's "
                        "wallet is already deleted; the transcripts below are still on the "
                        "school's server.",
        "school_duty": "The school may have a legal duty to keep transcripts under its "
                       "record-keeping rules. If so, refuse and give the reason so the family "
                       "knows.",
        "school_effect": "If you delete: the name, date of birth, results, salts and PDF of "
                         "these transcripts are deleted for good. The blockchain does not "
                         "change: the other students' transcripts of the batch still verify, "
                         "and so does the copy the learner downloaded.",
        "school_none": "No requests.",
        "request_no": "Request {id}",
        "requested_on": "Requested on",
        "requested_by": "Requested by",
        "state": "State",
        "learner": "Learner",
        "class": "Class",
        "year": "School year",
        "record": "Credential id",
        "already_purged": "deleted",
        "purge_confirm": "I confirm deleting the data of these transcripts for good",
        "purge_button": "Delete the data",
        "refuse_reason": "Reason for refusing",
        "refuse_button": "Refuse",
        "principal_only": "Only the principal decides to delete or refuse.",
        "purged_done": "Deleted the data of {count} transcripts.",
        "refused_done": "Refused request {id}.",
        "refusal": "Reason for refusing: {reason}",
        "decided_by": "Decided by",
    },
}
