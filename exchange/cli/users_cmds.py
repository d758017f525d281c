"""`exchange users add|list|disable|token|password`: the people on this node and their roles.

Until the first user exists the node is open to whoever can reach its owner-only socket (the
OS-level operator); the first user must be an administrator, and from then on every command
presents a token (EXCHANGE_TOKEN_FILE, or EXCHANGE_TOKEN)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from exchange._proto.v1 import user_ops_pb2
from exchange.alerts import model
from exchange.cli.client import Operator
from exchange.cli.common import config_option, console, echo, json_option, load_config, print_json
from exchange.errors import MalformedInput
from exchange.records.roles import ROLES, password_problem


def _user(u: user_ops_pb2.UserInfo) -> dict[str, Any]:
    return {
        "name": u.name,
        "role": u.role,
        "disabled": u.disabled,
        "created_at": model.ts_text(u.created_at),
        "live_tokens": u.live_tokens,
    }


@click.group()
def users() -> None:
    """People on this node: administrator, publisher, officer, approver, auditor."""


@users.command("add")
@config_option
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@json_option
def add(config_path: Path | None, name: str, role: str, as_json: bool) -> None:
    """Add a user with one role (the first user must be an administrator)."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        u = op.call(op.stub.AddUser, user_ops_pb2.AddUserRequest(name=name, role=role))
    if as_json:
        print_json(_user(u))
        return
    echo(f"added {u.name} ({u.role}); give them a token: exchange users token {u.name} --out F")


@users.command("list")
@config_option
@json_option
def list_users(config_path: Path | None, as_json: bool) -> None:
    """List users, their roles and how many live tokens each has."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.ListUsers, user_ops_pb2.ListUsersRequest())
    if as_json:
        print_json({"open": resp.open, "users": [_user(u) for u in resp.users]})
        return
    if resp.open:
        echo("no users: the node is open to its OS-level operator (add an administrator first)")
        return
    table = Table("name", "role", "state", "live tokens", "since")
    for u in resp.users:
        table.add_row(
            u.name,
            u.role,
            "disabled" if u.disabled else "active",
            str(u.live_tokens),
            model.ts_text(u.created_at)[:10],
        )
    console.print(table)


@users.command("disable")
@config_option
@click.argument("name")
@json_option
def disable(config_path: Path | None, name: str, as_json: bool) -> None:
    """Disable a user and revoke every token they hold."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        u = op.call(op.stub.DisableUser, user_ops_pb2.DisableUserRequest(name=name))
    if as_json:
        print_json(_user(u))
        return
    echo(f"disabled {u.name}; their tokens no longer work")


@users.command("token")
@config_option
@click.argument("name")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Write the token to this new file (0600); the user points EXCHANGE_TOKEN_FILE at it.",
)
@json_option
def token(config_path: Path | None, name: str, days: int, out: Path, as_json: bool) -> None:
    """Issue an API token for a user. It is written to a file, never printed: the node keeps
    only its hash."""
    cfg = load_config(config_path)
    if out.exists():
        raise MalformedInput(f"{out} already exists", hint="choose a new file name")
    with Operator(cfg) as op:
        resp = op.call(op.stub.IssueToken, user_ops_pb2.IssueTokenRequest(name=name, days=days))
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(resp.token + "\n")
    expires = model.ts_text(resp.expires_at)
    if as_json:
        print_json({"user": name, "file": str(out), "expires_at": expires})
        return
    echo(f"token for {name} written to {out} (0600), valid until {expires}")
    echo(f"they use it with: export EXCHANGE_TOKEN_FILE={out}")


@users.command("password")
@config_option
@click.argument("name")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
@json_option
def password(config_path: Path | None, name: str, from_stdin: bool, as_json: bool) -> None:
    """Set a user's password for the web console (at least 12 characters). The node keeps an
    Argon2id hash of it; the password is never printed, logged or audited."""
    cfg = load_config(config_path)
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if p := password_problem(secret):
        raise MalformedInput(p)
    with Operator(cfg) as op:
        u = op.call(
            op.stub.SetPassword, user_ops_pb2.SetPasswordRequest(name=name, password=secret)
        )
    if as_json:
        print_json(_user(u))
        return
    echo(f"password set for {u.name}; they sign in to the console with it")
