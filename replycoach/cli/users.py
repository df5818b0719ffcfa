"""``replycoach users``: manage accounts from the command line (the admin page does the same in the app).

Passwords come from ``--password``, or are asked for without echo (twice) on a terminal, or read as one line
from standard input when it is piped: ``echo "$PW" | replycoach users add olga --role trainee``.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from replycoach.cli.db import open_store
from replycoach.storage.types import Role, StorageError

ROLES = [r.value for r in Role]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("users", help="add, list and change user accounts; create demo accounts")
    p.add_argument("--url", help="database URL (default: the configured database)")
    sub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--team", help="team name (created when new)")
    add.add_argument("--name", dest="display_name", help="display name (default: the username)")
    add.add_argument("--password", help="the password (default: asked for, or one line from stdin)")

    lst = sub.add_parser("list", help="list accounts")
    lst.add_argument("--role", choices=ROLES)
    lst.add_argument("--team")

    role = sub.add_parser("set-role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)

    team = sub.add_parser("set-team", help="move an account to a team (--none: no team)")
    team.add_argument("username")
    group = team.add_mutually_exclusive_group(required=True)
    group.add_argument("team", nargs="?")
    group.add_argument("--none", action="store_true", help="remove the account from its team")

    reset = sub.add_parser("reset-password", help="set a new password (also lifts a login slow-down)")
    reset.add_argument("username")
    reset.add_argument("--password")

    deactivate = sub.add_parser("deactivate", help="stop an account from signing in (its history stays)")
    deactivate.add_argument("username")
    activate = sub.add_parser("activate", help="let a deactivated account sign in again")
    activate.add_argument("username")

    sub.add_parser("demo", help="create demo accounts for every role (known passwords; safe to run twice)")
    p.set_defaults(run=run)


def read_password(given: str | None) -> str:
    """The password from the option, a no-echo prompt (asked twice) or one line of piped stdin."""
    if given is not None:
        return given
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("The two passwords differ.")
        return first
    return (sys.stdin.readline() if sys.stdin else "").rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    store = open_store(args.url)
    try:
        store.upgrade()
        return _ACTIONS[args.users_command](store, args)
    except (ValueError, StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _add(store, args) -> int:
    user = store.add_user(
        args.username, read_password(args.password), Role(args.role), display_name=args.display_name, team=args.team
    )
    print(f"Added {_describe(user)}")
    return 0


def _list(store, args) -> int:
    users = store.list_users(role=Role(args.role) if args.role else None, team=args.team)
    print(f"{'username':<24} {'role':<8} {'team':<20} {'active':<6} name")
    for u in users:
        print(
            f"{u.username:<24} {u.role.value:<8} {u.team or '-':<20} {'yes' if u.active else 'no':<6} {u.display_name}"
        )
    print(f"{len(users)} account(s)")
    return 0


def _set_role(store, args) -> int:
    print(f"Changed {_describe(store.set_role(args.username, Role(args.role)))}")
    return 0


def _set_team(store, args) -> int:
    print(f"Changed {_describe(store.set_team(args.username, None if args.none else args.team))}")
    return 0


def _reset_password(store, args) -> int:
    store.set_password(args.username, read_password(args.password))
    print(f"New password set for {args.username.strip().lower()}")
    return 0


def _deactivate(store, args) -> int:
    print(f"Deactivated {_describe(store.set_active(args.username, False))}")
    return 0


def _activate(store, args) -> int:
    print(f"Activated {_describe(store.set_active(args.username, True))}")
    return 0


def _demo(store, _args) -> int:
    from replycoach.storage.demo import ensure_demo_accounts

    print("Demo accounts (for trying ReplyCoach only; change or deactivate them on a real server):")
    for account, created in ensure_demo_accounts(store):
        note = "created" if created else "exists already, password unchanged"
        print(f"  {account.role.value:<8} {account.username:<10} password: {account.password:<14} "
              f"team: {account.team or '-':<8} ({note})")  # fmt: skip
    return 0


def _describe(user) -> str:
    return f"{user.username} ({user.role.value}, team {user.team or '-'}, {'active' if user.active else 'inactive'})"


_ACTIONS = {
    "add": _add,
    "list": _list,
    "set-role": _set_role,
    "set-team": _set_team,
    "reset-password": _reset_password,
    "deactivate": _deactivate,
    "activate": _activate,
    "demo": _demo,
}
