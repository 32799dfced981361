"""The access matrix: every route against every role, including another board's staff.

A new route fails ``test_every_route_is_in_the_matrix`` until its rule is written here.
"""

from __future__ import annotations

import pytest

from board.auth.access import can_administer, can_view_board, is_partner_of, works_on_board
from tests.factories import fill

ANON, ADMIN, FACILITATOR, LEAD, PARTNER = "anonymous", "admin", "facilitator", "lead", "partner"
OTHER_FACILITATOR, OTHER_PARTNER = "other_facilitator", "other_partner"
ROLES = [ANON, ADMIN, FACILITATOR, LEAD, PARTNER, OTHER_FACILITATOR, OTHER_PARTNER]
SIGNED_IN = set(ROLES) - {ANON}
EVERYONE = set(ROLES)
OWN_BOARD = {ADMIN, FACILITATOR, LEAD, PARTNER}
RUNS_MEETINGS = {ADMIN, FACILITATOR}
HANDLES_CONCERNS = {ADMIN, LEAD}
READS_SUMMARY = {ADMIN, FACILITATOR, PARTNER}
API_TOKEN = frozenset()  # a bearer token only: 401 for every signed-in role too
DASHBOARD = {ADMIN, FACILITATOR, PARTNER, OTHER_FACILITATOR, OTHER_PARTNER}

