"""Dates: the shapes found on pages, and the ones that must not be taken for dates."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus_clean.text.dates import date_line, dated_heading, find_dates, lead_date

WINDOW = (dt.date(1995, 1, 1), dt.date(2026, 11, 25))


@pytest.mark.parametrize(
    "line, expected",
    [
        ("26.07.2024", "2024-07-26"),
        ("19.05.2021 Download document", "2021-05-19"),
        ("May 19, 2021, Dushanbe", "2021-05-19"),
        ("On June 9, 2018", "2018-06-09"),
        ("9 июня 2018", "2018-06-09"),
        ("12 марта 2022 года", "2022-03-12"),
        ("Опубликовано: 3 апреля 2023", "2023-04-03"),
        ("2021-11-02", "2021-11-02"),
        ("2021-11-02 14:05", "2021-11-02"),
        ("06/22/2021", "2021-06-22"),
        ("22/06/2021", "2021-06-22"),
        ("3rd March 2022", "2022-03-03"),
        ("Posted on March 3, 2022 by Jane Doe", "2022-03-03"),
        ("9. Juni 2018", "2018-06-09"),
        ("9 de junio de 2018", "2018-06-09"),
        ("Sept. 4, 2019", "2019-09-04"),
    ],
)
def test_date_lines(line, expected):
    assert date_line(line, 3, WINDOW) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    "line",
    [
        "31.02.2020",  # no such day
        "01.01.1990",  # before the window
        "01.01.2030",  # after the window
        "The meeting took place on 9 June 2018 in Qingdao with many delegations",  # prose, not a date line
        "Resolution 77/13 was adopted",
        "+7 495-621-33-23",
        "3,800 personnel",
    ],
)
def test_not_date_lines(line):
    assert date_line(line, 3, WINDOW) is None


def test_find_dates_in_order():
    found = find_dates("from 01.02.2020 to March 5, 2021", WINDOW)
    assert [d.date.isoformat() for d in found] == ["2020-02-01", "2021-03-05"]


def test_dated_heading_at_either_end():
    assert dated_heading("Japarov met the Secretary General 10.03.2023", WINDOW) == (
        dt.date(2023, 3, 10),
        "Japarov met the Secretary General",
    )
    assert dated_heading("2023-03-10 — Japarov met the Secretary General", WINDOW) == (
        dt.date(2023, 3, 10),
        "Japarov met the Secretary General",
    )
    assert dated_heading("Japarov met on 10.03.2023 the Secretary General", WINDOW) is None


def test_lead_date_only_at_the_start():
    assert lead_date("On June 9, 2018, in Qingdao, a meeting was held.", WINDOW) == dt.date(2018, 6, 9)
    assert lead_date("9 июня 2018 года в Циндао состоялась встреча.", WINDOW) == dt.date(2018, 6, 9)
    assert lead_date("On June 22, this year, the Secretary General met.", WINDOW) is None
    assert lead_date("The debate held on 19 July 2024 at the UN.", WINDOW) is None
