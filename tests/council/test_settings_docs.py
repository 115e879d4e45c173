"""The settings table (`council.settings.SETTINGS`) is the one source of the documented settings.

README.md and docs/operations.md each hold the table between `<!-- settings:start -->` and
`<!-- settings:end -->`. After changing SETTINGS, rewrite both with:

    .venv/bin/python -m tests.council.test_settings_docs --write
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from council.settings import SETTINGS, Setting, Settings, load_or_create_secret

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "README.md", ROOT / "docs" / "operations.md")
START, END = "<!-- settings:start -->", "<!-- settings:end -->"
CONTRACT_VARIABLES = (
    "COUNCIL_DATA_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "LLM_PROVIDER",
    "LLM_BASE_URL",
    "LLM_API_KEY",
    "LLM_MODEL",
    "LLM_TRUSTED",
    "SMTP_URL",
    "COUNCIL_LANG",
)


def row(setting: Setting) -> str:
    default = f"`{setting.default}`" if setting.default is not None else "unset"
    meaning = setting.help.replace("|", "\\|")
    return f"| `{setting.env}` | {default} | {meaning} |"


def table() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|", *(row(s) for s in SETTINGS)]
    return "\n".join(lines)


def block(text: str) -> str | None:
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else None


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_setting_is_documented(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    documented = block(text)
    assert documented is not None, f"{doc.name} has no {START} … {END} block"
    missing = [s.env for s in SETTINGS if f"| `{s.env}` |" not in documented]
    assert not missing, f"{doc.name} does not document: {', '.join(missing)}"
    stale = sorted(set(re.findall(r"^\| `(\w+)` \|", documented, re.M)) - {s.env for s in SETTINGS})
    assert not stale, f"{doc.name} documents settings that no longer exist: {', '.join(stale)}"
    assert documented == table(), (
        f"the settings table in {doc.name} is out of date; run "
        "`.venv/bin/python -m tests.council.test_settings_docs --write`"
    )


def test_the_table_covers_the_contract() -> None:
    names = {s.env for s in SETTINGS}
    assert set(CONTRACT_VARIABLES) <= names
    assert len(names) == len(SETTINGS), "two settings share an environment variable"
    assert all(s.help.strip() for s in SETTINGS)


# Read from the environment outside the table on purpose, for developers only.
DEVELOPER_VARIABLES = {"COUNCIL_APPS"}  # limits the apps `python -m tortoise makemigrations` sees
_ENV_READ = re.compile(r"""os\.(?:environ\.get\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_the_code_reads_no_setting_outside_the_table() -> None:
    """A variable read anywhere in the packages is a row of SETTINGS (so it is documented)."""
    names = {s.env for s in SETTINGS} | DEVELOPER_VARIABLES
    stray = []
    for package in ("council", "meetings", "petitions", "assistant", "elections", "questioning"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for variable in _ENV_READ.findall(path.read_text(encoding="utf-8")):
                if variable not in names:
                    stray.append(f"{path.relative_to(ROOT)}: {variable}")
    assert not stray, "environment variables read outside council.settings.SETTINGS:\n" + "\n".join(
        stray
    )


def test_secret_key_has_no_built_in_default(tmp_path: Path) -> None:
    assert next(s for s in SETTINGS if s.env == "SECRET_KEY").default is None
    one = Settings.from_env({}, data_dir=str(tmp_path / "a")).secret_key
    two = Settings.from_env({}, data_dir=str(tmp_path / "b")).secret_key
    assert one != two and len(one) >= 32 and len(two) >= 32


def test_secret_key_is_generated_once_into_the_data_dir(tmp_path: Path) -> None:
    key = Settings.from_env({}, data_dir=str(tmp_path)).secret_key
    stored = tmp_path / "secret_key"
    assert stored.read_text().strip() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert Settings.from_env({}, data_dir=str(tmp_path)).secret_key == key
    assert load_or_create_secret(tmp_path) == key


def test_secret_key_survives_a_restart(tmp_path: Path) -> None:
    """Two separate processes (two starts of the server) read the same generated key."""
    code = "from council.settings import Settings; print(Settings.from_env().secret_key)"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["COUNCIL_DATA_DIR"] = str(tmp_path)
    keys = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert keys[0] and keys[0] == keys[1]


def test_an_explicit_secret_key_wins_and_is_not_written(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": "k" * 40}, data_dir=str(tmp_path))
    assert settings.secret_key == "k" * 40
    assert not (tmp_path / "secret_key").exists()


def test_every_setting_is_read_from_its_variable(tmp_path: Path) -> None:
    env = {
        "COUNCIL_LANG": "en",
        "COUNCIL_MAX_UPLOAD_MB": "7",
        "LLM_TRUSTED": "true",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "DATABASE_URL": "postgres://u@h:5432/db",
    }
    settings = Settings.from_env(env, data_dir=str(tmp_path))
    assert (settings.lang, settings.max_upload_mb, settings.llm_trusted) == ("en", 7, True)
    assert settings.redis_url == env["REDIS_URL"] and settings.database_url == env["DATABASE_URL"]
    default = Settings.from_env({}, data_dir=str(tmp_path))
    assert default.database_url == f"sqlite://{tmp_path.resolve() / 'council.db'}"
    for s in SETTINGS:
        assert hasattr(settings, s.name), f"SETTINGS row {s.name} has no Settings field"


def write() -> None:
    """Rewrite the settings block of each document from SETTINGS."""
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        if block(text) is None:
            print(f"{doc}: add a {START} … {END} block first", file=sys.stderr)
            continue
        pattern = re.escape(START) + r"\n.*?\n" + re.escape(END)
        doc.write_text(
            re.sub(pattern, lambda _m: f"{START}\n{table()}\n{END}", text, flags=re.S),
            encoding="utf-8",
        )
        print(f"updated {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(table())
