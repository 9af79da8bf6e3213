"""Stage 5 on small made-up corpora: each rule of the segmenter, shown where it matters."""

from __future__ import annotations

from conftest import find, run

from corpus_clean import Report

NAV = "Home\nNews\nContacts\n\n"
FOOTER = "\n\n\nBack to the list\n\n© 2024 Example Agency\n"
TEASER_A = "The agency opened a new regional office in the north, which will serve farmers from twelve districts."
TEASER_B = "Volunteers planted three thousand young trees along the river banks during the spring weekend campaign."


def page(body: str, teasers: str = "") -> str:
    return NAV + body + FOOTER + teasers


def article(title: str, date_line: str, *paragraphs: str) -> str:
    return f"{title}\n\n{date_line}\n\n" + "\n\n".join(paragraphs)


#: Distinct sentences, so that made-up articles are not near-duplicates of each other.
PROSE = [
    "The regional budget grew by four percent this year, mostly for schools and roads.",
    "Farmers in the valley report an early harvest after a mild and rainy spring.",
    "A new bridge over the northern canal will close for repairs during the summer months.",
    "The city library extends its opening hours on weekends starting from next Saturday.",
    "Health inspectors checked forty restaurants and found most of them in good order.",
    "Students from the technical college won the national robotics contest in the capital.",
    "The museum of local history shows a collection of old maps donated by a retired captain.",
    "Night trains between the two largest cities return to the timetable in the autumn.",
]

SIDEBAR = f"\n\nLatest news\n\n12 March 2024\n{TEASER_A}\n\n3 April 2024\n{TEASER_B}\n"


def test_related_teasers_below_an_article_are_split_from_it(make_corpus):
    pages = {
        f"{i}.txt": page(
            article(
                f"Article number {i} about the regional budget",
                f"0{i}.02.2023",
                PROSE[i],
                PROSE[i + 4],
            ),
            SIDEBAR,
        )
        for i in range(1, 4)
    }
    articles = run(make_corpus(pages))
    assert len(articles) == 5
    a = find(articles, TEASER_A)
    assert (a["title"], a["date"], a["sources"]) == (None, "2024-03-12", ["1.txt", "2.txt", "3.txt"])
    b = find(articles, TEASER_B)
    assert b["date"] == "2024-04-03"
    one = find(articles, PROSE[1])
    assert one["text"].endswith(PROSE[5])
    assert one["title"] == "Article number 1 about the regional budget"
    for art in articles:
        assert "Latest news" not in art["text"] and "Back to the list" not in art["text"]


def test_a_date_under_the_body_belongs_to_the_article(make_corpus):
    body = (
        "Grants for small farms\n\nThe ministry opens applications for grants to small farms on Monday. "
        "Applications are accepted until the end of the month.\n\nPublished: 7 February 2022, 10:15"
    )
    other = "Another page\n\nA different article with enough words to count as one for the test here."
    articles = run(make_corpus({"a.txt": page(body), "b.txt": page(other)}))
    grants = find(articles, "The ministry opens applications")
    assert grants["date"] == "2022-02-07"
    assert "Published" not in grants["text"]


def test_a_date_above_the_title_belongs_to_the_article(make_corpus):
    body = "2021-11-02\nPine seedlings planted in the north\n\nForesters planted one hundred thousand pine seedlings on burnt land this autumn."
    other = "Another page\n\nA different article with enough words to count as one for the test here."
    articles = run(make_corpus({"a.txt": page(body), "b.txt": page(other)}))
    pines = find(articles, "Foresters planted")
    assert (pines["title"], pines["date"]) == ("Pine seedlings planted in the north", "2021-11-02")


