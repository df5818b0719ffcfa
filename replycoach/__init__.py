"""ReplyCoach: practise answering negative customer feedback on real cases, graded offline."""

__version__ = "0.1.0"
