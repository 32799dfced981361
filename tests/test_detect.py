"""Personal details in the region's languages and formats are marked for the moderator."""

from __future__ import annotations

import pytest

from board.moderation.detect import DetailKind, Span, find_personal_details, merge

P, E, U, H, D, N = (
    DetailKind.PHONE,
    DetailKind.EMAIL,
    DetailKind.URL,
    DetailKind.HANDLE,
    DetailKind.DOCUMENT,
    DetailKind.NAME,
)

CORPUS = [
    # Albania
    ("Më telefono në 069 123 4567", "069 123 4567", P),
    ("numri im +355 69 123 4567", "+355 69 123 4567", P),
    ("shkruaj 00355691234567", "00355691234567", P),
    # Kosovo
    ("thirrni 044 123 456", "044 123 456", P),
    ("+383 44 123 456 është numri", "+383 44 123 456", P),
    ("(049) 123-456", "049) 123-456", P),
    # Bulgaria
    ("обади се на 0887 123 456", "0887 123 456", P),
    ("номер +359 88 712 3456", "+359 88 712 3456", P),
    # Poland
    ("zadzwoń 512 345 678", "512 345 678", P),
    ("mój numer +48 600-123-456", "+48 600-123-456", P),
    # Romania
    ("sună-mă la 0721 234 567", "0721 234 567", P),
    ("+40 721 234 567", "+40 721 234 567", P),
    # Serbia
    ("pozovi 064 123 4567", "064 123 4567", P),
    ("+381 64 1234567", "+381 64 1234567", P),
    # Email, web, handles
    ("pišite na ana.k@gmail.com", "ana.k@gmail.com", E),
    ("see www.example.com/page", "www.example.com/page", U),
    ("https://t.me/somebody is me", "https://t.me/somebody", U),
    ("my insta is @ana_k22", "@ana_k22", H),
    ("tiktok: dancer_boy", "tiktok: dancer_boy", H),
    # Documents: passports, identity cards, personal numbers
    ("passport AB1234567", "AB1234567", D),
    ("ID J12345678K", "J12345678K", D),
    ("ЕГН 0041234567", "0041234567", P),  # starts with 0: read as a phone, still marked
    ("PESEL 85010112345", "85010112345", D),
    ("CNP 1850101123456", "1850101123456", D),
    # Names: introductions in every shipped language
    ("My name is Ana Maria and I like it", "Ana Maria", N),
    ("Quhem Dritan", "Dritan", N),
    ("Казвам се Иван", "Иван", N),
    ("Nazywam się Kasia", "Kasia", N),
    ("Mă numesc Andrei", "Andrei", N),
    ("Zovem se Marko", "Marko", N),
    ("اسمي أحمد", "أحمد", N),
    # Names and places inside a sentence
    ("We went with Besnik to the centre", "Besnik", N),
    ("I live near Blloku now", "Blloku", N),
]


@pytest.mark.parametrize(("text", "expected", "kind"), CORPUS)
def test_personal_details_are_found(text, expected, kind):
    spans = find_personal_details(text)
    found = [(text[s.start : s.end], s.kind) for s in spans]
    assert (expected, kind) in found, found


@pytest.mark.parametrize(
    "text",
    [
        "The doctor was kind and the food was good.",
        "On 12.05.2024 we waited two hours.",
        "I am happy. jestem smutny. ja sam dobro.",
        "We were 15 children and 3 adults.",
        "Open from 10 to 18 please",
    ],
)
def test_ordinary_sentences_are_left_alone(text):
    assert find_personal_details(text) == []


def test_the_boards_list_of_names_is_used():
    text = "the worker ana at the Centre was nice"
    spans = find_personal_details(text, names=["Ana", "centre"])
    assert [(text[s.start : s.end]) for s in spans] == ["ana", "Centre"]


def test_overlapping_spans_merge():
    spans = merge([Span(0, 5, N), Span(3, 9, P), Span(12, 14, E)])
    assert spans == [Span(0, 9, N), Span(12, 14, E)]


def test_empty_text():
    assert find_personal_details("") == []
