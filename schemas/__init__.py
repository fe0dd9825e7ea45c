"""The pandera schemas: the single statement of what a valid submitted row is."""

import sys

if "hypothesis" not in sys.modules and "pandera" not in sys.modules:
    # pandera loads hypothesis, when installed, for its data synthesis (strategies), which
    # shinchoku never uses: ~0.2-0.8 s of a run's start. Loaded here without it (pandera then
    # notes it as absent); a process that imported hypothesis first keeps it.
    sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        import pandera.backends.pandas.builtin_checks  # loaded by the first check otherwise
        import pandera.pandas
        import pandera.strategies.pandas_strategies  # noqa: F401
    finally:
        del sys.modules["hypothesis"]
