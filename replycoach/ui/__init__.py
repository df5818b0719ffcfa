"""The Streamlit front end: thin pages over the domain (cases, grading) and the storage facade."""
