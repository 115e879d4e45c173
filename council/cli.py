"""The ``council`` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from council import db, storage
from council.models import ROLES
from council.search import engine as search_engine
from council.settings import Settings


def _run(coro_fn: Callable[[Settings], Awaitable[int | None]], *, init: bool = True) -> int:
    settings = Settings.from_env()

    async def main() -> int | None:
        storage.configure(settings)
        search_engine.configure_for(settings)
        if init:
            await db.init(settings)
        try:
            return await coro_fn(settings)
        finally:
            if init:
                await db.close()

    return asyncio.run(main()) or 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.port is not None:
        # The app (here, and in each worker process uvicorn starts) reads its settings from the
        # environment: its own address, and so the links it writes, follows the port served.
        os.environ["PORT"] = str(args.port)
    settings = Settings.from_env()
    if settings.is_sqlite and args.workers > 1:
        print(
            "note: several workers share one SQLite file; use PostgreSQL and REDIS_URL at scale.",
            file=sys.stderr,
        )
    if args.workers > 1 and not settings.redis_url:
        print("warning: REDIS_URL is not set; live events will not cross workers.", file=sys.stderr)
    uvicorn.run(
        "council.app:asgi",
        factory=True,
        host=args.host,
        port=settings.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="info",
        # uvicorn kills a worker that has not answered its health ping within this many seconds.
        # A spawned worker answers only once it has imported this module again (seconds of
        # imports: 12 s on a loaded 2-core machine), so uvicorn's 5 s killed every worker there,
        # in a loop, and the server never served.
        timeout_worker_healthcheck=60,
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    async def go(settings: Settings) -> int:
        await db.migrate(settings)
        await db.close()
        print("migrations applied")
        return 0

    return _run(go, init=False)


def cmd_demo(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council.demo import load_all

    async def go(settings: Settings) -> int:
        logins = await load_all(settings)
        print("Demo data loaded. Logins (username / password):")
        for role, username, password in logins:
            print(f"  {role:<12} {username:<24} {password}")
        return 0

    return _run(go)


def cmd_create_user(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council import services
    from council.errors import DomainError

    async def go(settings: Settings) -> int:
        try:
            user = await services.user_create(
                None,
                username=args.username,
                password=args.password,
                role=args.role,
                full_name=args.full_name or "",
                council_code=args.council,
                agency_code=args.agency,
            )
        except DomainError as exc:
            print(f"error: {exc.to_dict('en')}", file=sys.stderr)
            return 1
        print(f"created user {user.username} (id {user.id}, role {user.role})")
        return 0

    return _run(go)


def cmd_create_council(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council import divisions, services
    from council.errors import DomainError

    async def go(settings: Settings) -> int:
        try:
            if args.division:
                council = await divisions.council_from_division(
                    None, args.division, code=args.code, seats=args.seats, quorum=args.quorum
                )
            else:
                missing = [
                    f"--{name}"
                    for name in ("code", "name", "level", "seats")
                    if getattr(args, name) is None
                ]
                if missing:
                    print(
                        f"error: {', '.join(missing)} required (or --division CODE)",
                        file=sys.stderr,
                    )
                    return 2
                council = await services.council_create(
                    None,
                    code=args.code,
                    name=args.name,
                    level=args.level,
                    seats=args.seats,
                    parent_code=args.parent,
                    quorum=args.quorum,
                )
        except DomainError as exc:
            print(f"error: {exc.to_dict('en')}", file=sys.stderr)
            return 1
        seats = f"{council.seats} seats" if council.seats else "seats not set"
        print(f"created council {council.code} {council.name!r} (id {council.id}, {seats})")
        return 0

    return _run(go)


def cmd_import_divisions(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council import divisions
    from council.errors import DomainError

    async def go(settings: Settings) -> int:
        try:
            result = await divisions.import_province(None, args.province)
        except DomainError as exc:
            print(f"error: {exc.to_dict('en')}", file=sys.stderr)
            return 1
        print(
            f"{result.province.name} ({result.province.code}): {len(result.created)} councils "
            f"created, {result.existing} already there; official list of "
            f"{divisions.data_version()}. Seats are not set: the secretariat of each council "
            "sets them before its first sitting."
        )
        return 0

    return _run(go)


def cmd_reindex(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council.app import domain_modules

    async def go(settings: Settings) -> int:
        for module in domain_modules("hooks"):
            if hasattr(module, "reindex"):
                count = await module.reindex(settings)
                print(f"{module.__name__.split('.')[0]}: {count} documents indexed")
        return 0

    return _run(go)


def _anchor(text: str) -> tuple[int, int, str]:
    """``SEQ:HASH`` (the deployment's chain) or ``COUNCIL:SEQ:HASH`` (a council's chain), as
    printed by ``verify-audit`` and in a session's minutes: (chain, seq, hash)."""
    found = re.fullmatch(r"(?:([1-9][0-9]*):)?([1-9][0-9]*):([0-9a-fA-F]{64})", text)
    if found is None:
        raise argparse.ArgumentTypeError(
            f"expected SEQ:HASH or COUNCIL:SEQ:HASH (a 64-hex-digit hash), got {text!r}"
        )
    return int(found[1] or 0), int(found[2]), found[3].lower()


