"""The optional LLM: a judge with quoted evidence and a customer who answers back (see docs/llm.md)."""

from replycoach.llm.service import JudgeOutcome, customer_turn, judge_and_combine, llm_status

__all__ = ["JudgeOutcome", "customer_turn", "judge_and_combine", "llm_status"]
