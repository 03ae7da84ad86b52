"""``ballast user``, ``ballast token`` and ``ballast secret``: users and roles, API tokens
(printed once), and encrypted secrets. Registered on the main app by :func:`register`.

The acting user is ``--user`` (or ``$BALLAST_USER``); it must be an admin once any user exists
(the very first user may be created by anyone, to bootstrap)."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.domain import ConfigError
from ballast.engine import secrets as secret_cases
from ballast.engine import users
from ballast.engine.service import Store
from ballast.engine.users import Permission
from ballast.engine.workspace import open_store

console = Console()
user_app = typer.Typer(help="Users and their roles (see docs/security.md).",
                       no_args_is_help=True)
token_app = typer.Typer(help="API tokens: created once, stored hashed.", no_args_is_help=True)
secret_app = typer.Typer(help="Secrets (broker credentials), encrypted with "
                         "$BALLAST_SECRET_KEY.", no_args_is_help=True)

PASSWORD_ENV = "BALLAST_PASSWORD"
Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
Actor = Annotated[str | None, typer.Option(
    "--user", envvar="BALLAST_USER", help="Who acts (an admin; default $BALLAST_USER).")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit journal).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def register(app: typer.Typer) -> None:
    """Add ``user``, ``token`` and ``secret`` to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(secret_app, name="secret")


def _admin(store: Store, actor: str | None, *, bootstrap: bool = False) -> str:
    """The acting admin's name (the first user may bootstrap without one)."""
    if bootstrap and not users.has_users(store):
        return actor or "bootstrap"
    if not actor:
        raise ConfigError("say who acts with --user NAME (or $BALLAST_USER)", field="user")
    return users.acting_user(store, actor, Permission.USERS).name


def _password() -> str:
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(name: str, role: Annotated[list[str], typer.Option(
        "--role", help="viewer, portfolio_manager (pm), trader (approver), compliance, admin; "
        "repeat for several.")], actor: Actor = None, reason: Reason = "new user",
        db: Db = None) -> None:
    """Add a user; the password is prompted for, or read from $BALLAST_PASSWORD."""
    store = open_store(db)
    who = _admin(store, actor, bootstrap=True)
    info = users.add_user(store, name, _password(), role,
                          actor=name if who == "bootstrap" else who, reason=reason)
    console.print(f"[green]user {info.name}[/] added with roles {', '.join(info.roles)}")


@user_app.command("list")
def user_list(db: Db = None, as_json: JsonOption = False) -> None:
    """Every user with roles and status."""
    rows = users.list_users(open_store(db, create=False))
    if as_json:
        sys.stdout.write(json.dumps([{"name": u.name, "roles": list(u.roles),
                                      "active": u.active} for u in rows], indent=2) + "\n")
        return
    table = Table("user", "roles", "active", "created", title=f"{len(rows)} users")
    for u in rows:
        table.add_row(u.name, ", ".join(u.roles), "yes" if u.active else "no",
                      u.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@user_app.command("roles")
def user_roles(name: str, role: Annotated[list[str], typer.Option("--role")], reason: Reason,
               actor: Actor = None, db: Db = None) -> None:
    """Replace a user's roles."""
    store = open_store(db, create=False)
    info = users.update_user(store, name, roles=role, actor=_admin(store, actor), reason=reason)
    console.print(f"user {info.name}: roles {', '.join(info.roles)}")


@user_app.command("deactivate")
def user_deactivate(name: str, reason: Reason, actor: Actor = None, db: Db = None) -> None:
    """Deactivate a user and revoke their tokens and sessions."""
    store = open_store(db, create=False)
    users.update_user(store, name, active=False, actor=_admin(store, actor), reason=reason)
    console.print(f"user {name} deactivated; their tokens are revoked")


@user_app.command("password")
def user_password(name: str, actor: Actor = None, reason: Reason = "password changed",
                  db: Db = None) -> None:
    """Set a user's password (prompted, or $BALLAST_PASSWORD)."""
    store = open_store(db, create=False)
    who = actor if actor == name else _admin(store, actor)
    users.update_user(store, name, password=_password(), actor=who or name, reason=reason)
    console.print(f"password of {name} changed")


@token_app.command("create")
def token_create(name: str, label: Annotated[str, typer.Option(help="What it is for.")] = "",
                 days: Annotated[int | None, typer.Option(
                     "--days", min=1, help="Expires after this many days (default never).")
                 ] = None, actor: Actor = None, db: Db = None) -> None:
    """Create an API token for user NAME and print it once (it cannot be shown again)."""
    store = open_store(db, create=False)
    who = name if actor in (None, name) else _admin(store, actor)
    issued = users.create_token(store, name, label=label, actor=who,
                                expires_in=None if days is None else timedelta(days=days))
    sys.stdout.write(issued.token + "\n")
    Console(stderr=True).print(f"token {issued.id} for {issued.user}: store it now, it is not "
                               "shown again")


@token_app.command("list")
def token_list(name: Annotated[str | None, typer.Argument()] = None, db: Db = None) -> None:
    """API tokens (of one user): id, label, created, expires, revoked — never the token."""
    rows = users.list_tokens(open_store(db, create=False), name)
    table = Table("id", "user", "label", "created", "expires", "revoked",
                  title=f"{len(rows)} tokens")
    for t in rows:
        table.add_row(str(t.id), t.user, t.label, f"{t.created_at:%Y-%m-%d}",
                      f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never",
                      f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "")
    console.print(table)


@token_app.command("revoke")
def token_revoke(token_id: int, reason: Reason, actor: Actor = None, db: Db = None) -> None:
    """Revoke an API token by id."""
    store = open_store(db, create=False)
    done = users.revoke_token(store, token_id, actor=_admin(store, actor), reason=reason)
    console.print(f"token {token_id} revoked" if done else f"token {token_id} was revoked already")


@secret_app.command("keygen")
def secret_keygen() -> None:
    """Print a new key for $BALLAST_SECRET_KEY."""
    sys.stdout.write(secret_cases.new_key() + "\n")


@secret_app.command("set")
def secret_set(name: str, reason: Reason, actor: Actor = None, db: Db = None) -> None:
    """Store a secret (the value is prompted, or read from standard input when piped)."""
    store = open_store(db, create=False)
    value = (sys.stdin.read().rstrip("\n") if not sys.stdin.isatty()
             else str(typer.prompt("Value", hide_input=True)))
    new = secret_cases.put_secret(store, name, value, actor=_admin(store, actor), reason=reason)
    console.print(f"secret {name} {'stored' if new else 'replaced'} (encrypted)")


@secret_app.command("list")
def secret_list(db: Db = None) -> None:
    """Stored secrets: names, who stored them and when — never the values."""
    rows = secret_cases.list_secrets(open_store(db, create=False))
    table = Table("name", "stored by", "at", title=f"{len(rows)} secrets")
    for s in rows:
        table.add_row(s.name, s.updated_by, f"{s.updated_at:%Y-%m-%d %H:%M}")
    console.print(table)
