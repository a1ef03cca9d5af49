"""Rollback step: make the previous champion the champion again and release it (``uv run poe rollback``)."""

from .release import rollback_main

if __name__ == "__main__":
    rollback_main()
