"""The one seam for third-party internals: every private API of a library we rely on, one module
per library (``aiosqlite``, ``tortoise``, ``socketio``, ``whoosh``).

Nothing outside this package touches a library's private names. Each library has an upper version
pin in ``pyproject.toml`` and a guard test (``tests/council/test_compat.py``) that fails, naming
what changed, when an upgrade renames or reshapes what a module here relies on.
"""
