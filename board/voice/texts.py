"""Which texts the server speaks, and the address of each one's audio.

The rule: the server speaks only texts it itself puts on a child page, never a child's own
words, and there is no endpoint that synthesises whatever text a client sends (each would be
a way to make the server burn CPU, or to make it say anything in a child's ear).

How: the audio's address is ``/audio/<lang>/<key>.opus`` where ``key`` is an HMAC, under a key
derived from SECRET_KEY, of the language and the text. A page carries only that address. The
server turns an address back into its text with a registry it builds from its own sources,
never from the request: the catalogue's messages flagged ``child`` (board.translate) in that
language (the faces' words, the services' kinds, the tiles, the buttons, the join page's
words...), the languages' own names, and the words it shows children from the database (the
services' names, the approved actions' wordings for children, the partners' answers approved
for children, the organisations' names). An address whose key matches none of them is 404.

Why this and not the text in a signed token: the address stays short (a child page has a
weight budget of 14 KB, and a token carrying an Arabic sentence is several hundred bytes),
and a text the server no longer shows (a service renamed, an answer withdrawn) stops being
spoken. Free text a child wrote (feedback, ideas before or after moderation, a child's
proposal's title unless approved as an action) is in no registry: it can never be spoken.

The address is content-addressed (the same language and text give the same address), so the
audio is served as immutable and the tablet's service worker keeps it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re

import sqlalchemy as sa
from babel.support import NullTranslations, Translations
from sqlalchemy.orm import Session

from board.i18n import LANGUAGES
from board.translate import DOMAIN, TRANSLATIONS, child_messages
from board.voice.synth import VOICES

KEY_LENGTH = 22  # base64url characters: 132 bits
_KEY = re.compile(rf"^[A-Za-z0-9_-]{{{KEY_LENGTH}}}$")
# A plural's forms are spoken for every count a child page can show (a ballot's dots: 1-20).
PLURAL_COUNTS = range(1, 21)


def languages() -> list[str]:
    """The languages audio can be made for: those shipped that have a voice."""
    return [code for code in VOICES if code in LANGUAGES]


def _hmac_key(secret: str) -> bytes:
    return hashlib.sha256(b"board audio v1\0" + secret.encode("utf-8")).digest()


def key_for(secret: str, lang: str, text: str) -> str:
    """The key of ``text`` in ``lang``: only the server, which knows the secret, makes one."""
    mac = hmac.new(_hmac_key(secret), f"{lang}\0{text}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:KEY_LENGTH]


def well_formed(key: str) -> bool:
    return bool(_KEY.match(key))


def normalise(text: str) -> str:
    """One space between words: what the page shows and what is spoken are the same text."""
    return " ".join(str(text).split())


@functools.cache
def _translations(lang: str) -> NullTranslations:
    found = Translations.load(str(TRANSLATIONS), [lang], domain=DOMAIN)
    return found if isinstance(found, Translations) else NullTranslations()


@functools.cache
def _child_ids() -> tuple:
    return tuple(child_messages())


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every child message's text in ``lang`` (as a page shows it) -> its source text (the
    msgid, by which staff recordings are kept). Plurals appear once per count a page shows,
    placeholders other than a count are left out (the words around them are not a text a
    page shows alone)."""
    translations = _translations(lang)
    texts: dict[str, str] = {}
    for message in _child_ids():
        if isinstance(message, tuple):
            singular, plural = message
            for n in PLURAL_COUNTS:
                try:
                    text = translations.ngettext(singular, plural, n) % {"num": n}
                except (KeyError, ValueError, TypeError):
                    break
                texts.setdefault(normalise(text), singular)
            continue
        if "%(" in message:
            continue
        text = translations.gettext(message)
        if "%%" in text:
            text = text.replace("%%", "%")
        texts.setdefault(normalise(text), message)
    name = LANGUAGES.get(lang, ("",))[0]
    if name:
        texts.setdefault(name, name)
    texts.pop("", None)
    return texts