def cmd_verify_audit(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council import audit_verify

    async def go(settings: Settings) -> int:
        result = await audit_verify.verify(anchors=args.anchor)
        if result.ok:
            chains = len(result.heads)
            print(
                f"audit chain intact: {result.count} entries (head {result.head})"
                + (f"; {chains} chains" if chains > 1 else "")
            )
            # Kept outside the database, they let a later run see the newest entries cut off:
            # one per chain (the deployment's, then each council's).
            for chain, (seq, digest) in sorted(result.heads.items()):
                print(f"anchor: {audit_verify.anchor_text(chain, seq, digest)}")
            return 0
        where = f"seq={result.broken_seq}"
        if result.broken_id is not None:
            where += f" id={result.broken_id}"
        if result.broken_chain:
            where += f" of council {result.broken_chain}'s chain"
        print(
            f"audit chain broken at entry {where}: "
            f"{result.reason} ({result.count} entries verified before it)"
        )
        return 1

    return _run(go)


def cmd_verify_pdf(args: argparse.Namespace) -> int:
    import json
    import logging
    import warnings

    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council.signing.config import trust_roots_dir
    from council.signing.verify import describe, verify_path

    # the report says what failed; the libraries' own tracebacks would bury it
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="DSA is deprecated")

    settings = Settings.from_env()
    try:
        report = verify_path(args.file, args.trust_roots or trust_roots_dir(settings))
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.as_dict(), default=str, ensure_ascii=False, indent=2))
    else:
        print("\n".join(describe(report)))
    return report.exit_code


def cmd_backup(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council.backup import BackupError, backup

    async def go(settings: Settings) -> int:
        try:
            summary = await backup(settings, args.path)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(summary)
        return 0

    return _run(go)


def cmd_restore(args: argparse.Namespace) -> int:
    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council.backup import BackupError, restore

    async def go(settings: Settings) -> int:
        try:
            summary = await restore(settings, args.path)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(summary)
        return 0

    return _run(go, init=False)


def cmd_import_files(args: argparse.Namespace) -> int:
    from pathlib import Path

    # CLI commands import what they run, so that `council --help` and one command do not load the app
    from council.app import domain_modules
    from council.file_import import import_files

    domain_modules("models")  # each registers the columns that name stored files

    async def go(settings: Settings) -> int:
        source = Path(args.source) if args.source else settings.uploads_dir
        if not source.is_dir():
            print(f"error: {source} is not a folder", file=sys.stderr)
            return 1
        try:
            report = await import_files(source, remove=args.remove)
        except storage.StorageUnavailable as exc:
            print(f"error: the file store cannot be used: {exc}", file=sys.stderr)
            return 1
        print(report.summary())
        return 0 if report.ok else 1

    return _run(go)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="council", description="People's Council platform")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the web app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=None, help="default: $PORT, else 8000")
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(fn=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=cmd_migrate)
    sub.add_parser("demo", help="load the demo data set (safe to run twice)").set_defaults(
        fn=cmd_demo
    )

    s = sub.add_parser("create-user", help="create a user")
    s.add_argument("--username", required=True)
    s.add_argument("--password", required=True)
    s.add_argument(
        "--role",
        required=True,
        choices=list(ROLES),
    )
    s.add_argument("--council")
    s.add_argument("--agency")
    s.add_argument("--full-name")
    s.set_defaults(fn=cmd_create_user)

    s = sub.add_parser(
        "create-council",
        help="create a council (from the official list with --division CODE)",
    )
    s.add_argument(
        "--division",
        help="official code of the province (2 digits) or commune/ward (5 digits): "
        "name, level and parent come from the list",
    )
    s.add_argument(
        "--code", help="the council's code (default with --division: vn-01, vn-01-00004)"
    )
    s.add_argument("--name")
    s.add_argument("--level", choices=["city", "commune"])
    s.add_argument("--parent")
    s.add_argument("--seats", type=int, help="optional with --division: set later")
    s.add_argument("--quorum", help='fraction of all seats, default "2/3"')
    s.set_defaults(fn=cmd_create_council)

    s = sub.add_parser(
        "import-divisions",
        help="create the council of a province and of all its communes from the official list",
    )
    s.add_argument("--province", required=True, help="official 2-digit code, e.g. 01 (Hà Nội)")
    s.set_defaults(fn=cmd_import_divisions)

    sub.add_parser("reindex", help="rebuild the search indexes from the database").set_defaults(
        fn=cmd_reindex
    )
    s = sub.add_parser("verify-audit", help="check the audit hash chain")
    s.add_argument(
        "--anchor",
        action="append",
        default=[],
        type=_anchor,
        metavar="[COUNCIL:]SEQ:HASH",
        help="an entry recorded earlier (printed by this command, or in a session's minutes); "
        "its chain (a council's, or without COUNCIL the deployment's) must still hold it, "
        "unchanged. Repeatable.",
    )
    s.set_defaults(fn=cmd_verify_audit)

    s = sub.add_parser(
        "verify-pdf",
        help="check a PDF's signatures (exit 0 intact and trusted, 1 broken or modified, "
        "2 no signature, 3 untrusted or revoked)",
    )
    s.add_argument("file")
    s.add_argument(
        "--trust-roots", help="directory of CA certificates (default: SIGNING_TRUST_ROOTS)"
    )
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s.set_defaults(fn=cmd_verify_pdf)

    s = sub.add_parser("backup", help="write a consistent copy of database, uploads and indexes")
    s.add_argument("path")
    s.set_defaults(fn=cmd_backup)
    s = sub.add_parser(
        "import-files",
        help="store a data directory's files in the configured store (STORAGE_URL) by content",
    )
    s.add_argument(
        "--from", dest="source", help="folder to import (default: $COUNCIL_DATA_DIR/uploads)"
    )
    s.add_argument(
        "--remove", action="store_true", help="remove each source file once its copy is checked"
    )
    s.set_defaults(fn=cmd_import_files)
    s = sub.add_parser("restore", help="restore a backup made by `council backup`")
    s.add_argument("path")
    s.set_defaults(fn=cmd_restore)
    return p


def main(argv: list[str] | None = None) -> Any:
    args = parser().parse_args(argv)
    return sys.exit(args.fn(args))


if __name__ == "__main__":
    main()
