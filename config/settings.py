"""Settings, read from the environment (see README "Configuration").

The defaults are the embedded mode: a SQLite file and a Celery broker on the
file system, so that the first README command needs no server. Production sets
DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis) and turns DEBUG off.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from workflows.netaddr import parse_networks as _parse_networks

from .env import (
    check_public_base_url,
    embedded_host,
    embedded_public_base_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    weak_secret_key_reason,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("APP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)

# The debug key is in the public repository: production refuses it, and any key
# Django's own check (security.W009) would call weak.
DEBUG_SECRET_KEY = "embedded-insecure-key-only-for-debug-mode-0123456789abcdefghijkl"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false")
    SECRET_KEY = DEBUG_SECRET_KEY
elif not DEBUG and (weak := weak_secret_key_reason(SECRET_KEY, debug_key=DEBUG_SECRET_KEY)):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is refused when DJANGO_DEBUG is false: {weak}. Generate one with "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is false")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "viewflow",
    "viewflow.workflow",
    "pgtrigger",  # database-level guards on PostgreSQL (workflows/dbguard.py)
    "workflows",
    "tasks_registry",
    "approvals",  # the approvals kernel
    "approvals.dual_plaque",  # procedures: one app each, registering with the kernel
    "approvals.promotion",
    "approvals.subsidies",  # annex rows 8, 10, 13: budget lines, subsidies, awards
    "approvals.pilot_selection",
    "docs_gen",
    # more procedure apps, e.g. a site's own or the tests' (tests/env_defaults.py)
    *[app.strip() for app in os.environ.get("APP_EXTRA_APPS", "").split(",") if app.strip()],
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workflows.locale_middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL in the path, a parameter, a file name or a cookie: 400 before any view or query
    "workflows.hostile_input.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "workflows.middleware.ConflictMiddleware",
    # axes last: it turns a locked-out login into its own response
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workflows.context_processors.membership",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make a writer wait for the lock instead of failing
    # with "database is locked" (measured in docs/VIEWFLOW.md); WAL lets readers
    # go on while a writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- shared cache (rate limits) ---------------------------------------------------
# Every web process must count the same requests, and a restart must not reset the
# count: Redis when CACHE_URL is set (production), otherwise a table in the database
# (created by `migrate`, migration workflows 0003), shared and durable as well.
# Not the broker's Redis by default: a cache there would share its memory limit and
# eviction with queued tasks; give it a database of its own, e.g. redis://host:6379/1.
CACHE_URL = env_str("CACHE_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "zhiji")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"CACHE_URL={CACHE_URL!r} is not a Redis URL (redis://host:port/db)"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
else:
    CACHES = {
        "default": {
            # DatabaseCache with an increment that locks its row (workflows/cache.py)
            "BACKEND": "workflows.cache.AtomicDatabaseCache",
            "LOCATION": "zhiji_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # culling at the default 300 entries would drop rate-limit counters
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }

# --- auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# the real client behind a trusted proxy, else REMOTE_ADDR (workflows/netaddr.py)
AXES_CLIENT_IP_CALLABLE = "workflows.netaddr.client_ip"

# --- client addresses behind the reverse proxy, and rate limits -------------------
# X-Forwarded-For is read only when REMOTE_ADDR is a trusted proxy: addresses or
# networks in DJANGO_TRUSTED_PROXIES, or any peer with DJANGO_TRUSTED_PROXY_COUNT
# proxies in front. Default none: a spoofed X-Forwarded-For changes nothing.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more")
_parse_networks(TRUSTED_PROXIES)  # a typo stops the start, not the lockout
# (requests, seconds) per client address (an IPv6 client counts per /64)
RATE_LIMITS = {
    "objection": (env_int("RATE_LIMIT_OBJECTIONS_PER_HOUR", 10), 3600),
    "verify": (env_int("RATE_LIMIT_VERIFY_PER_MINUTE", 60), 60),
}

# guardian resolves proxy models (viewflow Process proxies) to their own
# content type, not the concrete table's (docs/VIEWFLOW.md, pitfall 2)
GUARDIAN_GET_CONTENT_TYPE = "workflows.permissions.content_type_for"
ANONYMOUS_USER_NAME = None

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static and uploaded files ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppStaticFinder",  # Django's, less viewflow's unused bundles
]
# Uploaded attachments and issued PDFs (workflows/storage.py, README "Files on several
# machines"): the file system under APP_MEDIA_ROOT (one machine, or a volume every machine
# mounts), the database itself (every machine that reaches PostgreSQL sees every file), or
# an S3-compatible object store through django-storages (installed separately).
FILE_STORAGE = (env_str("APP_FILE_STORAGE", "filesystem") or "").lower()
if FILE_STORAGE == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif FILE_STORAGE == "database":
    _default_storage = {"BACKEND": "workflows.storage.DatabaseStorage"}
elif FILE_STORAGE == "s3":
    import importlib.util

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "APP_FILE_STORAGE=s3 needs django-storages with boto3: "
            ".venv/bin/pip install 'django-storages[s3]'"
        )
    if not env_str("APP_S3_BUCKET"):
        raise ImproperlyConfigured("APP_FILE_STORAGE=s3 needs APP_S3_BUCKET")
    # credentials: boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("APP_S3_BUCKET"),
            "endpoint_url": env_str("APP_S3_ENDPOINT_URL"),
            "region_name": env_str("APP_S3_REGION"),
            "location": env_str("APP_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured(
        f"APP_FILE_STORAGE={FILE_STORAGE!r} is not one of filesystem, database, s3"
    )
# true: APP_MEDIA_ROOT is one volume every web and worker machine mounts (or there is only
# one machine); silences the deploy check zhiji.W001 (workflows/checks.py)
MEDIA_SHARED = env_bool("APP_MEDIA_SHARED", False)
# what lists the files rows refer to (workflows.storage.stored_files: move_files, backup)
FILE_SOURCES = [
    "approvals.common.attachments.stored_files",
    "tasks_registry.selectors.stored_report_files",
    "docs_gen.selectors.stored_pdfs",
]
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files live outside the web root and are only served through views
# that check who may see them.
MEDIA_ROOT = Path(env_str("APP_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never routed: files go out only through permission-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# the form fields of one request, files not included (a larger body answers 400)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# no uploaded file is kept past this size, not even in a temporary file; forms refuse
# it by its size (workflows/upload_limits.py); the same 20 MB as an attachment
FILE_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "workflows.upload_limits.SizeCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- celery -------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in var/broker, no server needed.
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://", "sentinel://")):
    # Tasks are acknowledged late (below): Redis keeps a message a worker took but did not
    # acknowledge, and gives it to another worker only after this many seconds. kombu's
    # default is an hour, so a worker killed mid-task (kill -9, OOM, power) left its work
    # undone for an hour. Set it longer than the longest task (rendering a document takes
    # seconds), far shorter than an hour; a task running longer would be delivered twice,
    # which the idempotent tasks tolerate. docs_gen also re-queues stuck renders itself
    # (DOCS_RENDER_STUCK_SECONDS).
    CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 300)
    if CELERY_BROKER_VISIBILITY_TIMEOUT < 60:
        raise ImproperlyConfigured("CELERY_BROKER_VISIBILITY_TIMEOUT must be at least 60 seconds")
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_IGNORE_RESULT = True
# A parallel test run (pytest-xdist) shares one Redis between its processes, each with its
# own test database: each process (and the workers it starts) uses its own queue, so a
# worker never takes a task meant for another process's database.
CELERY_TASK_DEFAULT_QUEUE = (
    f"celery-{os.environ['PYTEST_XDIST_WORKER']}"
    if os.environ.get("PYTEST_XDIST_WORKER")
    else "celery"
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "fire-due-viewflow-timers": {
        "task": "workflows.tasks.fire_due_timers",
        "schedule": 60.0,
    },
    # pilot selection: experts reminded 48 h before the scoring deadline, scoring closed at it
    "pilot-selection-close-due-scoring": {
        "task": "approvals.pilot_selection.tasks.close_due_scoring",
        "schedule": 300.0,
    },
    # a public notice (公示) moves on once its working days are over and every
    # objection is handled (approvals.common.tasks)
    "approvals-close-due-public-notices": {
        "task": "approvals.common.tasks.close_due_public_notices",
        "schedule": 300.0,
    },
    # approval steps: a reminder one working day before a step's time limit, the office
    # told once it has passed (approvals.common.tasks, idempotent)
    "approvals-step-deadlines": {
        "task": "approvals.common.tasks.scan_step_deadlines",
        "schedule": crontab(minute=15),
    },
    # key-task supervision: reminders 7/3/1 days before due, escalation when overdue
    # (idempotent: runs hourly so that a missed run is caught up the same day)
    "supervision-deadline-scan": {
        "task": "tasks_registry.tasks.scan_deadlines",
        "schedule": crontab(minute=5),
    },
    # an issued document whose PDF is still not there DOCS_RENDER_STUCK_SECONDS after it
    # was queued (its worker died) is queued again (docs_gen.tasks)
    "docs-requeue-stuck-renders": {
        "task": "docs_gen.tasks.requeue_stuck_renders",
        "schedule": 60.0,
    },
}
# Nightly backup (workflows.backup.nightly, `manage.py backup` into a dated folder) when
# APP_BACKUP_DIR is set: the worker that runs it needs pg_dump and, on the file-system
# storage, the media folder.
BACKUP_DIR = env_str("APP_BACKUP_DIR")
BACKUP_KEEP = env_int("APP_BACKUP_KEEP", 14)
BACKUP_HOUR = env_int("APP_BACKUP_HOUR", 2)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured("APP_BACKUP_KEEP must be at least 1")
if not 0 <= BACKUP_HOUR <= 23:
    raise ImproperlyConfigured("APP_BACKUP_HOUR must be an hour from 0 to 23")
if BACKUP_DIR:
    CELERY_BEAT_SCHEDULE["nightly-backup"] = {
        "task": "workflows.tasks.backup_nightly",
        "schedule": crontab(hour=BACKUP_HOUR, minute=30),
    }

# --- e-mail -------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "zhiji@localhost")

# --- security (python manage.py check --deploy passes with DEBUG off) -------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- application ---------------------------------------------------------------
SITE_TITLE = _("台州市职技融通改革工作平台")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pyHanko warns about every odd revision of an uploaded PDF (/verify): the report
        # says what matters; keep attacker-made files from filling the log
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# Run in order by `manage.py load_demo`, after the units and people.
DEMO_LOADERS = [
    "tasks_registry.services.registry_load",
    "docs_gen.demo.load_demo_documents",
    "tasks_registry.demo.load_demo_supervision",
    "approvals.dual_plaque.demo.load_demo_applications",
    "approvals.promotion.demo.load_demo_promotion",
    "approvals.subsidies.demo.load_demo_subsidies",
    "approvals.pilot_selection.demo.load_demo_rounds",
    "workflows.demo.load_demo_delegation",
]

# --- official documents (docs_gen) ---------------------------------------------------
# An issued document still waiting for its PDF this long after it was queued is taken as
# stuck (its worker died mid-render): the beat task re-queues it and staff may retry it.
DOCS_RENDER_STUCK_SECONDS = env_int("DOCS_RENDER_STUCK_SECONDS", 300)
if DOCS_RENDER_STUCK_SECONDS < 1:
    raise ImproperlyConfigured("DOCS_RENDER_STUCK_SECONDS must be a positive number of seconds")
# Where the QR code on an issued PDF points: the public /verify/<code>/ page. Production
# must say it; the embedded mode derives it from run.sh's HOST and PORT (which run.sh
# exports to the web, worker and beat processes alike), so its QR codes open.
if env_str("DOCS_PUBLIC_BASE_URL"):
    DOCS_PUBLIC_BASE_URL = check_public_base_url(
        "DOCS_PUBLIC_BASE_URL", env_str("DOCS_PUBLIC_BASE_URL")
    )
elif not DEBUG:
    raise ImproperlyConfigured(
        "DOCS_PUBLIC_BASE_URL is required when DJANGO_DEBUG is false: the public address "
        "the QR code on issued documents points to, e.g. https://zhiji.example.gov.cn"
    )
else:
    DOCS_PUBLIC_BASE_URL = embedded_public_base_url(env_str("HOST"), env_int("PORT", 8000))
    if not env_str("DJANGO_ALLOWED_HOSTS"):  # the derived address must be served too
        _host = embedded_host(env_str("HOST"))
        _host = f"[{_host}]" if ":" in _host else _host
        if _host not in ALLOWED_HOSTS:
            ALLOWED_HOSTS.append(_host)
# A licensed deployment may swap the free faces, e.g. DOCS_FONT_TITLE="方正小标宋简体"
# and DOCS_FONT_BODY="仿宋_GB2312" (docs/GBT9704.md); each keeps the free face as
# per-character fallback.
DOCS_FONT_OVERRIDES = {
    role: env_str(f"DOCS_FONT_{role.upper()}")
    for role in ("title", "mark", "body", "hei", "kai", "song")
    if env_str(f"DOCS_FONT_{role.upper()}")
}
# Issued PDFs are signed (PAdES) by each issuing unit's key (docs_gen/signing.py; README
# "Signatures on issued documents"). A unit's key: DOCS_SIGNING_P12_<CODE> (a PKCS#12 file,
# its passphrase in DOCS_SIGNING_PASSPHRASE_<CODE>), else DOCS_SIGNING_DIR/<code>.p12, else,
# when DOCS_SIGNING_TEST_AUTHORITY is on (the embedded mode's default), a certificate from
# a local test authority made under DOCS_SIGNING_DIR/test-authority/: not a national
# e-seal. /verify trusts DOCS_SIGNING_TRUST_ROOTS (PEM or DER files) and that authority.
DOCS_SIGNING_DIR = Path(env_str("DOCS_SIGNING_DIR", str(VAR_DIR / "signing")))
DOCS_SIGNING_TEST_AUTHORITY = env_bool("DOCS_SIGNING_TEST_AUTHORITY", DEBUG)
DOCS_SIGNING_P12 = {
    name.removeprefix("DOCS_SIGNING_P12_"): value
    for name, value in os.environ.items()
    if name.startswith("DOCS_SIGNING_P12_") and value
}
DOCS_SIGNING_PASSPHRASES = {
    name.removeprefix("DOCS_SIGNING_PASSPHRASE_"): value
    for name, value in os.environ.items()
    if name.startswith("DOCS_SIGNING_PASSPHRASE_") and value
}
DOCS_SIGNING_TRUST_ROOTS = env_list("DOCS_SIGNING_TRUST_ROOTS", [])
# An RFC 3161 time-stamp service: signatures become PAdES B-T (a signing time vouched
# for by the service); without one they are B-B (the signer's own clock).
DOCS_TSA_URL = env_str("DOCS_TSA_URL", "")
DOCS_TSA_TIMEOUT = env_int("DOCS_TSA_TIMEOUT", 10)