# endpoint -> (method, who may use it)
MATRIX = {
    "static": ("GET", EVERYONE),
    "home.index": ("GET", EVERYONE),
    # The home page's live top: each signed-in person polls their own (board.home.today).
    "home.today": ("GET", SIGNED_IN),
    "home.healthz": ("GET", EVERYONE),
    "home.choose_language": ("POST", EVERYONE),
    "home.board": ("GET", OWN_BOARD),
    "auth.login": ("GET", EVERYONE),
    "auth.logout": ("POST", EVERYONE),
    "auth.accept_invitation": ("GET", EVERYONE),
    "auth.change_password": ("GET", SIGNED_IN),
    # Two-factor sign-in: the second step needs a password just given (without one it sends
    # to /login, signed in it sends home); one's own set-up; its reset is an administrator's
    # (tests/test_two_factor.py).
    "auth.second_step": ("GET", SIGNED_IN),
    "auth.enrol": ("GET", SIGNED_IN),
    "auth.two_factor_page": ("GET", SIGNED_IN),
    "auth.new_recovery_codes": ("POST", SIGNED_IN),
    "auth.reset_two_factor": ("GET", {ADMIN}),
    "admin.index": ("GET", {ADMIN}),
    "admin.organisations": ("GET", {ADMIN}),
    "admin.organisation": ("GET", {ADMIN}),
    "admin.boards_list": ("GET", {ADMIN}),
    "admin.board": ("GET", {ADMIN}),
    "admin.service": ("GET", {ADMIN}),
    "admin.accounts_list": ("GET", {ADMIN}),
    "admin.invite": ("GET", {ADMIN}),
    "admin.account": ("GET", {ADMIN}),
    "admin.add_role": ("POST", {ADMIN}),
    "admin.remove_role": ("POST", {ADMIN}),
    "admin.set_active": ("POST", {ADMIN}),
    "admin.new_invitation": ("POST", {ADMIN}),
    "admin.invitations": ("GET", {ADMIN}),
    "admin.audit": ("GET", {ADMIN}),
    "admin.audit_csv": ("GET", {ADMIN}),
    "admin.settings": ("GET", {ADMIN}),
    # Scheduling and running meetings: the board's facilitators (and administrators).
    "meetings.board_meetings": ("GET", RUNS_MEETINGS),
    "meetings.new_meeting": ("GET", RUNS_MEETINGS),
    "meetings.new_series": ("GET", RUNS_MEETINGS),
    "room.meeting": ("GET", RUNS_MEETINGS),
    "meetings.edit_meeting": ("GET", RUNS_MEETINGS),
    "meetings.edit_following": ("GET", RUNS_MEETINGS),
    "meetings.cancel": ("POST", RUNS_MEETINGS),
    "room.open_meeting": ("POST", RUNS_MEETINGS),
    "room.close_meeting": ("POST", RUNS_MEETINGS),
    "room.confirm_close": ("GET", RUNS_MEETINGS),
    "room.reopen_meeting": ("POST", RUNS_MEETINGS),
    "room.new_code": ("POST", RUNS_MEETINGS),
    "room.screen": ("GET", RUNS_MEETINGS),
    "room.live": ("GET", RUNS_MEETINGS),
    "room.qr": ("GET", RUNS_MEETINGS),
    "room.help_handled": ("POST", RUNS_MEETINGS),
    "meetings.meeting_ics": ("GET", RUNS_MEETINGS),
    "meetings.new_calendar_token": ("POST", RUNS_MEETINGS),
    # The door: who comes into the room is the board's facilitators' call.
    "room.door": ("GET", RUNS_MEETINGS),
    "room.let_in": ("POST", RUNS_MEETINGS),
    "room.set_present": ("POST", RUNS_MEETINGS),
    # The secret link is the key: anyone holding it may read the feed.
    "meetings.board_feed": ("GET", EVERYONE),
    # Child pages need a tablet session, never an account: everyone else is sent to /join.
    "participate.join": ("GET", EVERYONE),
    "participate.language": ("GET", EVERYONE),
    "participate.waiting": ("GET", EVERYONE),
    "participate.welcome": ("GET", EVERYONE),
    "participate.home": ("GET", EVERYONE),
    "participate.still_here": ("GET", EVERYONE),
    "participate.help_call": ("POST", EVERYONE),
    "participate.help_sent": ("GET", EVERYONE),
    "participate.finish": ("POST", EVERYONE),
    "participate.services_list": ("GET", EVERYONE),
    "participate.give_feedback": ("GET", EVERYONE),
    "participate.thanks": ("GET", EVERYONE),
    "participate.mine": ("GET", EVERYONE),
    "participate.take_back": ("POST", EVERYONE),
    "participate.propose": ("GET", EVERYONE),
    "participate.vote": ("GET", EVERYONE),
    "participate.outcomes": ("GET", EVERYONE),
    # A tablet's offline part: the service worker, its offline page, and its queue (whose
    # authority is the sealed pass in each envelope, not a cookie: tests/test_offline.py).
    "queue.service_worker": ("GET", EVERYONE),
    "queue.offline_page": ("GET", EVERYONE),
    "queue.receive": ("POST", EVERYONE),
    # Advocacy actions and the vote: the board's facilitators (and administrators).
    "actions.board_actions": ("GET", RUNS_MEETINGS),
    "actions.action": ("GET", RUNS_MEETINGS),
    "voting.open_ballot": ("POST", RUNS_MEETINGS),
    "voting.close_ballot": ("POST", RUNS_MEETINGS),
    # Moderation: the board's facilitators; concerns: its safeguarding leads (and admins).
    "moderation.queue": ("GET", RUNS_MEETINGS),
    "moderation.decide": ("POST", RUNS_MEETINGS),
    "moderation.approve_all": ("POST", RUNS_MEETINGS),
    "moderation.confirm_approve_all": ("GET", RUNS_MEETINGS),
    "moderation.watch_names": ("POST", RUNS_MEETINGS),
    # A form page first: what the child said, how urgent, why.
    "moderation.help_call_concern": ("GET", RUNS_MEETINGS),
    "moderation.room_concern": ("GET", RUNS_MEETINGS),
    "moderation.concerns": ("GET", HANDLES_CONCERNS),
    "moderation.concern": ("GET", HANDLES_CONCERNS),
    "moderation.acknowledge": ("POST", HANDLES_CONCERNS),
    "moderation.close": ("POST", HANDLES_CONCERNS),
    "moderation.add_note": ("POST", HANDLES_CONCERNS),
    # The file leaves the platform: the board's safeguarding lead alone, not administrators
    # (the download link works for the lead who made it, once).
    "moderation.export_concerns": ("POST", {LEAD}),
    "moderation.download_export": ("GET", {LEAD}),
    # Summaries: composed by facilitators; read by the partners they went to.
    "summaries.board_summaries": ("GET", RUNS_MEETINGS),
    "summaries.start": ("POST", RUNS_MEETINGS),
    "summaries.edit": ("GET", RUNS_MEETINGS),
    "summaries.publish": ("POST", RUNS_MEETINGS),
    "summaries.view": ("GET", READS_SUMMARY),
    "summaries.export_csv": ("GET", READS_SUMMARY),
    "summaries.export_json": ("GET", READS_SUMMARY),
    "summaries.export_xlsx": ("GET", READS_SUMMARY),
    "summaries.respond": ("POST", {PARTNER}),
    # Only the partners of the organisation that answered change their answer.
    "summaries.edit_response": ("POST", {PARTNER}),
    "summaries.withdraw_response": ("POST", {PARTNER}),
    "summaries.for_children": ("GET", RUNS_MEETINGS),
    # What children would read without a wording in their language, and a service's names
    # for children: the board's facilitators (and administrators).
    "wordings.board_wordings": ("GET", RUNS_MEETINGS),
    "wordings.service_names": ("GET", RUNS_MEETINGS),
    "summaries.dashboard_page": ("GET", DASHBOARD),
    "summaries.dashboard_csv": ("GET", DASHBOARD),
    "summaries.dashboard_json": ("GET", DASHBOARD),
    "api.openapi": ("GET", EVERYONE),
    "api.summaries": ("GET", API_TOKEN),
    "api.summary": ("GET", API_TOKEN),
    "api.summary_file": ("GET", API_TOKEN),
    "api.figures": ("GET", API_TOKEN),
    "tokens.organisation_tokens": ("GET", {ADMIN}),
    "tokens.revoke": ("POST", {ADMIN}),
    "tokens.confirm_revoke": ("GET", {ADMIN}),
    # Audio children hear: anyone holding an address the server made (board/voice/texts.py);
    # recording them is the board's facilitators' (and administrators').
    "voice.synthesised": ("GET", EVERYONE),
    "voice.recorded": ("GET", EVERYONE),
    "voice.board_recordings": ("GET", RUNS_MEETINGS),
    "voice.delete": ("POST", RUNS_MEETINGS),
    "summaries.waiting": ("GET", {ADMIN, FACILITATOR, OTHER_FACILITATOR, PARTNER, OTHER_PARTNER}),
}


