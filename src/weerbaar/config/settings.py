"""Settings for Weerbaar, read from the environment.

One module for every environment: the embedded default (SQLite, tasks in process, console e-mail)
needs no variables at all; production is chosen with WEERBAAR_ENV=production and then refuses to
start without the secrets it needs. Every variable is documented in `.env.example`.
"""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from weerbaar.core.env import env_bool, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(env_str("WEERBAAR_DATA_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("WEERBAAR_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured("WEERBAAR_ENV must be development, test or production.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("WEERBAAR_DEBUG", default=not PRODUCTION and ENVIRONMENT != "test")

SECRET_KEY = env_str("WEERBAAR_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("WEERBAAR_SECRET_KEY is required in production.")
    # Development only: a fixed key keeps sessions valid across restarts of `make run`.
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghijklmnop"  # noqa: S105

# Key for encrypting secrets at rest (MFA seeds). Separate from SECRET_KEY so that rotating one does
# not silently invalidate the other; a list allows rotation (first encrypts, all decrypt).
FIELD_ENCRYPTION_KEYS = env_list("WEERBAAR_FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("WEERBAAR_FIELD_ENCRYPTION_KEYS is required in production.")
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="]

ALLOWED_HOSTS = env_list("WEERBAAR_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("WEERBAAR_ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("WEERBAAR_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("WEERBAAR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "weerbaar.core",
    "weerbaar.accounts",
    "weerbaar.organisations",
    "weerbaar.frameworks",
    "weerbaar.assessments",
    "weerbaar.monitor",
    "weerbaar.incidents",
    "weerbaar.advisories",
    "weerbaar.privacy",
    "weerbaar.governance",
    "weerbaar.awareness",
    "weerbaar.reports",
    "weerbaar.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "weerbaar.core.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "weerbaar.core.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: a view is reachable without sign-in only when marked public.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Also records each session's activity for allauth's session list, at most once a minute
    # (in place of allauth's UserSessionsMiddleware, which writes on every request).
    "weerbaar.accounts.middleware.SessionLifetimeMiddleware",
    "weerbaar.accounts.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "weerbaar.config.urls"
WSGI_APPLICATION = "weerbaar.config.wsgi.application"
ASGI_APPLICATION = "weerbaar.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "weerbaar.organisations.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'weerbaar.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("WEERBAAR_DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes every write transaction take the write lock up front, so two writers
        # never both read the audit chain head before either appends to it.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("WEERBAAR_CACHE_URL", "db://")
if CACHE_URL.startswith("redis://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # The database cache keeps rate-limit counters shared between app servers without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "weerbaar_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "organisations:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# Sessions: 30 minutes idle (the cookie age, renewed by requests) and 12 hours absolute
# (enforced by SessionLifetimeMiddleware from the moment of sign-in).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("WEERBAAR_SESSION_IDLE_SECONDS", 30 * 60)
# Renewed at most once a minute by SessionLifetimeMiddleware rather than saved on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_SECONDS = env_int("WEERBAAR_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# allauth: invitation only (no open sign-up), e-mail as login, MFA with TOTP, WebAuthn and recovery codes.
ACCOUNT_ADAPTER = "weerbaar.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "weerbaar.accounts.adapters.SocialAccountAdapter"
MFA_ADAPTER = "weerbaar.accounts.adapters.MfaAdapter"
# The e-mailed link (invitation or forgotten password) also verifies the address, which allauth
# requires before anyone can set up a second factor.
ACCOUNT_FORMS = {"reset_password_from_key": "weerbaar.accounts.forms.ChoosePasswordForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Failed sign-ins are throttled per address and per account within a time window, so an attacker
# can slow a real user down for minutes but never lock the account for good.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("WEERBAAR_LOGIN_FAILED_LIMIT", "20/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Weerbaar"
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never link a federated identity on e-mail alone
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False
USERSESSIONS_TRACK_ACTIVITY = True

# Federated login (SURFconext, Entree): a JSON list of
# {"id": "surfconext", "name": "SURFconext", "server_url": "...", "client_id": "...", "secret": "..."}.
# Each provider id stands for one issuer; users are matched on (provider id, subject).
OIDC_PROVIDERS = json.loads(env_str("WEERBAAR_OIDC_PROVIDERS", "[]") or "[]")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": p["id"],
                "name": p.get("name", p["id"]),
                "client_id": p["client_id"],
                "secret": p.get("secret", ""),
                "settings": {"server_url": p["server_url"]},
            }
            for p in OIDC_PROVIDERS
        ],
    }
}

# Roles whose members must have a second factor before they see anything.
MFA_REQUIRED_FOR_ALL = env_bool("WEERBAAR_MFA_REQUIRED_FOR_ALL", default=False)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Request size limits: bodies larger than this are refused with 413 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("WEERBAAR_MAX_REQUEST_BYTES", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
MAX_UPLOAD_BYTES = env_int("WEERBAAR_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

EMAIL_BACKEND = env_str(
    "WEERBAAR_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("WEERBAAR_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("WEERBAAR_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("WEERBAAR_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("WEERBAAR_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("WEERBAAR_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("WEERBAAR_FROM_EMAIL", "Weerbaar <noreply@weerbaar.invalid>")

# Background tasks: in process for the embedded default, the database queue with separate
# `manage.py db_worker` processes in production.
TASK_BACKEND = env_str("WEERBAAR_TASK_BACKEND", "database" if PRODUCTION else "immediate")
TASKS = {
    "default": {
        "BACKEND": (
            "weerbaar.core.tasks.DatabaseBackend"
            if TASK_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "weerbaar.api.authentication.PersonalAccessTokenAuthentication",
        "weerbaar.api.authentication.MfaSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["weerbaar.api.permissions.TokenScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "weerbaar.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["weerbaar.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "weerbaar.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "weerbaar.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Weerbaar API",
    "DESCRIPTION": "REST API of Weerbaar. Every response is scoped to what the token's user may see.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Over a hundred operations: Swagger UI shows the tags folded, with a filter, so the page stays
    # quick to read and to lay out.
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "filter": True, "deepLinking": True},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets used by several apps get one stable name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SectorCode": "weerbaar.organisations.choices.SectorCode",
        "OrganisationKind": "weerbaar.organisations.choices.OrganisationKind",
        "Role": "weerbaar.core.permissions.Role",
        "VersionStatus": "weerbaar.frameworks.choices.VersionStatus",
        "DomainPart": "weerbaar.frameworks.choices.DomainPart",
        "CycleKind": "weerbaar.monitor.choices.CycleKind",
        "MeasureState": "weerbaar.monitor.choices.MeasureState",
        "SocStatus": "weerbaar.monitor.choices.SocStatus",
        "AssessmentKind": "weerbaar.assessments.choices.AssessmentKind",
        "AssessmentStatus": "weerbaar.assessments.choices.AssessmentStatus",
        "ActionStatus": "weerbaar.assessments.choices.ActionStatus",
        "ActionSource": "weerbaar.assessments.choices.ActionSource",
        "IncidentStatus": "weerbaar.incidents.choices.IncidentStatus",
        "Tlp": "weerbaar.incidents.choices.Tlp",
        "ClockKind": "weerbaar.incidents.choices.ClockKind",
        "AdvisorySource": "weerbaar.advisories.choices.Source",
        "MatchTier": "weerbaar.advisories.choices.MatchTier",
        "AnswerState": "weerbaar.advisories.choices.AnswerState",
        "CovenantStatus": "weerbaar.privacy.choices.CovenantStatus",
        "DpaAnnex": "weerbaar.privacy.choices.DpaAnnex",
        "LocationPurpose": "weerbaar.privacy.choices.LocationPurpose",
        "TransferMechanism": "weerbaar.privacy.choices.TransferMechanism",
        "RiskLevel": "weerbaar.privacy.choices.RiskLevel",
        "RiskScale": "weerbaar.privacy.choices.Scale",
        "CentralDpiaStatus": "weerbaar.privacy.choices.CentralStatus",
        "VendorMeasureStatus": "weerbaar.privacy.choices.VendorMeasureStatus",
        "SchoolMeasureKind": "weerbaar.privacy.choices.SchoolMeasureKind",
        "DpiaChangeKind": "weerbaar.privacy.choices.ChangeKind",
        "LocalDpiaStatus": "weerbaar.privacy.choices.LocalStatus",
        "LegalBasis": "weerbaar.privacy.choices.LegalBasis",
        "SpecialCondition": "weerbaar.privacy.choices.SpecialCondition",
        "DpiaNeed": "weerbaar.privacy.choices.DpiaNeed",
        "BreachDecision": "weerbaar.privacy.choices.Decision",
        "ActivityKind": "weerbaar.awareness.choices.ActivityKind",
        "PeopleGroup": "weerbaar.awareness.choices.PeopleGroup",
        "TrainingFormat": "weerbaar.awareness.choices.TrainingFormat",
        "ParagraphStatus": "weerbaar.governance.choices.ParagraphStatus",
        "ParagraphElement": "weerbaar.governance.choices.Element",
        "Severity": "weerbaar.incidents.choices.Severity",
        "IncidentCategory": "weerbaar.incidents.choices.Category",
    },
    # The introduction (authentication, errors, pagination) is written in weerbaar.api.schema.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "weerbaar.api.schema.describe_api"],
}
API_TOKEN_MAX_DAYS = env_int("WEERBAAR_API_TOKEN_MAX_DAYS", 365)

# Content-Security-Policy: no inline scripts or styles anywhere; everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("WEERBAAR_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WEERBAAR_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Benchmark anonymity: aggregates need at least this many organisations besides the viewer.
BENCHMARK_MIN_GROUP = env_int("WEERBAAR_BENCHMARK_MIN_GROUP", 5)

DEMO_PASSWORD = env_str("WEERBAAR_DEMO_PASSWORD", "" if PRODUCTION else "Weerbaar-demo-2026")
WEERBAAR_SCOPE_RESOLVER = "weerbaar.organisations.scoping.visible_organisations"
