"""Each act a child can do has its own picture, always beside its word, and the same picture
on every page (issue 17, item 3): a ballot box to vote, a light bulb to give an idea, a door
for "I am finished", a raised hand for "I want to talk to an adult". A child who cannot read
tells the acts apart by their pictures, so no two acts share one."""

from __future__ import annotations

import re

from tests.factories import join

ACTS = {  # where the act goes: its picture
    "/meeting/vote": "vote",
    "/meeting/propose": "idea",
    "/finish": "finish",
    "/help": "talk_adult",
}


def _icons(html: str) -> list[str]:
    """The pictures of acts, in order (the speaker of read-aloud is not an act's)."""
    found = re.findall(r'src="/static/icons/([a-z_]+)\.[0-9a-f]+\.svg"', html)
    return [icon for icon in found if icon != "speaker"]


def _targets(page: str) -> dict[str, tuple[list[str], str]]:
    """Each link or form on the page: the pictures inside it, and its words."""
    found = {}
    for href, inside in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        found[href] = (_icons(inside), re.sub(r"<[^>]+>|\s+", " ", inside).strip())
    for action, inside in re.findall(r'<form [^>]*action="([^"]+)"[^>]*>(.*?)</form>', page, re.S):
        found[action] = (_icons(inside), re.sub(r"<[^>]+>|\s+", " ", inside).strip())
    return found


def test_the_home_page_gives_each_act_its_own_picture_and_word(tablet_client, meeting):
    join(tablet_client, meeting, lang="en")
    targets = _targets(tablet_client.get("/meeting").get_data(as_text=True))
    words = {
        "/meeting/vote": "Vote",
        "/meeting/propose": "Give an idea for a change",
        "/finish": "I am finished",
        "/help": "I want to talk to an adult",
    }
    for where, picture in ACTS.items():
        pictures, text = targets[where]
        assert pictures == [picture], where
        assert words[where] in text, where  # the picture never stands alone
    everything = [p for pictures, _text in targets.values() for p in pictures]
    for picture in ACTS.values():
        assert everything.count(picture) == 1, f"{picture} stands for more than one act"


def test_an_act_keeps_its_picture_on_every_page(tablet_client, meeting):
    join(tablet_client, meeting, lang="sq")
    pages = {
        path: tablet_client.get(path).get_data(as_text=True)
        for path in ["/meeting/vote", "/meeting/propose", "/help", "/join/offline/sq"]
    }
    assert _icons(pages["/meeting/vote"])[2] == "vote"  # after the bar's two
    assert _icons(pages["/meeting/propose"])[2] == "idea"
    assert _icons(pages["/help"])[2] == "talk_adult"  # "an adult is coming"
    offline = pages["/join/offline/sq"]
    assert _icons(offline)[:2] == ["talk_adult", "finish"]  # its own bar, kept on the tablet
    assert "talk_adult" in _icons(offline[offline.index('data-state="help"') :])
    for path, page in pages.items():
        bar = _targets(page)
        assert bar["/help"][0] == ["talk_adult"] and bar["/finish"][0] == ["finish"], path


def test_the_welcome_shows_the_finish_door_of_the_bar(tablet_client, meeting):
    """Before a child starts, "Press I am finished" comes with the picture of that button."""
    tablet_client.post("/join", data={"code": meeting.join_code})
    tablet_client.post("/join/language", data={"lang": "ar"})
    page = tablet_client.get("/join/welcome").get_data(as_text=True)
    explanation = page[page.index('id="explanation"') :]
    assert "finish" in _icons(explanation)
    assert _targets(page)["/finish"][0] == ["finish"]