def _args_for(endpoint: str, args: dict) -> dict:
    if endpoint == "meetings.board_feed":
        return {**args, "token": args["calendar_token"]}
    if endpoint == "summaries.respond":
        return {**args, "item_id": args["summary_item_id"]}
    if endpoint == "queue.offline_page":
        return {**args, "lang": "en"}
    return args


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), (
        f"missing from the matrix: {endpoints - set(MATRIX)}; stale: {set(MATRIX) - endpoints}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, auth, world, role):
    people, args = world.people, world.every_table()
    if role != ANON:
        auth.as_user(people[role])
    failures = []
    for endpoint, (method, allowed) in MATRIX.items():
        ends_something = endpoint in (
            "auth.logout",
            "room.close_meeting",
            "meetings.cancel",
            "room.new_code",
            "meetings.new_calendar_token",
            "voting.close_ballot",
            "moderation.decide",
            "moderation.close",
            "summaries.publish",
            "summaries.start",
            "summaries.withdraw_response",
            "voice.delete",
        )
        if ends_something and role in allowed:
            continue  # would end the session or the meeting the rest of the loop needs
        rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
        for rule in rules:
            url = fill(rule.rule, _args_for(endpoint, args))
            response = client.open(url, method=method)
            response.close()
            status = response.status_code
            if allowed is API_TOKEN:
                ok = status == 401
            elif role in allowed:
                ok = status not in (401, 403, 404) and not (
                    status == 302 and "/login" in response.headers.get("Location", "")
                )
            elif role == ANON:
                ok = status == 302 and "/login" in response.headers["Location"]
            else:
                ok = status == 403
            if not ok:
                failures.append(f"{method} {url}: {status}")
    assert not failures, f"{role}: {failures}"


def test_access_functions(session, world):
    people, board, other_board = world.people, world.board, world.other_board
    assert can_administer(people[ADMIN]) and not can_administer(people[FACILITATOR])
    assert works_on_board(people[FACILITATOR], board)
    assert works_on_board(people[LEAD], board)
    assert not works_on_board(people[OTHER_FACILITATOR], board)
    assert not works_on_board(people[PARTNER], board)
    assert is_partner_of(people[PARTNER], board) and not is_partner_of(people[PARTNER], other_board)
    assert not is_partner_of(people[OTHER_PARTNER], board)
    assert can_view_board(people[ADMIN], other_board)
    assert not can_view_board(people[OTHER_FACILITATOR], board)


def test_every_post_route_refuses_a_missing_csrf_token(make_app, world):
    app = make_app(WTF_CSRF_ENABLED=True)
    people, args = world.people, world.every_table()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = people[ADMIN].get_id()
    # The offline queue takes no cookie's word for anything: each envelope carries its own
    # sealed pass, and a request from another site is refused (tests/test_offline.py).
    posts = [
        r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "queue.receive"
    ]
    assert len(posts) >= 10
    for rule in posts:
        response = client.post(fill(rule.rule, args), data={"email": "x", "lang": "en"})
        assert response.status_code == 400, rule.rule
        assert "The form had expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("written", ["\u0661", "\uff11", "\u00b9", "1\u0660"])
def test_a_record_has_one_address_in_the_digits_0_to_9(client, auth, world, written):
    """Arabic-Indic, full-width or superscript digits name no record (werkzeug's pattern
    took them, and int() read them): one record, one address for proxies and log searches."""
    auth.as_user(world.admin)
    assert client.get(f"/admin/boards/{world.board.id}").status_code == 200
    assert client.get(f"/admin/boards/{written}").status_code == 404
    assert client.post(f"/meetings/{written}/reopen").status_code == 404
