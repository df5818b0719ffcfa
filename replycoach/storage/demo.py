"""Demo accounts, one per role, with passwords everyone knows: for trying the app, never for real use."""

from __future__ import annotations

from dataclasses import dataclass

from replycoach.storage.facade import Store
from replycoach.storage.types import MissingEntry, Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    team: str | None
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("trainee", "trainee-demo", Role.trainee, "Store A", "Tanja Trainee"),
    DemoAccount("trainee2", "trainee2-demo", Role.trainee, "Store B", "Boris Trainee"),
    DemoAccount("coach", "coach-demo", Role.coach, "Store A", "Clara Coach"),
    DemoAccount("hr", "hr-demo-pass", Role.hr, None, "Hanna HR"),
    DemoAccount("admin", "admin-demo", Role.admin, None, "Adam Admin"),
)


def ensure_demo_accounts(store: Store) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing; (account, created) for each. Existing accounts are left as
    they are (their password may have been changed since), so running this twice changes nothing."""
    done = []
    for account in DEMO_ACCOUNTS:
        try:
            store.find_user(account.username)
            done.append((account, False))
        except MissingEntry:
            store.add_user(
                account.username, account.password, account.role, display_name=account.display_name, team=account.team
            )
            done.append((account, True))
    return done
