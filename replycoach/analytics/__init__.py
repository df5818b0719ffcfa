"""Calibration statistics and exports (CSV, xAPI): pure functions over plain values.

Nothing here imports Streamlit or the database; pages and the CLI hand in rows from the storage facade.
"""
