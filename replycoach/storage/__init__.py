"""Storage: one facade (``Store``) over SQLAlchemy; Alembic owns the schema."""
