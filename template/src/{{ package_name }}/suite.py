"""Suite step: build the great-expectations suites from your own data (``uv run poe suite``)."""

from .validation import build_suite_main

if __name__ == "__main__":
    build_suite_main()
