"""Extensions created once and bound to the app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# The client address is used by the limiter's storage only (memory or Redis, with expiry),
# never written to the database or the logs.
limiter = Limiter(key_func=get_remote_address)
