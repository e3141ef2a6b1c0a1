"""Alembic migrations of the vnnews archive (run by `vnnews db upgrade` and on first use)."""
