"""`hocba admin create-user`: create an account, such as the first Department account.

The password comes from ``HOCBA_NEW_USER_PASSWORD`` or, without it, from a hidden
prompt asked twice. It is never an option, so it stays out of the shell history.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from hocba.accounts import ROLES, create_user
from hocba.db import open_database
from hocba.errors import InputError
from hocba.settings import load_settings

__all__ = ["create_user_command"]

logger = logging.getLogger(__name__)

PASSWORD_VARIABLE = "HOCBA_NEW_USER_PASSWORD"  # noqa: S105 (a variable name)


def create_user_command(
    login: Annotated[str, typer.Argument(help="Tên đăng nhập / login name")],
    role: Annotated[str, typer.Option(help=f"Vai trò / role: {', '.join(ROLES)}")] = "department",
    name: Annotated[str, typer.Option(help="Tên hiển thị / display name")] = "",
    school: Annotated[str | None, typer.Option(help="Mã trường / school code")] = None,
    unit: Annotated[str | None, typer.Option(help="Mã đơn vị hành chính / unit code")] = None,
    home: Annotated[Path | None, typer.Option(help="Thư mục dữ liệu / data folder")] = None,
) -> None:
    """Tạo tài khoản đăng nhập / create a login account."""
    password = os.environ.get(PASSWORD_VARIABLE) or typer.prompt(
        "Mật khẩu / password", hide_input=True, confirmation_prompt=True)
    engine = open_database(load_settings(home).database_url)
    try:
        account = create_user(engine, login=login, display_name=name or login, role=role,
                              password=password, school_code=school, admin_unit_code=unit,
                              created_by="cli")
    except InputError as exc:
        typer.echo(f"Lỗi / error: {exc.message_vi or exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Đã tạo tài khoản {account.login} ({account.role}) / account created.")
