"""``replycoach regrade --since DATE``: grade stored attempts again with the grader in use.

Every attempt since DATE that the grader in use has not graded gets a new grade beside its original (which
stays). The new grade becomes the score of record unless a coach reviewed the attempt. Prints how many
attempts moved across the pass mark. ``--dry-run`` grades and counts without storing anything.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("regrade", help="grade stored attempts again with the grader in use")
    p.add_argument("--since", required=True, type=_day, help="first day (YYYY-MM-DD, UTC) of attempts to re-grade")
    p.add_argument("--dry-run", action="store_true", help="grade and count, store nothing")
    p.add_argument("--url", help="database URL (default: the configured database)")
    p.add_argument("--embedder", default=None, help="embedder (default: the configured one)")
    p.set_defaults(run=run)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from replycoach.cli.db import open_grading
    from replycoach.grader_training import regrade

    settings, store, library, engine = open_grading(args.url, args.embedder)
    since = datetime.combine(args.since, datetime.min.time(), tzinfo=UTC)
    print(f"re-grading attempts since {args.since} with grader {engine.grader_version}", flush=True)
    report = regrade(
        store, engine, library, settings, since, dry_run=args.dry_run, progress=lambda m: print(m, flush=True)
    )
    if not report.regraded and not report.skipped:
        print("nothing to re-grade: every attempt since then was graded by this grader")
        return 0
    versions = ", ".join(f"{n} from {v}" for v, n in report.from_versions.most_common())
    print(
        f"re-graded {report.regraded} attempts ({versions or 'none'})"
        + (" [dry run: nothing stored]" if args.dry_run else "")
    )
    print(
        f"  across the pass mark ({settings.pass_mark:g}): {report.fail_to_pass} now pass, {report.pass_to_fail} now fail"
    )
    print(f"  {report.kept_reviewed} reviewed by a coach keep the coach's score (the new grade is stored beside it)")
    if report.with_judge:
        print(
            f"  {report.with_judge} judged by the LLM when submitted: the new offline grade is blended with the "
            "judge's stored verdicts at the weight used then (the LLM is not asked again)"
        )
    for reason, n in sorted(report.skipped.items()):
        print(f"  skipped {n}: {reason}", file=sys.stderr)
    return 0
