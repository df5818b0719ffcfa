"""The learned part of the grader: the model file per embedder (``<embedder>.npz``), the code that reads it
at grading time (``heads``, ``scoring``, ``attribution``) and, beside it, the code that writes it
(``train``, ``data``, ``evaluate``). The engine only reads; ``replycoach train`` writes.
"""
