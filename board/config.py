"""Default settings.

Precedence, lowest first: these defaults, then ``instance/config.py``, then ``BOARD_*``
environment variables (``BOARD_DATABASE_URL``, ``BOARD_SECRET_KEY``, ...), then the
overrides a test passes to ``create_app``.
"""

# SQLite file in the instance folder unless BOARD_DATABASE_URL says otherwise.
DATABASE_URL = None

# Generated into instance/secret_key on first run when not configured.
SECRET_KEY = None

# Flask-Limiter: memory for one process; redis://... when several instances run.
RATELIMIT_ENABLED = True  # explicit: the one Limiter object keeps the last app's setting
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
RATELIMIT_STRATEGY = "moving-window"
# Failed sign-ins from one client address, whatever the account (someone trying many).
LOGIN_LIMIT_PER_CLIENT = "20 per 10 minutes; 100 per day"
# Wrong passwords for one account from one address (board/auth/throttle.py): the first
# LOGIN_FREE_FAILURES cost nothing, then that address waits a minute, two, four, ... up to a
# day. Never counted per account alone: whoever knows an email could lock its owner out.
LOGIN_FREE_FAILURES = 3
LOGIN_FIRST_DELAY_SECONDS = 60
LOGIN_MAX_DELAY_SECONDS = 24 * 3600
# Wrong two-factor codes for one account from every address together: then every pending
# sign-in of the account ends, its second step pauses (twice as long after each further
# failure, up to LOGIN_MAX_DELAY_SECONDS) and its holder is mailed (board/auth/throttle.py).
TWO_FACTOR_ACCOUNT_FAILURES = 10
TWO_FACTOR_PAUSE_SECONDS = 15 * 60
# Wrong join codes a client address may try, typed or in the address (kept only in the
# limiter's storage). A room's tablets share one address (the organisation's Wi-Fi), and
# children mistype: thirty tablets mistyping twice each make 60 a minute, half of this. A
# code the QR code carries, and one this address already got in with, are never limited
# (board.participate.entry). Guessing stays hopeless: 27^8 codes, so with 1000 meetings open
# one hit takes 27^8 / (2 x 1000) = 141 million tries on average, 2.2 years at this pace
# from one address (board.meetings.codes).
JOIN_LIMIT_PER_CLIENT = "120 per minute"
# A room's tablets share one address, and each sends what it kept offline at once when the
# network comes back: room for 30 tablets with 20 answers each in a minute.
QUEUE_LIMIT_PER_CLIENT = "600 per minute"
# Audio a room's tablets fetch (board/voice): 30 tablets reading a page of 20 texts twice in a
# minute. What it costs is bounded elsewhere too: only texts the server shows are spoken, each
# is made once (then cached on disk), and at most two are made at a time.
AUDIO_LIMIT_PER_CLIENT = "1200 per minute"
# An open vote's ballot box (who voted, ballots waiting for their batch; in the limiter's
# storage, never the database) is forgotten this long after its last ballot, should the vote
# never be closed. Closing it forgets who voted at once.
BALLOT_BOX_SECONDS = 24 * 3600
# Shown on child pages before a meeting (and so its board) is known: the EU child helpline.
DEFAULT_HELPLINE = "116 111"

# Requests larger than this get 413. Nothing we accept comes near it.
MAX_CONTENT_LENGTH = 512 * 1024
MAX_FORM_MEMORY_SIZE = 512 * 1024

# Sessions are signed cookies. Secure is switched on outside development (see create_app).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = None
SESSION_COOKIE_NAME = "board_session"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = 12 * 3600

WTF_CSRF_TIME_LIMIT = 8 * 3600

# How staff passwords are hashed (werkzeug's generate_password_hash). scrypt is slow on
# purpose: keep it. Only the tests' configuration names a cheap method.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a hashing method, not a password)  # nosec B105

# Two-factor sign-in (board/auth/two_factor.py): who must use it. "required-for-leads-and-admins"
# (administrators and safeguarding leads, who open safeguarding records; everyone else may),
# "required-for-all", or "optional". A value not in this list counts as the default.
TWO_FACTOR = "required-for-leads-and-admins"
# Seconds between the right password and the code from the phone (or the enrolment) before
# the password is asked again.
TWO_FACTOR_PENDING_SECONDS = 600

# How long an invitation link works.
INVITATION_TTL_HOURS = 72

# Number of proxies in front of the app that set X-Forwarded-For/-Proto (0: none).
PROXY_FIX_X_FOR = 0
PROXY_FIX_X_PROTO = 0

# Outgoing mail (board/mail.py: an outbox, sent after the commit; `flask mail send` retries).
# Without MAIL_SERVER the message is written to the log instead.
MAIL_SERVER = None
MAIL_PORT = 587
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_USE_TLS = True
MAIL_FROM = "board@localhost"
# Seconds to wait for the mail server at each step. Mail goes out after the commit, so a
# slow server delays the response that sent it, never the database.
MAIL_TIMEOUT = 10

# Public address used in links sent by mail (invitations) when known.
BASE_URL = None

# Static files (board/assets.py): hashed, compressed copies go to this folder (instance/static
# when unset; it must be writable, or they are built in a temporary folder at each start).
# A file asked for by its own name rather than its hashed one is cached this many seconds.
STATIC_BUILD_FOLDER = None
STATIC_MAX_AGE = 60

# Responses compressed by the app (board/compression.py, Flask-Compress): pages and exports,
# Brotli or gzip; static files come precompressed. Brotli 5 is about as small as 11 on a page
# and many times faster.
COMPRESS_ALGORITHM = ["br", "gzip"]
COMPRESS_BR_LEVEL = 5
COMPRESS_LEVEL = 6
COMPRESS_STREAMS = False
COMPRESS_MIMETYPES = ["text/html", "text/plain", "text/csv", "application/json"]

BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
