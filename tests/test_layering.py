"""The layering (docs/architecture.md): import-linter's contracts name every package, no
in-function import of our own packages without a comment saying why, and the core's hooks carry
what packages used to import each other for."""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from council import signals

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGES = tuple(PYPROJECT["tool"]["mypy"]["packages"])


def test_every_package_is_in_the_contracts_the_build_and_mypy() -> None:
    built = {p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    linter = PYPROJECT["tool"]["importlinter"]
    assert set(linter["root_packages"]) == built
    assert set(PYPROJECT["tool"]["mypy"]["packages"]) == built
    contracts = {c["type"]: c for c in linter["contracts"]}
    assert set(contracts["acyclic_siblings"]["ancestors"]) == built
    assert {
        *contracts["forbidden"]["source_modules"],
        *contracts["independence"]["modules"],
    } == built


def test_the_layering_contracts_are_kept() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "3 kept, 0 broken" in done.stdout


def _in_function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each uncommented import of our own packages inside a function: a run of
    imports is commented by a comment on the line above it or on its own line."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    found: dict[int, str] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level:
                module = "."
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
            elif isinstance(node, ast.Import):
                module = node.names[0].name
            else:
                continue
            if module == "." or module.split(".")[0] in PYPROJECT["tool"]["mypy"]["packages"]:
                found[node.lineno] = lines[node.lineno - 1].strip()
    bare = []
    for number in sorted(found):
        first = number
        while first - 1 in found:
            first -= 1
        run = [lines[n - 1] for n in range(first, number + 1)]
        if "#" in "".join(run) or lines[first - 2].strip().startswith("#"):
            continue
        bare.append((number, found[number]))
    return bare


@pytest.mark.parametrize("package", PACKAGES)
def test_in_function_imports_of_our_packages_say_why(package: str) -> None:
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for line, text in _in_function_imports(path)
    ]
    assert bare == [], "import at the top, or say why not in a comment:\n" + "\n".join(bare)


def test_a_hook_is_declared_once() -> None:
    with pytest.raises(ValueError, match="document.changed"):
        signals.hook("document.changed", "again")


async def test_a_best_effort_hook_logs_a_failing_subscriber_and_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = signals.Hook("test.best_effort", "", best_effort=True)
    heard: list[int] = []

    async def broken(n: int) -> None:
        raise RuntimeError("subscriber down")

    async def listener(n: int) -> None:
        heard.append(n)

    hook.connect(broken)
    hook.connect(listener)
    hook.connect(listener)  # once only
    with caplog.at_level(logging.WARNING, "council.signals"):
        await hook.send(n=7)
    assert heard == [7]
    assert "test.best_effort" in caplog.text
    strict = signals.Hook("test.strict", "")
    strict.connect(broken)
    with pytest.raises(RuntimeError, match="subscriber down"):
        await strict.send(n=1)


def test_the_packages_subscribe_where_they_used_to_be_imported() -> None:
    """meetings no longer imports the assistant by name, nor auth the realtime server: each
    listens to a core hook once the app has loaded its packages."""
    from assistant.services.question import index_document
    from council import realtime
    from council.app import domain_modules

    domain_modules("hooks")
    assert index_document in signals.DOCUMENT_CHANGED.handlers
    assert realtime.user_changed in signals.TOKENS_ENDED.handlers
    from questioning.services.live import sitting_moved

    assert sitting_moved in signals.ITEM_CHANGED.handlers


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_shares_a_name_with_its_packages_services(package: str) -> None:
    """``petitions/reports.py`` beside ``petitions/services/reports.py`` made a newcomer guess which
    one held the rule. An HTTP layer (``routes/``, ``admin/``) mirrors its services' names on
    purpose; a domain's own modules and its services do not share one (docs/architecture.md)."""
    clashes = [
        f"{services.parent.relative_to(ROOT)}/{module.name} vs {module.relative_to(ROOT)}"
        for services in (ROOT / package).rglob("services")
        if services.is_dir()
        for module in services.glob("*.py")
        if module.name != "__init__.py" and (services.parent / module.name).exists()
    ]
    assert clashes == []
