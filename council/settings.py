"""One table of settings: name, environment variable, default and help.

The CLI, the docs (docs/operations.md) and a test all read ``SETTINGS``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "COUNCIL_DATA_DIR",
        "./var",
        "Directory for the database file, uploads, search indexes and the generated secret key.",
    ),
    Setting(
        "database_url",
        "DATABASE_URL",
        None,
        "Database URL. Default: sqlite://$COUNCIL_DATA_DIR/council.db. Use postgres://… for PostgreSQL.",
    ),
    Setting(
        "redis_url",
        "REDIS_URL",
        None,
        "Redis URL. When set: Socket.IO message queue across workers and machines, shared rate limits.",
    ),
    Setting(
        "redis_channel",
        "REDIS_CHANNEL",
        "socketio",
        "Redis pub/sub channel of the Socket.IO message queue (and, with `:user-changed` after it, of the users' changes). Pub/sub ignores the database number in `REDIS_URL`: deployments sharing a Redis server need a channel each.",
    ),
    Setting(
        "secret_key",
        "SECRET_KEY",
        None,
        "Signs sessions and tokens. When unset, a random key is generated once into the data directory.",
    ),
    Setting(
        "llm_provider",
        "LLM_PROVIDER",
        "extractive",
        "`extractive` (offline, no model) or `openai` (any OpenAI-compatible server).",
    ),
    Setting(
        "llm_base_url",
        "LLM_BASE_URL",
        None,
        "Base URL of the OpenAI-compatible server (for `openai`).",
    ),
    Setting(
        "llm_api_key",
        "LLM_API_KEY",
        None,
        "API key for the OpenAI-compatible server (for `openai`).",
    ),
    Setting(
        "llm_model", "LLM_MODEL", None, "Model name on the OpenAI-compatible server (for `openai`)."
    ),
    Setting(
        "llm_trusted",
        "LLM_TRUSTED",
        "false",
        "`true` only for a model hosted on the council's own premises: confidential documents may be sent to it.",
    ),
    Setting(
        "llm_context_tokens",
        "LLM_CONTEXT_TOKENS",
        "8192",
        "Context size of the model in tokens; long documents are split into chunks that fit.",
    ),
    Setting(
        "llm_timeout",
        "LLM_TIMEOUT",
        "60",
        "Seconds before a request to the model server is abandoned.",
    ),
    Setting(
        "smtp_url",
        "SMTP_URL",
        None,
        "`smtp://host:port` for e-mail notifications; unset: notifications are recorded, not sent.",
    ),
    Setting(
        "smtp_from", "SMTP_FROM", "no-reply@hdnd.local", "Sender address of e-mail notifications."
    ),
    Setting("lang", "COUNCIL_LANG", "vi", "Default interface language (`vi` or `en`)."),
    Setting(
        "max_upload_mb", "COUNCIL_MAX_UPLOAD_MB", "50", "Largest session document accepted, in MB."
    ),
    Setting(
        "worker_memory_mb",
        "COUNCIL_WORKER_MEMORY_MB",
        "1024",
        "Address space, in MB, of the worker process that reads one uploaded file (text of a PDF or DOCX, a page drawn for the viewer); past it the job is stopped and the upload refused.",
    ),
    Setting(
        "blob_cache_mb",
        "COUNCIL_BLOB_CACHE_MB",
        "1024",
        "With files in a bucket: MB of this node's disk (`COUNCIL_DATA_DIR/blobs`) kept for copies of the documents it read last, so that drawing pages does not download a whole PDF each time; 0 keeps none.",
    ),
    Setting(
        "worker_seconds",
        "COUNCIL_WORKER_SECONDS",
        "60",
        "Seconds one uploaded file may take to read in its worker process before it is stopped and the upload refused.",
    ),
    Setting(
        "worker_jobs",
        "COUNCIL_WORKER_JOBS",
        "2",
        "Worker processes reading uploaded files at once, per server process; more wait their turn.",
    ),
    Setting(
        "login_rate",
        "COUNCIL_LOGIN_RATE",
        "10/300",
        "Failed logins allowed per (account, client address) pair, and per device the account logged in from before (which keeps its own budget): COUNT/SECONDS.",
    ),
    Setting(
        "login_account_rate",
        "COUNCIL_LOGIN_ACCOUNT_RATE",
        "20/300",
        "Failed logins allowed per account from devices it never logged in from, whatever their addresses: COUNT/SECONDS. Past it such devices wait or are unlocked one by one by the secretariat; known devices are not affected.",
    ),
    Setting(
        "login_ip_rate",
        "COUNCIL_LOGIN_IP_RATE",
        "300/300",
        "Failed logins allowed per client address from devices unknown to the account: COUNT/SECONDS. Sized for a hall where about 100 tablets share one public address.",
    ),
    Setting(
        "petition_rate",
        "COUNCIL_PETITION_RATE",
        "5/3600",
        "Public petitions (and supports) allowed per phone or e-mail, and per IP for those "
        "that give neither: COUNT/SECONDS.",
    ),
    Setting(
        "petition_ip_rate",
        "COUNCIL_PETITION_IP_RATE",
        "100/3600",
        "Public petitions (and supports) that give a phone or e-mail allowed per IP: "
        "COUNT/SECONDS (carrier NAT puts many people behind one address).",
    ),
    Setting(
        "assistant_rate",
        "COUNCIL_ASSISTANT_RATE",
        "30/3600",
        "Assistant requests allowed per user: COUNT/SECONDS.",
    ),
    Setting(
        "token_ttl_hours",
        "COUNCIL_TOKEN_TTL_HOURS",
        "720",
        "Lifetime of API bearer tokens and login sessions, in hours.",
    ),
    Setting(
        "port",
        "PORT",
        "8000",
        "Port `council serve` listens on when `--port` is not given (`make run PORT=8123` sets it; so does a PaaS).",
    ),
    Setting(
        "base_url",
        "COUNCIL_BASE_URL",
        None,
        "Public address of the site, used in e-mails and receipts; its origin is accepted for Socket.IO connections from browsers. Unset: `http://127.0.0.1:$PORT`.",
    ),
    Setting(
        "storage_url",
        "STORAGE_URL",
        None,
        "Where uploaded and generated files live. Unset: the data directory's `uploads/`; `file:///PATH` another folder; `s3://BUCKET/PREFIX` a bucket of any S3-compatible server (then the `S3_*` settings).",
    ),
    Setting(
        "s3_endpoint_url",
        "S3_ENDPOINT_URL",
        None,
        "Address of the S3-compatible server (MinIO, Ceph, SeaweedFS); unset for AWS S3.",
    ),
    Setting(
        "s3_access_key_id",
        "S3_ACCESS_KEY_ID",
        None,
        "Access key for `s3://` storage; unset: the usual AWS variables, files or instance role.",
    ),
    Setting(
        "s3_secret_access_key",
        "S3_SECRET_ACCESS_KEY",
        None,
        "Secret key for `s3://` storage.",
    ),
    Setting(
        "s3_region",
        "S3_REGION",
        None,
        "Region of the bucket for `s3://` storage; unset: `us-east-1` (what most S3-compatible servers expect).",
    ),
    Setting(
        "search_backend",
        "SEARCH_BACKEND",
        None,
        "Where full-text search runs: `whoosh` (index files in the data directory) or `postgres` (tables with GIN indexes in the database, updated in the transaction of each change). Default: `postgres` when `DATABASE_URL` is PostgreSQL, else `whoosh`.",
    ),
    Setting(
        "signing_p12_path",
        "SIGNING_P12_PATH",
        None,
        "PKCS#12 file with the organisation's signing key and certificate chain (docs/signing.md).",
    ),
    Setting(
        "signing_p12_password",
        "SIGNING_P12_PASSWORD",
        None,
        "Password of the PKCS#12 file in `SIGNING_P12_PATH`.",
    ),
    Setting(
        "signing_pkcs11_module",
        "SIGNING_PKCS11_MODULE",
        None,
        "Path of the PKCS#11 driver of the signing token (e.g. the Bit4ID or SafeNet library); the signer types the PIN at signing time and it is never stored. Wins over `SIGNING_P12_PATH`.",
    ),
    Setting(
        "signing_pkcs11_slot",
        "SIGNING_PKCS11_SLOT",
        None,
        "Slot number of the signing token, when the driver sees more than one.",
    ),
    Setting(
        "signing_pkcs11_label",
        "SIGNING_PKCS11_LABEL",
        None,
        "Label of the signing token, when the driver sees more than one (instead of the slot).",
    ),
    Setting(
        "signing_trust_roots",
        "SIGNING_TRUST_ROOTS",
        None,
        "Directory of CA certificates (PEM or DER) trusted when signing and verifying signed PDFs; unset: no signature is reported as trusted.",
    ),
    Setting(
        "tsa_url",
        "TSA_URL",
        None,
        "RFC 3161 timestamp authority. Set: signatures are PAdES B-LT (timestamped, revocation data embedded); unset: PAdES B-B with revocation data embedded.",
    ),
    Setting(
        "verify_rate",
        "VERIFY_RATE",
        "20/3600",
        "PDFs one address may check on the public verification page per window (count/seconds).",
    ),
    Setting(
        "forwarded_allow_ips",
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Addresses of the reverse proxies (comma-separated, `*` for any) whose X-Forwarded-For and X-Forwarded-Proto headers `council serve` trusts.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _port(value: str | None) -> int:
    try:
        port = int(value or 8000)
    except ValueError:
        raise ValueError(f"PORT must be a number, not {value!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"PORT must lie within 1…65535, not {port}")
    return port


def _slot(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(f"SIGNING_PKCS11_SLOT must be a number, not {value!r}") from None


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Resolved settings for one app instance."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    llm_provider: str
    llm_base_url: str | None
    llm_api_key: str | None
    llm_model: str | None
    llm_trusted: bool
    llm_context_tokens: int
    llm_timeout: float
    smtp_url: str | None
    smtp_from: str
    lang: str
    max_upload_mb: int
    login_rate: str
    login_ip_rate: str
    login_account_rate: str
    petition_rate: str
    petition_ip_rate: str
    assistant_rate: str
    token_ttl_hours: int
    base_url: str
    port: int = 8000
    forwarded_allow_ips: str = "127.0.0.1"
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    s3_region: str | None = None
    worker_memory_mb: int = 1024
    blob_cache_mb: int = 1024
    worker_seconds: float = 60.0
    worker_jobs: int = 2
    search_backend: str = "whoosh"
    signing_p12_path: str | None = None
    signing_p12_password: str | None = field(default=None, repr=False)
    signing_pkcs11_module: str | None = None
    signing_pkcs11_slot: int | None = None
    signing_pkcs11_label: str | None = None
    signing_trust_roots: str | None = None
    tsa_url: str | None = None
    verify_rate: str = "20/3600"
    redis_channel: str = "socketio"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def uploads_dir(self) -> Path:
        """The local store's folder when ``STORAGE_URL`` is unset (see ``council.storage``)."""
        return self.data_dir / "uploads"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read every setting from ``env`` (default: ``os.environ``); ``overrides`` win."""
        env = os.environ if env is None else env
        raw: dict[str, str | None] = {}
        for s in SETTINGS:
            value = env.get(s.env)
            raw[s.name] = value if value not in (None, "") else s.default
        data_dir = Path(str(overrides.pop("data_dir", raw["data_dir"]))).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        database_url = raw["database_url"] or f"sqlite://{data_dir / 'council.db'}"
        values: dict[str, object] = dict(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=raw["redis_url"],
            secret_key=raw["secret_key"] or load_or_create_secret(data_dir),
            llm_provider=(raw["llm_provider"] or "extractive").lower(),
            llm_base_url=raw["llm_base_url"],
            llm_api_key=raw["llm_api_key"],
            llm_model=raw["llm_model"],
            llm_trusted=_bool(raw["llm_trusted"]),
            llm_context_tokens=int(raw["llm_context_tokens"] or 8192),
            llm_timeout=float(raw["llm_timeout"] or 60),
            smtp_url=raw["smtp_url"],
            smtp_from=raw["smtp_from"] or "",
            lang=raw["lang"] if raw["lang"] in ("vi", "en") else "vi",
            max_upload_mb=int(raw["max_upload_mb"] or 50),
            login_rate=raw["login_rate"] or "10/300",
            login_ip_rate=raw["login_ip_rate"] or "300/300",
            login_account_rate=raw["login_account_rate"] or "20/300",
            petition_rate=raw["petition_rate"] or "5/3600",
            petition_ip_rate=raw["petition_ip_rate"] or "100/3600",
            assistant_rate=raw["assistant_rate"] or "30/3600",
            token_ttl_hours=int(raw["token_ttl_hours"] or 720),
            port=_port(raw["port"]),
            base_url=(raw["base_url"] or f"http://127.0.0.1:{_port(raw['port'])}").rstrip("/"),
            forwarded_allow_ips=raw["forwarded_allow_ips"] or "127.0.0.1",
            storage_url=raw["storage_url"],
            s3_endpoint_url=raw["s3_endpoint_url"],
            s3_access_key_id=raw["s3_access_key_id"],
            s3_secret_access_key=raw["s3_secret_access_key"],
            s3_region=raw["s3_region"],
            worker_memory_mb=int(raw["worker_memory_mb"] or 1024),
            blob_cache_mb=int(raw["blob_cache_mb"] or 0),
            worker_seconds=float(raw["worker_seconds"] or 60),
            worker_jobs=int(raw["worker_jobs"] or 2),
            signing_p12_path=raw["signing_p12_path"],
            signing_p12_password=raw["signing_p12_password"],
            signing_pkcs11_module=raw["signing_pkcs11_module"],
            signing_pkcs11_slot=_slot(raw["signing_pkcs11_slot"]),
            signing_pkcs11_label=raw["signing_pkcs11_label"],
            signing_trust_roots=raw["signing_trust_roots"],
            tsa_url=raw["tsa_url"],
            verify_rate=raw["verify_rate"] or "20/3600",
            redis_channel=raw["redis_channel"] or "socketio",
        )
        values.update(overrides)
        if "search_backend" not in overrides:
            values["search_backend"] = _search_backend(
                raw["search_backend"], str(values["database_url"])
            )
        return cls(**values)  # type: ignore[arg-type]


def _search_backend(value: str | None, database_url: str) -> str:
    if value:
        backend = value.strip().lower()
        if backend not in ("whoosh", "postgres"):
            raise ValueError(f"SEARCH_BACKEND must be whoosh or postgres, not {value!r}")
        if backend == "postgres" and database_url.startswith("sqlite"):
            raise ValueError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        return backend
    return "whoosh" if database_url.startswith("sqlite") else "postgres"


def load_or_create_secret(data_dir: Path) -> str:
    """Return the key stored in the data dir, generating it on first use (never a built-in key)."""
    path = data_dir / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def describe(name: str) -> Setting:
    return _BY_NAME[name]