def database_texts(session: Session, lang: str, board_id: int | None = None) -> set[str]:
    """The words from the database a child page shows in ``lang``: services' names (each
    wording), the approved actions' titles and outcomes (their wording for children in
    ``lang`` where written), the partners' answers approved for children, the organisations'
    names. Never a child's own text: a child's idea counts only once a facilitator approved
    it as an action, as the vote and "You said, we did" show it. With ``board_id``, only
    that board's words (a child page shows no other board's): a tablet's page reads its own
    board's rows, not the network's."""
    from board.actions.models import Action
    from board.boards.models import Board, Organisation, Service, board_partners
    from board.states import ModerationState
    from board.summaries.models import Response, Summary, SummaryItem

    services = sa.select(Service.name, Service.names).where(Service.active.is_(True))
    organisations = sa.select(Organisation.name)
    actions = sa.select(Action).where(Action.moderation == ModerationState.APPROVED)
    responses = sa.select(Response).where(
        Response.approved_for_children.is_(True), Response.withdrawn_at.is_(None)
    )
    if board_id is not None:
        services = services.where(Service.board_id == board_id)
        organisations = organisations.where(
            Organisation.id.in_(
                sa.select(board_partners.c.organisation_id).where(
                    board_partners.c.board_id == board_id
                )
            )
            | Organisation.id.in_(sa.select(Board.organisation_id).where(Board.id == board_id))
            | Organisation.id.in_(
                sa.select(Response.organisation_id)
                .join(SummaryItem, SummaryItem.id == Response.item_id)
                .join(Summary, Summary.id == SummaryItem.summary_id)
                .where(Summary.board_id == board_id)
            )
        )
        actions = actions.where(Action.board_id == board_id)
        responses = (
            responses.join(SummaryItem, SummaryItem.id == Response.item_id)
            .join(Summary, Summary.id == SummaryItem.summary_id)
            .where(Summary.board_id == board_id)
        )
    texts: set[str] = set()
    # Every wording of a name or an answer, whichever language it is in: a page in ``lang``
    # shows the one board.wording picks, and the others are as public as it.
    for name, names in session.execute(services):
        texts.add(name)
        texts.update(v for v in (names or {}).values() if isinstance(v, str))
    texts.update(session.scalars(organisations))
    for action in session.scalars(actions):
        texts.update(action.for_children(lang))
    for response in session.scalars(responses):
        texts.update(v for v in (response.child_texts or {}).values() if isinstance(v, str))
    return {normalise(t) for t in texts if t and normalise(t)}


@functools.cache
def _catalogue_keys(secret: str, lang: str) -> dict[str, str]:
    return {key_for(secret, lang, text): text for text in catalogue(lang)}


def resolve(session: Session, secret: str, lang: str, key: str) -> str | None:
    """The text whose audio ``key`` addresses in ``lang``, or None: the catalogue first (no
    database), then the database's words."""
    if lang not in languages() or not well_formed(key):
        return None
    if text := _catalogue_keys(secret, lang).get(key):
        return text
    # The whole network's words: the address names no board, and reading the tablet's
    # session here would make the immutable, shared response vary by cookie. Rare: a
    # tablet fetches a text's audio once, then plays it from its cache.
    for text in database_texts(session, lang):
        if hmac.compare_digest(key_for(secret, lang, text), key):
            return text
    return None


def source_of(lang: str, text: str) -> str | None:
    """The catalogue's source text (msgid) of a text a page shows in ``lang``, if it is a
    child message: recordings are kept by it."""
    return catalogue(lang).get(normalise(text))


def spoken_in(lang: str, msgid: str) -> str:
    """A prompt's text in ``lang`` as a child page shows it (a plural: its form for 5)."""
    translations = _translations(lang)
    for message in _child_ids():
        if isinstance(message, tuple) and message[0] == msgid:
            text = translations.ngettext(message[0], message[1], 5)
            return text.replace("%(num)d", "5")
    return translations.gettext(msgid)
