"""What the demo network is made of: names, services, schedule, figures and texts.

Everything here is invented; the organisations are fictional. board.demo.seed plays it
through the services; board.demo.reset uses the same names to tell the demo from real data.
"""

from __future__ import annotations

from datetime import time

from board.actions.models import ActionStatus, Proposer
from board.boards.models import OrganisationKind, ServiceCategory
from board.meetings.recurrence import MonthlyRule, RuleKind
from board.summaries.models import ResponseStatus

DEMO_PASSWORD = "board-demo-2026"  # noqa: S105 (printed for the demo only)  # nosec B105
ADMIN_EMAIL = "admin@example.org"
ADMIN_NAME = "Ana Admin"
NETWORK = "Child Consultation Network (demo)"
HELPLINE = "116 111"

C = ServiceCategory
BOARDS = [
    # slug, city, country, zone, languages, running NGO, services
    (
        "tirana",
        "Tirana",
        "AL",
        "Europe/Tirane",
        "sq en ar rom",
        "Tirana Child Protection Centre",
        [
            ("Blloku drop-in centre", C.DROP_IN_CENTRE),
            ("Street team Tirana", C.STREET_OUTREACH),
            ("School no. 7 support class", C.SCHOOL_EDUCATION),
            ("Health centre no. 3", C.HEALTH),
            ("Civil registry help desk", C.REGISTRATION_DOCUMENTS),
            ("Night shelter", C.SHELTER_HOUSING),
            ("Free legal clinic", C.LEGAL_AID),
        ],
    ),
    (
        "prishtina",
        "Prishtina",
        "XK",
        "Europe/Belgrade",
        "sq sr_Latn en rom",
        "Prishtina Youth Support",
        [
            ("Youth drop-in centre", C.DROP_IN_CENTRE),
            ("Mobile outreach team", C.STREET_OUTREACH),
            ("Catch-up classes", C.SCHOOL_EDUCATION),
            ("Family health centre", C.HEALTH),
            ("Documents help desk", C.REGISTRATION_DOCUMENTS),
            ("Emergency response team", C.EMERGENCY_TEAM),
        ],
    ),
    (
        "sofia",
        "Sofia",
        "BG",
        "Europe/Sofia",
        "bg en ar",
        "Sofia Children's Aid",
        [
            ("Day centre for children", C.DROP_IN_CENTRE),
            ("Street work team", C.STREET_OUTREACH),
            ("Bulgarian language classes", C.SCHOOL_EDUCATION),
            ("Refugee health point", C.HEALTH),
            ("Asylum registration help", C.REGISTRATION_DOCUMENTS),
            ("Safe house", C.SHELTER_HOUSING),
            ("Lawyers for children", C.LEGAL_AID),
        ],
    ),
    (
        "warsaw",
        "Warsaw",
        "PL",
        "Europe/Warsaw",
        "pl en ar",
        "Warsaw Migrant Youth Foundation",
        [
            ("Youth club", C.DROP_IN_CENTRE),
            ("Station outreach", C.STREET_OUTREACH),
            ("Preparatory class", C.SCHOOL_EDUCATION),
            ("Clinic for young people", C.HEALTH),
            ("Residence card help", C.REGISTRATION_DOCUMENTS),
            ("Group home", C.SHELTER_HOUSING),
            ("Guardianship and legal advice", C.LEGAL_AID),
        ],
    ),
    (
        "bucharest",
        "Bucharest",
        "RO",
        "Europe/Bucharest",
        "ro en ar",
        "Bucharest Street Children Association",
        [
            ("Day centre", C.DROP_IN_CENTRE),
            ("Night street team", C.STREET_OUTREACH),
            ("Second chance school", C.SCHOOL_EDUCATION),
            ("Mobile clinic", C.HEALTH),
            ("Identity papers help", C.REGISTRATION_DOCUMENTS),
            ("Emergency shelter", C.SHELTER_HOUSING),
            ("Child protection hotline team", C.EMERGENCY_TEAM),
        ],
    ),
]

