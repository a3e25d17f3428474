"""Settings for Help, read from the environment (see the README's table).

Production is this same module with other variables; the defaults give a working
local site: SQLite, tasks run eagerly, e-mail on the console, files on local disk.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpdesk.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_json,
    env_list,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for a local site).")
    SECRET_KEY = "insecure-local-only-key"  # noqa: S105 - only ever with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_celery_beat",
    "core",
    "accounts",
    "tickets",
    "knowledge",
    "replies",
    "servicelevels",
    "notifications",
    "portal",
    "backoffice",
    "mailgate",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "helpdesk.middleware.ContentSecurityPolicyMiddleware",
]
ADMIN_URL_PREFIX = "admin/"

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

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
                "backoffice.context_processors.back_office",
                "portal.context_processors.accessibility",
            ],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several people at once: readers never wait for a writer (WAL), a writer takes the
    # lock when its transaction starts (IMMEDIATE) and waits its turn instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})  # what the URL gave is kept
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters bound by the server let psycopg prepare a statement met twice on one
        # connection: with kept connections (DATABASE_CONN_MAX_AGE), a page's queries are
        # planned once per connection, not on every request (planning a ticket with its
        # joins costs more than running it). A pooler that cannot keep prepared statements
        # (PgBouncer before 1.21) needs this turned off.
        options.update(server_side_binding=True, prepare_threshold=2)
    page_cost = env_float("DATABASE_RANDOM_PAGE_COST", None, above=0, below=1000)
    if page_cost is not None:
        # For a server whose own setting cannot be changed: see the README (a pooler may
        # refuse this startup option; ALTER DATABASE works behind any).
        options["options"] = f"{options.get('options', '')} -c random_page_cost={page_cost}"
    # A few rows at a time through a server-side cursor costs a round trip and a cursor
    # held past the transaction; every list here is a page, read at once.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# SAML attributes (eduPerson and SUPANN, by their OID) that allauth reads.
SAML_ATTRIBUTES = {
    "uid": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
    "email": "urn:oid:0.9.2342.19200300.100.1.3",
    "email_verified": "email_verified",
    "first_name": "urn:oid:2.5.4.42",
    "last_name": "urn:oid:2.5.4.4",
}
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_ALLOW_SIGNUP = env_bool("ACCOUNT_ALLOW_SIGNUP", False)
ACCOUNT_EMAIL_VERIFICATION = "none"
# Failed logins on local accounts are slowed down per address and per account.
ACCOUNT_RATE_LIMITS = {"login_failed": env_str("LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key")}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False

# Single sign-on: the university's identity provider, by OpenID Connect or SAML 2.
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# A local account is linked to a university login only through a verified e-mail.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {}
if env_str("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "universite"),
                "name": env_str("OIDC_NAME", "Université"),
                "client_id": env_required("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": env_str("OIDC_SERVER_URL"),
                    "scope": env_list("OIDC_SCOPES", "openid,profile,email"),
                },
            }
        ],
    }
if env_str("SAML_IDP_ENTITY_ID"):
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                "client_id": env_str("SAML_ORGANIZATION", "universite"),
                "name": env_str("SAML_NAME", "Université"),
                "settings": {
                    "attribute_mapping": env_json("SAML_ATTRIBUTE_MAPPING", SAML_ATTRIBUTES),
                    "idp": {
                        "entity_id": env_str("SAML_IDP_ENTITY_ID"),
                        "metadata_url": env_required("SAML_IDP_METADATA_URL"),
                    },
                    "sp": {"entity_id": env_str("SAML_SP_ENTITY_ID", f"{SITE_URL}/saml")},
                    "advanced": {"want_assertion_signed": True},
                },
            }
        ]
    }
# Which provider attribute fills which field; see accounts/sso.py for the defaults.
SSO_ATTRIBUTE_MAP = env_json("SSO_ATTRIBUTE_MAP", {})
# An idle timeout: accounts.middleware.SessionIdleTimeoutMiddleware moves the expiry ahead.
# With Redis, sessions are read from the cache and kept in the database (cached_db).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60

# Internationalisation: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# Static and uploaded files.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to disk
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "core.files.SizeCappedUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 20
HELP_MAX_UPLOAD_MB = env_int("HELP_MAX_UPLOAD_MB", 50)
FILE_STORAGE = env_choice("FILE_STORAGE", ("local", "s3"), "local")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "core.static.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if FILE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not STORAGES["default"]["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET.")

# E-mail: printed on the console unless an SMTP host is given.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Help <help@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where replies to notifications go (help+<token>@...), and the domain of our Message-IDs.
HELP_REPLY_ADDRESS = env_str("HELP_REPLY_ADDRESS", "")
HELP_MAIL_DOMAIN = env_str("HELP_MAIL_DOMAIN", "")
# Incoming mail: what one sender may send in an hour before the gate ignores the rest.
HELP_INBOUND_PER_HOUR = env_int("HELP_INBOUND_PER_HOUR", 30)
# A mailbox the deployment describes itself, read beside those of admin; its password
# stays in the environment.
IMAP_MAILBOX = (
    {
        "host": env_str("IMAP_HOST"),
        "port": env_int("IMAP_PORT", 993),
        "security": env_choice("IMAP_SECURITY", ("imaps", "starttls", "plain"), "imaps"),
        "username": env_required("IMAP_USER"),
        "inbox_folder": env_str("IMAP_FOLDER", "INBOX"),
        "processed_folder": env_str("IMAP_PROCESSED_FOLDER", "processed"),
        "errors_folder": env_str("IMAP_ERRORS_FOLDER", "errors"),
    }
    if env_str("IMAP_HOST")
    else None
)
IMAP_PASSWORD = env_str("IMAP_PASSWORD", "")

# Background jobs: Redis when REDIS_URL is set, otherwise run in-process.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Shared by every web process: login rate limits count across all of them.
    CACHES = {"default": {"BACKEND": "helpdesk.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
    # A request then reads its session without a query (see accounts/sessions.py).
    SESSION_ENGINE = "accounts.cached_sessions"
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged once done: a worker that dies mid-task leaves it for another.
# Tasks may so run twice; each one is written to do its work once (see notifications).
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Security: strict by default, relaxed only for a local DEBUG site.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME = env_str("SESSION_COOKIE_NAME", "help_sessionid")
CSRF_COOKIE_NAME = env_str("CSRF_COOKIE_NAME", "help_csrftoken")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Logging in or out through the identity provider posts to us, then redirects there: its
# origin must be a form target. Those of the providers set here are added; list others.
CSP_FORM_ACTION_EXTRA = env_list("CSP_FORM_ACTION_EXTRA") + [
    "{0.scheme}://{0.netloc}".format(urlsplit(url))
    for url in (env_str("OIDC_SERVER_URL"), env_str("SAML_IDP_METADATA_URL"))
    if url
]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Rate limits count per client, not per proxy: trust the proxies' X-Forwarded-For.
    ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
