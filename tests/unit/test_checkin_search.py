"""fair.checkin.search: names as heard (Thai tone marks, sound-alike consonants, a typo or a
swap, partial, English case and accents) and phone numbers found; nothing found by accident."""
from __future__ import annotations

import pytest

from fair.checkin.search import Index, Person, edit_distance, fold, parse_query, phone_digits

PEOPLE = [
    Person(1, "A1", "สมชาย", "ใจดี", "081-234-5678"),
    Person(2, "A2", "Somchai", "Jaidee", "+66 89 111 2222"),
    Person(3, "A3", "ประภา", "แสงทอง", "021234567"),
    Person(4, "A4", "Nguyễn", "Thị", None),
    Person(5, "A5", "ศรีสุดา", "รักษ์ไทย", "๐๘๕๕๕๕๑๒๓๔"),
    Person(6, "A6", "Anna", "Smith", "0861111111"),
]
INDEX = Index(PEOPLE)


def refs(query: str) -> list[str]:
    return [m.person.ref for m in INDEX.search(query)]


@pytest.mark.parametrize("query, ref", [
    ("สมชาย", "A1"), ("สมชา", "A1"), ("ใจดี", "A1"), ("สม ใจ", "A1"), ("สมชายใจดี", "A1"),   # partial, no spaces
    ("สมฃาย", "A1"),                      # one letter wrong
    ("แสงท่อง", "A3"), ("ประพา", "A3"),     # a tone mark added; ภ typed as พ
    ("สรีสุดา", "A5"), ("รักไทย", "A5"),      # ศ typed as ส; the silent ษ์ left out
    ("somchai", "A2"), ("SOMCHAI jaid", "A2"), ("somchi", "A2"), ("jiadee", "A2"),   # case, a typo, a swap
    ("nguyen", "A4"), ("thi", "A4"),        # accents
    ("0812", "A1"), ("5678", "A1"), ("081-234", "A1"), ("+66891112222", "A2"), ("0855551234", "A5"),
    ("a3", "A3"),
])
def test_a_person_is_found_as_staff_would_type_them(query, ref):
    assert refs(query)[0] == ref, INDEX.search(query)


@pytest.mark.parametrize("query", ["", " ", "x", "ab", "zzzz", "123", "Bob", "สมหญิง", "0899"])
def test_nothing_is_found_by_accident(query):
    assert refs(query) == []


def test_thai_and_english_spellings_of_one_name_are_different_people():
    assert refs("สมชาย") == ["A1"] and refs("somchai") == ["A2"]


def test_exact_matches_rank_before_typos():
    index = Index([Person(1, "B1", "Anong", "K", None), Person(2, "B2", "Anang", "K", None)])
    assert [m.person.ref for m in index.search("anong")] == ["B1", "B2"]


def test_folding_and_phone_digits():
    assert fold("ศักดิ์ ") == fold("สักดิ") == fold("สัก-ดิ")
    assert fold("Éva") == "eva"
    assert phone_digits("+66 81 234 5678") == "0812345678"
    assert phone_digits("๐๘๑") == "081"
    assert parse_query("081 234").digits == "081234" and parse_query("081 234").parts == ()
    assert edit_distance("abcd", "abdc", 1) == 1       # a swap counts once
    assert edit_distance("abcd", "wxyz", 2) == 3       # above the limit: limit + 1


def test_a_long_query_is_cut_and_the_limit_holds():
    index = Index([Person(i, f"C{i}", "Somsak", f"Family{i}", None) for i in range(30)])
    assert len(index.search("somsak", limit=8)) == 8
    assert index.search("s" * 500) == []
