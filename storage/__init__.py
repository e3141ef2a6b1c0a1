"""The archive: SQLAlchemy models, engine setup, save/dedupe. Knows nothing of HTML or HTTP."""
