"""The one settings module. Everything that differs between machines comes from environment variables (12-factor).

JIUZHU_DATA_DIR    where the embedded database, the huey queue and uploaded files live (default ./var)
DATABASE_URL       e.g. postgres://jiuzhu@127.0.0.1:5432/jiuzhu (default: SQLite in JIUZHU_DATA_DIR)
JIUZHU_POLICY_DIRS where policy packs live (default: the repository's policies/)
JIUZHU_SOURCE_DIRS where department source definitions live (default: the repository's sources/)
JIUZHU_LINK_AUTO   match probability at which a record without a usable ID links by itself (default 0.99)
JIUZHU_LINK_REVIEW match probability from which a clerk reviews the candidate (default 0.80)
JIUZHU_LOCALITY    the pack that decides here (default: the pack of the top unit's division code)
JIUZHU_REDIS_URL   the production queue broker (default: huey on SQLite, no broker needed)
JIUZHU_SMS_BACKEND text messages: console (default, to the log), memory (tests) or http (JIUZHU_SMS_URL, _TOKEN, _SIGN)
JIUZHU_SECRET_KEY  signing key (default: made once and kept in JIUZHU_DATA_DIR/secret_key)
JIUZHU_DEBUG       1 for development
JIUZHU_ALLOWED_HOSTS  comma-separated host names
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("JIUZHU_DATA_DIR", Path.cwd() / "var")).resolve()


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("JIUZHU_DEBUG")


def _secret_key() -> str:
    """JIUZHU_SECRET_KEY, or a random key made once and kept (mode 600) in the data directory."""
    if key := os.environ.get("JIUZHU_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("JIUZHU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIUZHU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "huey.contrib.djhuey",
    "jiuzhu.core",
    "jiuzhu.audit",
    "jiuzhu.org",
    "jiuzhu.registry",
    "jiuzhu.policy",
    "jiuzhu.exchange",
    "jiuzhu.verification",
    "jiuzhu.workorders",
    "jiuzhu.reviews",
    "jiuzhu.monitoring",
    "jiuzhu.leads",
    "jiuzhu.cases",
    "jiuzhu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiuzhu.audit.middleware.RequestContextMiddleware",
    "jiuzhu.core.middleware.NotFoundMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiuzhu.config.urls"
WSGI_APPLICATION = "jiuzhu.config.wsgi.application"
AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jiuzhu.org.backends.RoleBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:workbench"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite (WAL) embedded by default, PostgreSQL through DATABASE_URL --------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "jiuzhu.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Security: Argon2 passwords, lock-out after failed log-ins, sessions that expire ----------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("JIUZHU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JIUZHU_LOGIN_LOCKOUT_MINUTES", "30")))
# Lock the account, not the address: behind an intranet NAT one office shares an address, and one person's
# typos must not lock out the whole street window.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
SESSION_COOKIE_AGE = int(os.environ.get("JIUZHU_SESSION_SECONDS", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: each request renews the two hours
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("JIUZHU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_flag("JIUZHU_BEHIND_PROXY") else None
# How many proxies sit in front (nginx = 1): the audit log takes the client address from X-Forwarded-For then.
JIUZHU_TRUSTED_PROXIES = int(os.environ.get("JIUZHU_TRUSTED_PROXIES", "0"))

# --- Language and time: Chinese first, English available ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files: vendored in the package, served by WhiteNoise (no CDN) ---------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # filled by `jiuzhu collectstatic` in production; finders serve the demo
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Background jobs: huey on SQLite by default, Redis in production ---------------------------------------
REDIS_URL = os.environ.get("JIUZHU_REDIS_URL", "")
HUEY = {
    "name": "jiuzhu",
    "immediate": env_flag("JIUZHU_HUEY_IMMEDIATE"),
    "utc": True,
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIUZHU_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # it logs every page it lays out at INFO
        "fontTools": {"level": "WARNING"},
        "splink": {"level": "WARNING"},  # it reports its blocking and prediction times at INFO
    },
}

# --- Policy packs: the repository's policies/ by default; a bureau adds its own folders (os.pathsep-separated) --
BASE_POLICY_DIR = PACKAGE_DIR.parent.parent / "policies"
# The platform's own locality (a pack folder or division code); empty = the top unit of the organisation tree.
# `jiuzhu demo` keeps its choice in the data directory, so every later command on the demo data agrees with it.
_LOCALITY_FILE = DATA_DIR / "locality"
JIUZHU_LOCALITY = os.environ.get("JIUZHU_LOCALITY", "") or (
    _LOCALITY_FILE.read_text(encoding="utf-8").strip() if _LOCALITY_FILE.exists() else ""
)
JIUZHU_POLICY_DIRS = [p for p in os.environ.get("JIUZHU_POLICY_DIRS", "").split(os.pathsep) if p] or [BASE_POLICY_DIR]

# --- Department data exchange: source definitions (YAML, one file a source), the columnar store, linkage ----------
BASE_SOURCE_DIR = PACKAGE_DIR.parent.parent / "sources"
JIUZHU_SOURCE_DIRS = [p for p in os.environ.get("JIUZHU_SOURCE_DIRS", "").split(os.pathsep) if p] or [BASE_SOURCE_DIR]
JIUZHU_SMS_BACKEND = os.environ.get("JIUZHU_SMS_BACKEND", "console")
JIUZHU_SMS_URL = os.environ.get("JIUZHU_SMS_URL", "")
JIUZHU_SMS_TOKEN = os.environ.get("JIUZHU_SMS_TOKEN", "")
JIUZHU_SMS_SIGN = os.environ.get("JIUZHU_SMS_SIGN", "民政救助")
JIUZHU_FEED_STORE = DATA_DIR / "feeds"  # immutable Parquet of every batch received, with its rejected rows
JIUZHU_FEED_INBOX = DATA_DIR / "inbox"  # the watched folder: inbox/<source>/<file> is imported and moved to done/
JIUZHU_LINK_AUTO = float(os.environ.get("JIUZHU_LINK_AUTO", "0.99"))
JIUZHU_LINK_REVIEW = float(os.environ.get("JIUZHU_LINK_REVIEW", "0.80"))

JIUZHU_SITE_TITLE = _("救助 · 社会救助综合服务平台")
