"""Storage: SQLAlchemy 2 models, repositories and Alembic migrations (SQLite or PostgreSQL)."""
