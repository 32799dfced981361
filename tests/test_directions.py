"""A child may write in another script than the page's: Arabic typed on an Albanian page.
Every box a child writes in, and every place their words come back to them, takes its
direction from the words themselves (dir="auto"), not from the page (issue 17, item 3)."""

from __future__ import annotations

import re

from tests.factories import join

ARABIC = "الممرضة كانت لطيفة معي"


def test_boxes_and_words_shown_back_follow_the_words(tablet_client, meeting):
    join(tablet_client, meeting, lang="sq")
    service = meeting.board.services[0]
    page = tablet_client.get(f"/meeting/services/{service.id}").get_data(as_text=True)
    boxes = re.findall(r"<textarea[^>]*>", page)
    assert len(boxes) == 2 and all('dir="auto"' in box for box in boxes)
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
    tablet_client.post(f"/meeting/services/{service.id}", data={"once": once, "happened": ARABIC})
    idea = tablet_client.get("/meeting/propose").get_data(as_text=True)
    assert 'dir="auto"' in re.search(r'<input[^>]*name="title"[^>]*>', idea).group(0)
    mine = tablet_client.get("/meeting/mine").get_data(as_text=True)
    assert f'<p class="child-text" dir="auto">{ARABIC}</p>' in mine
    assert '<html lang="sq" dir="ltr">' in mine
