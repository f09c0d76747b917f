"""Exception tree shared by every hocba package.

HocbaError
 ├── InputError (ValueError)         bad user input: a file, a row, a setting
 │    └── ImportRowsError            a spreadsheet with rejected rows
 ├── CredentialError (ValueError)    a credential that cannot be parsed or checked
 ├── MerkleError (ValueError)        an invalid tree, leaf or proof
 ├── ChainError (RuntimeError)       the chain could not be read or written
 │    └── RegistryRevertError        the registry contract rejected a transaction
 └── KeyStoreError (RuntimeError)    a key could not be stored or unlocked

Each error carries a machine ``code`` that tests assert, and may carry a
Vietnamese message (``message_vi``) for the person who reads it; ``str(error)``
is the English message, for logs.
"""

from __future__ import annotations

__all__ = [
    "ChainError",
    "CredentialError",
    "HocbaError",
    "ImportRowsError",
    "InputError",
    "KeyStoreError",
    "MerkleError",
    "RegistryRevertError",
]


class HocbaError(Exception):
    """Root of every error raised on purpose by hocba."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, message_vi: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message_vi = message_vi or message


class InputError(HocbaError, ValueError):
    """Input from a person or a file that hocba cannot accept."""

    code = "invalid_input"


class ImportRowsError(InputError):
    """A spreadsheet with one or more rejected rows; nothing was issued from it."""

    code = "import_rejected"

    def __init__(self, problems: list, *, source: str = "") -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in {source or 'the spreadsheet'}; nothing was issued",
            message_vi=(
                f"Có {len(self.problems)} lỗi trong {source or 'bảng tính'}; "
                "chưa cấp văn bản nào. Sửa các dòng được nêu rồi nhập lại."
            ),
        )


class CredentialError(HocbaError, ValueError):
    """A credential that is malformed or fails a local check."""

    code = "malformed"


class MerkleError(HocbaError, ValueError):
    """An invalid Merkle tree, leaf or proof."""

    code = "merkle_invalid"


class ChainError(HocbaError, RuntimeError):
    """The chain node could not be reached or returned an unexpected response."""

    code = "chain_unavailable"


class RegistryRevertError(ChainError):
    """The registry contract reverted with a custom error.

    ``error_name`` is the Solidity error name and ``args`` its decoded arguments.
    """

    code = "registry_revert"

    def __init__(self, error_name: str, args: dict[str, object]) -> None:
        self.error_name = error_name
        self.args_by_name = dict(args)
        rendered = ", ".join(f"{k}={v!r}" for k, v in args.items())
        super().__init__(f"registry rejected the transaction: {error_name}({rendered})")


class KeyStoreError(HocbaError, RuntimeError):
    """A key that could not be stored, found or unlocked."""

    code = "keystore"