# name, kind, country, boards they partner with ("*" for all), partner account slug
PARTNERS = [
    ("Municipality of Tirana", OrganisationKind.PUBLIC_AUTHORITY, "AL", ["tirana"], "municipality"),
    (
        "Ministry of Labour and Social Policy",
        OrganisationKind.PUBLIC_AUTHORITY,
        "BG",
        ["sofia"],
        "ministry",
    ),
    (
        "Balkan Child Rights Observatory",
        OrganisationKind.INTERNATIONAL_BODY,
        None,
        ["*"],
        "international",
    ),
    ("Legal Aid for Children", OrganisationKind.NGO, "PL", ["warsaw", "bucharest"], "legalaid"),
]


def board_name(city: str) -> str:
    return f"{city} children's board"


def facilitator_email(slug: str) -> str:
    return f"facilitator.{slug}@example.org"


def lead_email(slug: str) -> str:
    return f"lead.{slug}@example.org"


def partner_email(slug: str) -> str:
    return f"partner.{slug}@example.org"


def organisation_names() -> set[str]:
    """Every organisation the demo makes."""
    return {NETWORK} | {b[5] for b in BOARDS} | {p[0] for p in PARTNERS}


def board_services() -> dict[str, set[str]]:
    """Every board the demo makes, by name, with the names of its services."""
    return {board_name(b[1]): {name for name, _category in b[6]} for b in BOARDS}


def emails() -> set[str]:
    """Every account the demo makes."""
    return (
        {ADMIN_EMAIL}
        | {facilitator_email(b[0]) for b in BOARDS}
        | {lead_email(b[0]) for b in BOARDS}
        | {partner_email(p[4]) for p in PARTNERS}
    )


# The schedule: a monthly series per board (second Saturday, 10:00, two hours, the first
# four services on the agenda) from about six months back to six months ahead.
SERIES_RULE = MonthlyRule(RuleKind.NTH_WEEKDAY, 2, 5)
SERIES_AT = time(10)
SERIES_MINUTES = 120
SERIES_DAYS_BACK = 170
SERIES_DAYS_AHEAD = 180
AGENDA = 4
PLACE = "{city} drop-in centre, meeting room"
# At a held meeting the vote closes an hour in, the meeting after two; texts are moderated
# the next day, the month's summary published three days on, a partner answers after five.
VOTE_MINUTES = 60
MODERATED_AFTER_DAYS = 1
PUBLISHED_AFTER_DAYS = 3
ANSWERED_AFTER_DAYS = 5

# One meeting open now, in Tirana: all day, five services, a dot vote on three actions.
OPEN_NOW = "tirana"
OPEN_AT = time(9)
OPEN_MINUTES = 600
OPEN_AGENDA = 5
OPEN_DOTS = 3
WATCH_NAMES = "Ana\nDritan"

# Children let in at a held meeting (more when a service was rated by more).
ATTENDANCE = (8, 14)
# How many children rated each agenda service at a held meeting: the first two by more than
# five (so that summaries can show them), the others by fewer. The first service is one most
# children agree on, in groups of at least five for each rating given, so that its
# distribution can be published (see seed._ratings).
RATINGS_PER_SERVICE = [(6, 12), (6, 10), (3, 7), (1, 4)]
# A few answers carry words, approved by the facilitator the next day.
TEXT_SHARE = 0.15
APPROVED_TEXTS = [
    ("The staff listened to me.", "Open on Sundays too."),
    ("I waited a long time.", "More people to help."),
    ("They gave me warm food.", None),
    (None, "Somebody who speaks my language."),
]

