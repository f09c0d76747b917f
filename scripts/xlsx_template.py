"""Write the empty XLSX class template: ``python -m scripts.xlsx_template [PATH] [--grade N]``.

The committed file templates/lop-thcs-tt22.xlsx is the output for grade 8.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from issuer.export_xlsx import write_template_xlsx

__all__ = ["main"]

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "templates" / "lop-thcs-tt22.xlsx"


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and write the template."""
    parser = argparse.ArgumentParser(description="Write the empty XLSX class template.")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--grade", type=int, default=8, help="grade 6 to 9 (default 8)")
    args = parser.parse_args(argv)
    print(write_template_xlsx(args.path, grade=args.grade))


if __name__ == "__main__":
    main()
