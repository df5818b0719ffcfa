"""The ``replycoach users``, ``db`` and ``history`` commands, run in-process against a real database."""

from __future__ import annotations

import io

import pytest

from replycoach.cli import main
from replycoach.storage.facade import Store
from replycoach.storage.types import AttemptFilter, Role, User


def users(url, *argv):
    return main(["users", "--url", url, *argv])


def test_users_commands_end_to_end(store_url, capsys, monkeypatch):
    assert users(store_url, "add", "Olga", "--role", "trainee", "--team", "Store A", "--password", "olga-pass-1") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("piped-secret\n"))  # a password piped in, not on the command line
    assert users(store_url, "add", "coach", "--role", "coach", "--name", "Clara") == 0
    out = capsys.readouterr().out
    assert "Added olga (trainee, team Store A, active)" in out and "piped-secret" not in out

    store = Store(store_url)
    assert store.login("coach", "piped-secret").user.display_name == "Clara"
    assert users(store_url, "set-role", "olga", "coach") == 0
    assert users(store_url, "set-team", "olga", "Store B") == 0
    assert store.find_user("olga").team == "Store B" and store.find_user("olga").role == Role.coach
    assert users(store_url, "set-team", "olga", "--none") == 0
    assert store.find_user("olga").team is None
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass\n"))
    assert users(store_url, "reset-password", "olga") == 0
    assert store.login("olga", "another-pass").user is not None
    assert users(store_url, "deactivate", "olga") == 0
    assert store.login("olga", "another-pass").user is None
    capsys.readouterr()
    assert users(store_url, "list", "--role", "coach") == 0
    listing = capsys.readouterr().out
    assert "olga" in listing and "no" in listing and "2 account(s)" in listing
    store.close()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "olga", "--role", "trainee", "--password", "short"], "", "too short"),
        (["add", "olga", "--role", "trainee"], "\n", "empty"),
        (["add", "bad name", "--role", "trainee", "--password", "long enough"], "", "Invalid username"),
        (["set-role", "nobody", "admin"], "", "No user named"),
        (["reset-password", "nobody", "--password", "long enough"], "", "No user named"),
    ],
)
def test_users_errors_are_one_clear_line(store_url, capsys, monkeypatch, argv, stdin, message):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert users(store_url, *argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_taken_username_fails_and_keeps_the_first(store_url, capsys):
    assert users(store_url, "add", "olga", "--role", "trainee", "--password", "first-pass") == 0
    assert users(store_url, "add", "olga", "--role", "admin", "--password", "second-pass") == 1
    assert "taken" in capsys.readouterr().err
    store = Store(store_url)
    assert store.login("olga", "first-pass").user.role == Role.trainee
    store.close()


def test_demo_accounts_are_created_once(store_url, capsys):
    assert users(store_url, "demo") == 0
    first = capsys.readouterr().out
    assert "trainee-demo" in first and "created" in first
    assert users(store_url, "demo") == 0
    assert "exists already" in capsys.readouterr().out
    store = Store(store_url)
    roles = {u.username: (u.role, u.team) for u in store.list_users()}
    assert roles["trainee"] == (Role.trainee, "Store A") and roles["trainee2"] == (Role.trainee, "Store B")
    assert {r for r, _ in roles.values()} == set(Role) and len(roles) == 5
    assert store.login("hr", "hr-demo-pass").user.role == Role.hr
    store.close()


def test_db_upgrade_and_status_hide_the_password(postgres_server, capsys):
    url = postgres_server.create_database("replycoach_cli").replace("postgres@", "postgres:s3cret-pw@")
    assert main(["db", "status", "--url", url]) == 1  # empty: needs an upgrade
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["db", "status", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "s3cret-pw" not in out and "***" in out and "up to date" in out


def test_db_upgrade_reports_an_unreachable_server(capsys):
    assert main(["db", "upgrade", "--url", "postgresql://u:pw-123@127.0.0.1:1/none"]) == 1
    err = capsys.readouterr().err
    assert "Database error" in err and "pw-123" not in err


def test_history_generates_a_plausible_history(store_url, capsys):
    argv = ["history", "--url", store_url, "--trainees", "12", "--attempts", "600", "--teams", "3", "--seed", "5"]
    assert main(argv) == 0
    assert "Added 12 trainees in 3 teams and 600 attempts" in capsys.readouterr().out
    assert main(argv) == 1  # the same seed again would collide: refused, nothing added
    assert "seed 5" in capsys.readouterr().err
    store = Store(store_url)
    hr = User(0, "hr", "hr", Role.hr, None)
    figures = store.key_figures(hr)
    assert figures.attempts == 600 and figures.active_trainees <= 12
    assert {r["team"] for r in store.team_principle_matrix(hr)} == {"Store A", "Store B", "Store C"}
    # the learning curve shows: the last month is better than the first
    months = store.score_over_time(hr, AttemptFilter(), bucket="month")
    first, last = months[0]["period"], months[-1]["period"]

    def mean(period):
        rows = [r for r in months if r["period"] == period]
        return sum(r["average_score"] * r["attempts"] for r in rows) / sum(r["attempts"] for r in rows)

    assert mean(last) > mean(first)
    assert store.login("gen5-t0001", "").user is None  # generated accounts cannot sign in
    store.close()