def test_labels_above_a_teaser_title_are_chrome_and_the_title_is_kept(make_corpus):
    related = (
        "\n\nShare this:\nTwitter\nFacebook\n\n\nRelated posts\n\nWhat the tide pools taught us this winter\n"
        "Our volunteers logged more than 1,200 observations across six rocky shore sites.\n"
    )
    pages = {f"{i}.txt": f"Post {i} title here\n\n{PROSE[i]}{related}" for i in range(3)}
    articles = run(make_corpus(pages))
    teaser = find(articles, "Our volunteers logged")
    assert teaser["title"] == "What the tide pools taught us this winter"
    assert teaser["sources"] == ["0.txt", "1.txt", "2.txt"]
    for art in articles:
        assert "Twitter" not in art["text"] and "Related posts" not in art["text"] and "Share this" not in art["text"]


def test_repeated_text_with_no_title_or_date_anywhere_is_boilerplate(make_corpus):
    newsletter = "\n\nSubscribe to our newsletter to get new posts in your inbox every week.\nSign up\n"
    pages = {f"{i}.txt": f"Post {i} title here\n\n{PROSE[i]}{newsletter}" for i in range(3)}
    report = Report()
    articles = run(make_corpus(pages), report)
    assert len(articles) == 3
    assert not any("Subscribe" in a["text"] for a in articles)
    assert report.dropped_paragraphs["repeated-boilerplate"] == 3
    assert report.dedupe.boilerplate_groups == 1


def test_a_teaser_that_is_an_articles_lead_merges_into_the_article(make_corpus):
    lead = "The regional parliament approved the new forest code on Tuesday after two months of debate."
    teaser_pages = {
        f"list{i}.txt": page(
            f"List page {i}\n\n{PROSE[i]}",
            f"\n\nLatest news\n\n14.05.2024\n{lead}\n",
        )
        for i in range(2)
    }
    full = page(
        f"Parliament approves forest code\n\n{lead}\n\nThe code limits clear-cutting near rivers and doubles fines for illegal logging.\n\nIt enters into force in January."
    )
    articles = run(make_corpus({**teaser_pages, "full.txt": full}))
    code = find(articles, lead)
    assert code["title"] == "Parliament approves forest code"
    assert code["text"].endswith("It enters into force in January.")
    assert code["sources"] == ["full.txt", "list0.txt", "list1.txt"]
    assert code["date"] == "2024-05-14"


def test_a_listing_page_with_several_dated_articles(make_corpus):
    listing = (
        "First announcement of the week\n12.03.2024\n\nThe first announcement tells farmers about new subsidies for seed purchases.\n\n"
        "Second announcement of the week\n14.03.2024\n\nThe second announcement invites schools to the annual nature essay competition."
    )
    other = "Another page\n\nA different article with enough words to count as one for the test here."
    articles = run(make_corpus({"a.txt": page(listing), "b.txt": page(other)}))
    first = find(articles, "The first announcement")
    second = find(articles, "The second announcement")
    assert (first["title"], first["date"]) == ("First announcement of the week", "2024-03-12")
    assert (second["title"], second["date"]) == ("Second announcement of the week", "2024-03-14")


def test_a_paragraph_shown_twice_in_a_body_is_kept_once_however_written(make_corpus):
    """The body holds a paragraph once when the page shows it twice: written with other
    case and punctuation ("Walls, not roofs!"), in Cyrillic, or as a row of punctuation
    only; a near-copy (one word changed) is another paragraph and stays."""
    rule = "— " * 45  # more words than a heading has: a line of prose
    lead = "Walls, not roofs, were repaired first: the builders said the rain had done most of its harm there."
    shouted = lead.upper().replace(",", "").replace(":", " -")
    cyrillic = "Строители отремонтировали стены, а не крыши, потому что дождь повредил именно их за эту зиму."
    near = PROSE[2].replace("summer", "winter")
    body = "\n\n".join([lead, rule, cyrillic, PROSE[2], shouted, rule, cyrillic, near])
    report = Report()
    articles = run(
        make_corpus({"a.txt": page(f"Repairs on the old school\n\n{body}"), "b.txt": page(PROSE[0])}), report
    )
    repairs = find(articles, lead)
    assert repairs["text"].split("\n\n") == [lead, rule.strip(), cyrillic, PROSE[2], near]
    assert report.dropped_paragraphs["shown-twice"] == 3