ACTIONS = [
    # title, status, proposed by, outcome, reason
    (
        "Open the drop-in centre on Sundays",
        ActionStatus.DONE,
        Proposer.CHILD,
        "The centre is now open on Sunday afternoons.",
        "The municipality paid for one more worker.",
    ),
    (
        "Interpreters at the health centre",
        ActionStatus.ADOPTED,
        Proposer.CHILD,
        "Partners are looking for interpreters.",
        "",
    ),
    (
        "Free bus tickets for school",
        ActionStatus.NOT_ADOPTED,
        Proposer.ADULT,
        "Children chose other ideas this time.",
        "It got the fewest votes.",
    ),
    ("A quiet room for homework", ActionStatus.SHORTLISTED, Proposer.CHILD, "", ""),
    ("Help with documents in our languages", ActionStatus.SHORTLISTED, Proposer.CHILD, "", ""),
    ("Sports on Saturdays", ActionStatus.SHORTLISTED, Proposer.ADULT, "", ""),
]
# The first three went to the vote at the last held meeting (approval: the share of voters
# who tick each), then got their outcome; the last three are on the ballot of the meeting open
# now in Tirana.
HELD_VOTE = slice(0, 3)
APPROVAL_SHARES = (0.8, 0.55, 0.25)
VOTERS_AT_LEAST = 6
OPEN_VOTE = slice(3, 6)
# A child's idea from the tablet today, waiting for a facilitator, on every board.
CHILD_IDEA = "More football"

# Answers given at the open meeting, waiting for moderation (some with personal details):
# agenda position, rating, what happened, what would make it better.
TODAY = [
    (0, 4, "Dritan at the centre helped me with my papers.", "Call me on 069 123 4567"),
    (1, 2, "I waited three hours.", None),
    (3, 5, None, "My friend's insta is @ana_tr, she wants to come too."),
]

# Texts from the last held meeting, still waiting in each board's moderation queue.
WAITING = [
    (0, 3, "The new worker Dritan was nice but the room was cold.", None),
    (1, 2, "Nobody came when I called +359 88 712 3456 at night.", "Answer the phone."),
    (2, 5, None, "More games please"),
]

# One open safeguarding concern, raised by Sofia's facilitator on an answer given at its
# last held meeting.
CONCERN_BOARD = "sofia"
CONCERN_WORDS = "A man at the station says I owe him money and must work for him."
CONCERN_REASON = "The child may be exploited. Needs follow-up."
CONCERN_URGENCY = "today"

# The last held month's summary on every board, and a partner's answers.
SUMMARY_NARRATIVE = (
    "<p>Children told us the drop-in centre feels <strong>safe</strong>, "
    "but waiting times at the health centre are long.</p>"
)
SUMMARY_RECOMMENDATIONS = [
    "Add a second nurse on Saturdays",
    "Explain documents in the children's languages",
]
SUMMARY_QUOTES = 2
# Every published summary's findings, in the facilitator's plain words: the first rests on
# the figures of the first service on the agenda (the one most children rate well, see
# RATINGS_PER_SERVICE); the second on the figure over all services and on the month's
# approved words that say it, and is written only when some children said it.
FINDING_ON_FIRST_SERVICE = "Most children who rated {service} say it is good or very good."
FINDING_ON_WORDS = (
    "Children say they wait a long time for help, and ask for more staff who speak their language."
)
FINDING_WORDS = (
    "More people to help.",
    "Somebody who speaks my language.",
    "I waited a long time.",
)
ANSWERING_PARTNER = "international"
RECOMMENDATION_ANSWER = (
    ResponseStatus.PARTLY,
    "We will fund an interpreter two days a week from next month.",
    "An interpreter will come two days a week, starting next month.",
)
VOTE_ANSWER = (
    ResponseStatus.ACCEPTED,
    "We will put this to the city council and report back.",
    "Your top idea goes to the city council. We will tell you what they say.",
)
VOTE_ANSWER_DAYS = 120
FINDING_ANSWER = (
    ResponseStatus.ACCEPTED,
    "Two of our new staff speak Arabic and Dari; they start at the drop-in centre this winter.",
    "Two new helpers who speak Arabic and Dari start this winter.",
)
