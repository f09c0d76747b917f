"""Name parts for fictional Vietnamese students and teachers (NFC, with diacritics).

Family names are weighted roughly by how common they are in southern Vietnam;
the weights are an estimate for sample data, not census figures.
"""

from __future__ import annotations

import random
import unicodedata

__all__ = ["draw_full_name"]

FAMILY_NAMES = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 6), ("Võ", 6),
    ("Phan", 4), ("Trương", 3), ("Bùi", 3), ("Đặng", 3), ("Đỗ", 3), ("Ngô", 2),
    ("Hồ", 2), ("Dương", 2), ("Lý", 2), ("Đinh", 1), ("Lâm", 1), ("Tô", 1),
)
MIDDLE_NAMES = {
    "Nam": ("Văn", "Minh", "Gia", "Quốc", "Đức", "Hoàng", "Thành", "Hữu", "Công", "Tuấn",
            "Anh", "Nhật", "Phúc", "Trọng"),
    "Nữ": ("Thị", "Ngọc", "Thu", "Bảo", "Khánh", "Mai", "Phương", "Thanh", "Minh", "Gia",
           "Hoài", "Thùy", "Yến", "Kim"),
}
GIVEN_NAMES = {
    "Nam": ("An", "Bảo", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Huy",
            "Khang", "Khoa", "Khôi", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa",
            "Nhân", "Phát", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thịnh", "Tín",
            "Toàn", "Trí", "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Đăng", "Hưng", "Thiện"),
    "Nữ": ("Anh", "Ánh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hân", "Hằng",
           "Hạnh", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Loan", "My", "Ngân", "Ngọc",
           "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thư", "Trâm",
           "Trang", "Trinh", "Tú", "Uyên", "Vy", "Yến", "Ánh Dương", "Bảo Ngọc", "Khánh Linh"),
}


def _has_diacritics(text: str) -> bool:
    return not text.isascii()


def draw_full_name(rng: random.Random, gender: str) -> str:
    """Draw a family, middle and given name for ``gender`` (``Nam`` or ``Nữ``).

    Names without any diacritic exist in real life but are redrawn here, so that
    every sample name exercises Unicode handling.
    """
    families = [name for name, _ in FAMILY_NAMES]
    weights = [weight for _, weight in FAMILY_NAMES]
    while True:
        family = rng.choices(families, weights=weights)[0]
        middle = rng.choice(MIDDLE_NAMES[gender])
        given = rng.choice(GIVEN_NAMES[gender])
        if given.split(" ")[0] == middle:
            continue
        name = unicodedata.normalize("NFC", f"{family} {middle} {given}")
        if _has_diacritics(name):
            return name
