"""The inbox: what needs a user's attention, derived from assignments, attempts and reviews (nothing is copied).

Trainees: a new assignment, a coach's review of their reply (with its comment), an assignment due soon, an
overdue one. Coaches and admins: new attempts to review, and assignments their team's trainees are overdue
on (a coach without a team sees every team's). Only the read marks are stored (``Store.mark_inbox_read``);
an item goes away by itself when it is dealt with (the case done, the attempt reviewed). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from replycoach.storage.types import Role, User

#: An assignment due within this many days (and not done) is "due soon".
DUE_SOON_DAYS = 2
#: The newest attempts to review listed (the count says how many there are in all).
REVIEW_ITEMS = 30

ASSIGNMENT, COMMENT, DUE_SOON, OVERDUE, TO_REVIEW, TEAM_OVERDUE = (
    "assignment", "comment", "due_soon", "overdue", "to_review", "team_overdue",
)  # fmt: skip


@dataclass(frozen=True)
class InboxItem:
    key: str  # stable: the read mark refers to it
    kind: str  # one of the kinds above
    at: datetime | date  # when it happened (or is due), for the order
    case_id: str | None = None
    attempt_id: int | None = None
    person: str | None = None  # the coach (comment) or the trainee (coach items), by display name
    due: date | None = None
    score: float | None = None
    comment: str | None = None
    unread: bool = True


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    waiting_reviews: int = 0  # attempts waiting for a review in all (coaches), beyond the listed ones

    @property
    def unread(self) -> int:
        return sum(item.unread for item in self.items)


def inbox_for(store, user: User, *, live_case_ids: Collection[str], today: date) -> Inbox:
    """The user's inbox, unread first then newest first. ``live_case_ids``: the published cases (a trainee
    is never pointed at a draft or a retired case); ``today``: the user's local date."""
    if user.role == Role.trainee:
        inbox = _trainee_inbox(store, user, live_case_ids, today)
    elif user.role in (Role.coach, Role.admin):
        inbox = _coach_inbox(store, user, today)
    else:
        return Inbox([])
    read = store.inbox_read_keys(user, [item.key for item in inbox.items])
    items = [replace(item, unread=item.key not in read) for item in inbox.items]
    items.sort(key=lambda item: (not item.unread, -_ordinal(item.at)))
    return replace(inbox, items=items)


def _trainee_inbox(store, user: User, live_case_ids: Collection[str], today: date) -> Inbox:
    items: list[InboxItem] = []
    for status in store.assignment_statuses(user, today=today):
        assignment = status.assignment
        if status.done or assignment.case_id not in live_case_ids:
            continue
        common = {"case_id": assignment.case_id, "due": assignment.due}
        items.append(InboxItem(f"assignment:{assignment.id}", ASSIGNMENT, assignment.created_at, **common))
        if status.overdue:
            items.append(InboxItem(f"overdue:{assignment.id}", OVERDUE, assignment.due, **common))
        elif assignment.due is not None and assignment.due - today <= timedelta(days=DUE_SOON_DAYS):
            items.append(InboxItem(f"due:{assignment.id}", DUE_SOON, assignment.due, **common))
    for notice in store.reviews_of_my_attempts(user):
        review = notice.review
        items.append(
            InboxItem(
                f"review:{review.id}",
                COMMENT,
                review.created_at,
                case_id=notice.case_id,
                attempt_id=notice.attempt_id,
                person=review.coach_name,
                score=review.overall,
                comment=review.comment,
            )
        )
    return Inbox(items)


def _coach_inbox(store, user: User, today: date) -> Inbox:
    from replycoach.storage.types import AttemptFilter

    every_turn = AttemptFilter(turn=None)
    items = [
        InboxItem(
            f"attempt:{attempt.id}",
            TO_REVIEW,
            attempt.submitted_at,
            case_id=attempt.case_id,
            attempt_id=attempt.id,
            person=attempt.display_name,
            score=attempt.score,
        )
        for attempt in store.review_queue(user, every_turn, limit=REVIEW_ITEMS)
    ]
    teams = [user.team] if user.role == Role.coach and user.team else None
    for status in store.assignment_statuses(user, today=today, teams=teams):
        if status.overdue:
            assignment = status.assignment
            items.append(
                InboxItem(
                    f"overdue:{assignment.id}:{status.user_id}",
                    TEAM_OVERDUE,
                    assignment.due,
                    case_id=assignment.case_id,
                    person=status.display_name,
                    due=assignment.due,
                )
            )
    return Inbox(items, waiting_reviews=store.count_review_queue(user, every_turn))


def _ordinal(moment: datetime | date) -> float:
    if isinstance(moment, datetime):
        return moment.timestamp()
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp()
