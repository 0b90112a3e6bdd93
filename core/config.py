"""Configuration, read in this one place.

Every setting comes from the environment (or an explicit mapping, for tests and the command
line's `--database-url`), is parsed and checked once, and is handed to the parts that need it.
No other module reads `os.environ`. Paths are relative to the instance folder, never to the
working directory, so `app.py` behaves the same from any directory.

| variable | default | what |
|---|---|---|
| `LIUZHUAN_INSTANCE_DIR` | `<project>/instance` | the instance folder: SQLite file, secret key, mail outbox |
| `DATABASE_URL` | `sqlite:///<instance>/liuzhuan.db` | the database (a `postgresql://` URL works the same) |
| `LIUZHUAN_SECRET_KEY` | generated once into `<instance>/secret_key` | signs sessions and tokens |
| `LIUZHUAN_AUDIT_KEY` | generated once into `<instance>/audit_key` (0600) | HMAC key of the audit chain |
| `LIUZHUAN_TIMERS` | `off` | `inprocess`: the web process runs the timer tick (make run) |
| `LIUZHUAN_TIMER_INTERVAL` | `15` | seconds between two ticks of the in-process loop |
| `LIUZHUAN_RATELIMIT_STORAGE` | `memory://` | where failed-login counts live (`redis://...` shares them) |
| `LIUZHUAN_TRUSTED_PROXIES` | none | reverse proxies (`127.0.0.1,10.0.0.0/8`) whose X-Forwarded-For/-Proto count |
| `LIUZHUAN_HTTPS` | `0` | `1`: served over HTTPS, the session cookie is sent only over HTTPS (`Secure`) |
| `LIUZHUAN_ADMIN_PASSWORD` | generated | the `admin` password set by `app.py create-admin` |
| `LIUZHUAN_DEMO_PASSWORD` | `liuzhuan123` | the password of every demo user |
| `LIUZHUAN_RECYCLE_DAYS` | `30` | days a deleted CRM record stays restorable in the recycle bin (1 to 3650) |
| `LIUZHUAN_SCRIPT_CPU_SECONDS`, `LIUZHUAN_MAX_NODES`, ... | see core/limits.py | resource limits (README "Limits") |

Notifications (`load_notify`): `LIUZHUAN_BASE_URL` (links in messages, default
`http://127.0.0.1:5000`), `LIUZHUAN_SMTP_URL` (`smtp://user:pass@host:port`, `smtps://...`,
`?starttls=1`; unset: `.eml` files in `<instance>/outbox/`), `LIUZHUAN_MAIL_FROM`,
`LIUZHUAN_WEBHOOK_URL` with `LIUZHUAN_WEBHOOK_FORMAT` (`dingtalk` | `feishu` | `wecom` | `json`) and
`LIUZHUAN_WEBHOOK_SECRET` (DingTalk / Feishu signing), `LIUZHUAN_BROKER` (`redis://...`: the scaled
mode, Celery workers and beat).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.limits import Limits, from_env

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TIMER_MODES = ("off", "inprocess")
DEFAULT_DEMO_PASSWORD = "liuzhuan123"


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str | None
    timers: str
    timer_interval: float
    ratelimit_storage: str
    admin_password: str | None
    demo_password: str
    limits: Limits = Limits()
    trusted_proxies: tuple[str, ...] = ()
    https: bool = False
    audit_key: str | None = None
    recycle_days: int = 30

    @property
    def secret_key_file(self) -> Path:
        return self.instance_dir / "secret_key"

    @property
    def audit_key_file(self) -> Path:
        return self.instance_dir / "audit_key"

    @property
    def outbox_dir(self) -> Path:
        return self.instance_dir / "outbox"

    @property
    def files_dir(self) -> Path:
        """Attachments and signatures (files/storage.py LocalStorage)."""
        return self.instance_dir / "files"


def default_sqlite_url(instance_dir: Path) -> str:
    return f"sqlite:///{instance_dir / 'liuzhuan.db'}"


def _interval(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"LIUZHUAN_TIMER_INTERVAL must be a number of seconds, not {raw!r}") from None
    if not 0.05 <= value <= 3600:
        raise ConfigError(f"LIUZHUAN_TIMER_INTERVAL must be between 0.05 and 3600 seconds, not {raw!r}")
    return value


def _proxies(raw: str) -> tuple[str, ...]:
    import ipaddress

    out = tuple(p.strip() for p in raw.split(",") if p.strip())
    for spec in out:
        try:
            ipaddress.ip_network(spec, strict=False)
        except ValueError:
            raise ConfigError(f"LIUZHUAN_TRUSTED_PROXIES: {spec!r} is not an address or network") from None
    return out


def _days(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 3650:
        raise ConfigError(f"LIUZHUAN_RECYCLE_DAYS must be a whole number of days from 1 to 3650, not {raw!r}")
    return int(raw)


def _flag(name: str, raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {raw!r}")


def load(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """The settings from `env` (default: the process environment), with `overrides` (keyword
    names of Settings fields, None meaning "not given") taking precedence."""
    env = os.environ if env is None else env
    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(given) - set(Settings.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    def get(name: str, var: str, default: str = "") -> str:
        """Setting `name`: the override, else environment variable `var`, else `default` (text)."""
        return str(given.get(name) or env.get(var) or default)

    instance_dir = Path(get("instance_dir", "LIUZHUAN_INSTANCE_DIR", str(PROJECT_ROOT / "instance"))).resolve()
    timers = get("timers", "LIUZHUAN_TIMERS", "off")
    if timers not in TIMER_MODES:
        raise ConfigError(f"LIUZHUAN_TIMERS must be one of {', '.join(TIMER_MODES)}, not {timers!r}")
    interval = given.get("timer_interval")
    proxies = given.get("trusted_proxies") or env.get("LIUZHUAN_TRUSTED_PROXIES") or ""
    try:
        limits = given.get("limits") or from_env(env)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    return Settings(
        instance_dir=instance_dir,
        database_url=get("database_url", "DATABASE_URL", default_sqlite_url(instance_dir)),
        secret_key=get("secret_key", "LIUZHUAN_SECRET_KEY") or None,
        timers=timers,
        timer_interval=float(interval) if isinstance(interval, int | float) else _interval(
            str(interval or env.get("LIUZHUAN_TIMER_INTERVAL") or "15")),
        ratelimit_storage=get("ratelimit_storage", "LIUZHUAN_RATELIMIT_STORAGE", "memory://"),
        admin_password=get("admin_password", "LIUZHUAN_ADMIN_PASSWORD") or None,
        demo_password=get("demo_password", "LIUZHUAN_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
        limits=limits if isinstance(limits, Limits) else Limits(),
        trusted_proxies=_proxies(",".join(proxies) if isinstance(proxies, tuple | list) else str(proxies)),
        https=_flag("LIUZHUAN_HTTPS", get("https", "LIUZHUAN_HTTPS")),
        audit_key=get("audit_key", "LIUZHUAN_AUDIT_KEY") or None,
        recycle_days=_days(get("recycle_days", "LIUZHUAN_RECYCLE_DAYS", "30").strip()),
    )


# ---------------------------------------------------------------- notifications (notify/)

WEBHOOK_FORMATS = ("dingtalk", "feishu", "wecom", "json")


@dataclass(frozen=True)
class NotifySettings:
    outbox_dir: Path
    base_url: str
    smtp_url: str | None
    mail_from: str
    webhook_url: str | None
    webhook_format: str
    webhook_secret: str | None
    broker: str | None


def load_notify(env: Mapping[str, str] | None = None, **overrides: object) -> NotifySettings:
    """The notification settings from `env` (default: the process environment), `overrides` first."""
    env = os.environ if env is None else env
    given = {k: v for k, v in overrides.items() if v is not None}

    def get(name: str, var: str, default: str = "") -> str:
        return str(given.get(name) or env.get(var) or default)

    fmt = get("webhook_format", "LIUZHUAN_WEBHOOK_FORMAT", "json")
    if fmt not in WEBHOOK_FORMATS:
        raise ConfigError(f"LIUZHUAN_WEBHOOK_FORMAT must be one of {', '.join(WEBHOOK_FORMATS)}, not {fmt!r}")
    smtp = get("smtp_url", "LIUZHUAN_SMTP_URL") or None
    if smtp and not smtp.startswith(("smtp://", "smtps://")):
        raise ConfigError(f"LIUZHUAN_SMTP_URL must start with smtp:// or smtps://, not {smtp!r}")
    broker = get("broker", "LIUZHUAN_BROKER") or None
    if broker and not broker.startswith(("redis://", "rediss://")):
        raise ConfigError(f"LIUZHUAN_BROKER must be a redis:// URL, not {broker!r}")
    instance_dir = Path(get("instance_dir", "LIUZHUAN_INSTANCE_DIR", str(PROJECT_ROOT / "instance"))).resolve()
    return NotifySettings(
        outbox_dir=Path(get("outbox_dir", "", str(instance_dir / "outbox"))),
        base_url=get("base_url", "LIUZHUAN_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        smtp_url=smtp,
        mail_from=get("mail_from", "LIUZHUAN_MAIL_FROM", "liuzhuan@localhost"),
        webhook_url=get("webhook_url", "LIUZHUAN_WEBHOOK_URL") or None,
        webhook_format=fmt,
        webhook_secret=get("webhook_secret", "LIUZHUAN_WEBHOOK_SECRET") or None,
        broker=broker,
    )


# ---------------------------------------------------------------- the CRM routines (routines/)


@dataclass(frozen=True)
class RoutineSettings:
    """`LIUZHUAN_CHURN_MONTHS` (6): a customer with no contract for this many months gets a churn
    warning (客户流失预警); `LIUZHUAN_CHURN_SNOOZE_DAYS` (30): a snooze (暂缓) without a date lasts this
    long; `LIUZHUAN_REMINDER_DAYS` (3): birthdays and next visits are announced this many days ahead;
    `LIUZHUAN_ROUTINE_INTERVAL` (3600): seconds between two runs of the routines on the tick."""

    churn_months: int = 6
    churn_snooze_days: int = 30
    reminder_days: int = 3
    interval: float = 3600.0


def load_routines(env: Mapping[str, str] | None = None) -> RoutineSettings:
    env = os.environ if env is None else env

    def number(var: str, default: int, low: int, high: int) -> int:
        raw = env.get(var) or str(default)
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ConfigError(f"{var} must be a whole number from {low} to {high}, not {raw!r}")
        return int(raw)

    return RoutineSettings(churn_months=number("LIUZHUAN_CHURN_MONTHS", 6, 1, 120),
                           churn_snooze_days=number("LIUZHUAN_CHURN_SNOOZE_DAYS", 30, 1, 3650),
                           reminder_days=number("LIUZHUAN_REMINDER_DAYS", 3, 0, 60),
                           interval=float(number("LIUZHUAN_ROUTINE_INTERVAL", 3600, 10, 7 * 86400)))
