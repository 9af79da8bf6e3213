"""Headlines and dates on made-up pages laid out like real news sites and blogs: what
stands between a headline and its body, and which of a page's dates is its own."""

from __future__ import annotations

import pytest
from conftest import find, run

NAV = "Home\n\nWorld\n\nScience\n\nSports\n\nAbout us\n\n"
FOOTER = "\n\nContact the newsroom\n\nPrivacy policy\n\nTerms of use\n"

#: Each story: (headline, first paragraph, second paragraph); distinct words throughout.
STORIES = [
    (
        "Harbour cranes return to the eastern docks after a long refit",
        "The eastern docks welcomed back their harbour cranes on Tuesday after a refit that lasted two years.",
        "Dock workers said the refit cranes lift twice the load of the old machines and use less power.",
    ),
    (
        "Mountain villages vote to share one school bus",
        "Three mountain villages agreed to share a single school bus from the autumn term onward.",
        "Parents asked for heated shelters at each stop, which the council promised before winter arrives.",
    ),
    (
        "Bakery cooperative opens a second shop near the station",
        "The bakery cooperative opened its second shop beside the railway station on a rainy Saturday morning.",
        "Members plan to bake rye loaves overnight so that commuters find fresh bread on the first trains.",
    ),
    (
        "Volunteers map every old oak in the county park",
        "Volunteers finished a map of every old oak in the county park, counting more than nine hundred trees.",
        "Rangers will use the oak map to plan pruning and to protect the rarest beetles living in dead wood.",
    ),
]


def _site(header, n: int = 4, extra: str = "") -> dict[str, str]:
    """`n` pages, page i showing story i under `header(i)` (the lines between its
    headline and its body)."""
    pages = {}
    for i in range(n):
        headline, first, second = STORIES[i]
        pages[f"p{i}.txt"] = NAV + f"{headline}\n\n{header(i)}\n\n{first}\n\n{second}" + extra + FOOTER
    return pages


def _assert_headlines_kept(make_corpus, headline_of, n: int = 3) -> None:
    """Pages titled `headline_of(i)`, a share button, then story i: each keeps its headline."""
    pages = {
        f"p{i}.txt": NAV + f"{headline_of(i)}\n\nShare\n\n{STORIES[i][1]}\n\n{STORIES[i][2]}" + FOOTER for i in range(n)
    }
    articles = run(make_corpus(pages))
    for i in range(n):
        assert find(articles, STORIES[i][1])["title"] == headline_of(i)


def test_a_byline_date_and_share_buttons_between_headline_and_body(make_corpus):
    def header(i):
        return f"By Jane Roe{i}\n\nMarch {i + 3}, 2023 10:1{i} AM\n\nShare\n\nTweet\n\nEmail this story"

    articles = run(make_corpus(_site(header)))
    for i, (headline, first, _) in enumerate(STORIES):
        story = find(articles, first)
        assert (story["title"], story["date"]) == (headline, f"2023-03-0{i + 3}")
        assert "Share" not in story["text"] and "Jane Roe" not in story["text"]


def test_an_author_name_and_a_time_between_headline_and_body(make_corpus):
    # an author's name of two words is not the title, however near the body it stands
    def header(i):
        return f"Anna Quill{i}\n\n0{i + 1}/1{i}/2022\n\n09:3{i} PM EDT\n\nShare this post"

    articles = run(make_corpus(_site(header)))
    for headline, first, _ in STORIES:
        story = find(articles, first)
        assert story["title"] == headline
        assert story["date"] is not None


def test_a_headline_also_listed_on_other_pages_stays_the_title(make_corpus):
    # every page lists the site's latest headlines: each page's own headline is then
    # "repeated", and the byline under it is the only unique line above the body
    latest = "\n\nLatest stories\n\n" + "\n\n".join(headline for headline, _, _ in STORIES)

    def header(i):
        return f"Posted by jroe{i} on June {i + 10}, 2021\n\nShare this story"

    articles = run(make_corpus(_site(header, extra=latest)))
    for i, (headline, first, _) in enumerate(STORIES):
        story = find(articles, first)
        assert (story["title"], story["date"]) == (headline, f"2021-06-{i + 10}")


STANDFIRSTS = [
    "New lifting gear should cut waiting times for ships.",
    "Parents welcome the plan but ask for shelters.",
    "Commuters get fresh bread at dawn.",
    "Nine hundred trees are now on record.",
]


def test_a_standfirst_under_the_headline_reads_on_past_the_byline(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        standfirst = STANDFIRSTS[i]
        header = f"{standfirst}\n\nby Kim Ash{i}\n\nMay {i + 1}, 2020 4:00 AM PDT"
        return NAV + f"{headline}\n\n{header}\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (headline, _, _) in enumerate(STORIES):
        story = find(articles, STANDFIRSTS[i])
        assert (story["title"], story["date"]) == (headline, f"2020-05-0{i + 1}")


def test_the_headline_past_an_authors_list_of_recent_stories(make_corpus):
    # between the byline and the body, the author's own recent headlines (unique to
    # each page): the headline is the one that shares words with the body
    def header(i):
        others = [f"Recent story number {i}{j} about something else entirely" for j in range(3)]
        return f"By Lee Fern{i}\n\nRecent stories:\n\n" + "\n\n".join(others) + "\n\nAdd a comment"

    articles = run(make_corpus(_site(header)))
    for headline, first, _ in STORIES:
        assert find(articles, first)["title"] == headline


def test_a_quoted_headline_is_not_a_link(make_corpus):
    # a headline ending in a closing guillemet is a quotation, not a "More »" link
    _assert_headlines_kept(make_corpus, lambda i: f"Winners of the «Young Forester {i}» contest")


def test_a_date_on_a_separate_piece_above_the_article_is_its_date(make_corpus):
    # the date stands among the site's share buttons, above the headline: a piece of
    # its own with no text, yet the article below is the page's only one
    def page(i):
        headline, first, second = STORIES[i]
        return (
            NAV
            + f"{i + 20} July 2012 Last updated at 0{i}:50\n\nShare this page\n\nFacebook\n\nTwitter\n\nPrint\n\n"
            + f"{headline}\n\n{first}\n\n{second}"
            + FOOTER
        )

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (headline, first, _) in enumerate(STORIES):
        story = find(articles, first)
        assert (story["title"], story["date"]) == (headline, f"2012-07-{i + 20}")


NOTES = [
    "Readers may send letters about the docks to the newsroom before Friday noon.",
    "A correction about the bus timetable will appear in the printed weekend edition.",
    "Our photographer's pictures of the bakery queue are on display in the town hall.",
    "The park rangers invite families to a guided walk among the oaks next month.",
]


def test_a_date_left_alone_goes_to_the_first_article_below_it_only(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        return (
            NAV
            + f"{i + 20} July 2012\n\nShare this page\n\nPrint\n\n{headline}\n\n{first}\n\n{second}"
            + f"\n\n\nEditor's note\n\n{NOTES[i]}"
            + FOOTER
        )

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (_, first, _) in enumerate(STORIES):
        assert find(articles, first)["date"] == f"2012-07-{i + 20}"
        assert find(articles, NOTES[i])["date"] is None


def test_an_update_date_above_the_publication_date_does_not_win(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        return (
            NAV
            + f"{headline}\n\nLast updated: 1{i} May 2021\n\nPublished: 0{i + 1} March 2021\n\n{first}\n\n{second}"
            + f"\n\nPrinted on 2{i}.06.2021"
            + FOOTER
        )

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (headline, first, _) in enumerate(STORIES):
        story = find(articles, first)
        assert (story["title"], story["date"]) == (headline, f"2021-03-0{i + 1}")


def test_an_update_date_alone_is_still_the_date(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        return NAV + f"{headline}\n\nUpdated 1{i} May 2021, 10:00\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (_, first, _) in enumerate(STORIES):
        assert find(articles, first)["date"] == f"2021-05-1{i}"


def _dated_site(dates: list[str]) -> dict[str, str]:
    return {
        f"p{i}.txt": NAV + f"{STORIES[i][0]}\n\n{day}\n\n{STORIES[i][1]}\n\n{STORIES[i][2]}" + FOOTER
        for i, day in enumerate(dates)
    }


def test_a_us_dated_site_reads_an_ambiguous_date_month_first(make_corpus):
    # 08/31/2012 and 12/25/2012 can only be month-first: so is 05/11/2013
    articles = run(make_corpus(_dated_site(["08/31/2012", "12/25/2012", "05/11/2013", "Posted 01/02/2013"])))
    assert [find(articles, s[1])["date"] for s in STORIES] == ["2012-08-31", "2012-12-25", "2013-05-11", "2013-01-02"]


def test_a_day_first_site_reads_an_ambiguous_date_day_first(make_corpus):
    articles = run(make_corpus(_dated_site(["31/08/2012", "25/12/2012", "05/11/2013", "Posted 01/02/2013"])))
    assert [find(articles, s[1])["date"] for s in STORIES] == ["2012-08-31", "2012-12-25", "2013-11-05", "2013-02-01"]


def test_the_date_order_can_be_set(make_corpus):
    # without evidence either way an ambiguous date is day-first, unless told
    corpus = make_corpus(_dated_site(["05/11/2013", "06/11/2013"]))
    assert find(run(corpus), STORIES[0][1])["date"] == "2013-11-05"
    assert find(run(corpus, date_order="mdy"), STORIES[0][1])["date"] == "2013-05-11"
    assert find(run(corpus, date_order="dmy", jobs=2), STORIES[1][1])["date"] == "2013-11-06"


def test_slash_order_evidence_counts_only_dates_readable_one_way():
    from corpus_clean.text.dates import slash_order_evidence

    assert slash_order_evidence("08/31/2012 and 12/25/2012, 05/11/2013") == (2, 0)
    assert slash_order_evidence("31/08/2012; 1/2/2013; 2012/08/31; 13/13/2012") == (0, 1)
    assert slash_order_evidence("no dates here") == (0, 0)


@pytest.mark.slow
def test_the_dask_engine_learns_the_date_order_too(make_corpus):
    from conftest import local_cluster
    from distributed import Client

    from corpus_clean import Config
    from corpus_clean.engine.dask import clean_dask

    corpus = make_corpus(_dated_site(["08/31/2012", "12/25/2012", "05/11/2013"]))
    local = run(corpus)
    with local_cluster(1) as cluster, Client(cluster, set_as_default=False) as client:
        distributed = [a.to_dict() for a in clean_dask([corpus], Config(), client=client)]
    assert local == distributed
    assert find(distributed, STORIES[2][1])["date"] == "2013-05-11"


#: Three comments a page, none alike.
COMMENTS = [
    "What a lovely idea, I do hope our own town copies it very soon.",
    "My grandfather worked on those docks for thirty years and loved every day.",
    "I wonder whether the new cranes are quieter at night than the old ones were.",
    "Our kids will love a shorter ride to school in the dark winter months.",
    "Somebody should ask who pays the driver when the council budget runs out.",
    "Shelters with heating would be a fine thing for the stops up on the hill.",
    "Rye bread at dawn is the best news this old station has had in years.",
    "I really hope they keep the old oven from the very first bakery shop.",
    "Queues were long on Saturday morning but the cinnamon buns were worth it.",
    "Nine hundred oaks, and all along I thought I knew that park quite well.",
    "Please publish the finished map online so that walkers can use it too.",
    "Beetles living in dead wood deserve far more attention, so thanks to the rangers.",
]


def _thread(i: int) -> str:
    return "\n\n3 comments\n\n" + "\n\n".join(
        f"Reader{i}{j} July {25 - j}, 2012 at {j + 1}:4{i} pm\n\n{COMMENTS[3 * i + j]}\n\nReply" for j in range(3)
    )


def test_a_comment_threads_dates_never_become_the_articles(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        return NAV + f"{headline}\n\nby Jo Poe on July {i + 10}, 2012\n\n{first}\n\n{second}" + _thread(i) + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (_, first, _) in enumerate(STORIES):
        assert find(articles, first)["date"] == f"2012-07-{i + 10}"
    # what is kept of the comments carries the post's date, not the comments' own
    for a in articles:
        for n, comment in enumerate(COMMENTS):
            if comment in a["text"]:
                assert a["date"] == f"2012-07-{n // 3 + 10}", comment


def test_a_post_without_text_gives_its_comments_its_date(make_corpus):
    # a photo post: a title and its date, then only the comments
    def page(i):
        return NAV + f"{STORIES[i][0]}\n\nby Jo Poe on July {i + 10}, 2012\n\nphoto{i}.jpg" + _thread(i) + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    # the thread is dropped as comments; whatever is kept never carries a comment's date
    assert not any(a["date"] in {f"2012-07-{25 - j}" for j in range(3)} for a in articles)
    for a in articles:
        for n, comment in enumerate(COMMENTS):
            if comment in a["text"]:
                assert a["date"] == f"2012-07-{n // 3 + 10}", comment


def test_a_headline_with_by_in_it_is_not_a_byline(make_corpus):
    _assert_headlines_kept(make_corpus, lambda i: f"Actor hurt by stage revolver {i} sues the theatre")


def test_a_breadcrumb_fused_with_the_headline_is_left_out_of_the_title(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        return NAV + f"Home Local news {headline}\n\n{headline}\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for headline, first, _ in STORIES:
        story = find(articles, first)
        assert story["title"] == headline and "Home Local news" not in story["text"]


def test_a_caption_between_headline_and_body_is_not_the_title(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        caption = f"The site on day {i}. Photo: Jo Lens{i}/Agency"
        return NAV + f"{headline}\n\nBy Ann Bee{i}\n\nShare\n\n{caption}\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for headline, first, _ in STORIES:
        assert find(articles, first)["title"] == headline


def test_a_headline_opening_with_photos_is_a_headline(make_corpus):
    _assert_headlines_kept(make_corpus, lambda i: f"Photos: the town at night seen from hill {i}")


def test_the_headline_over_the_dateline_beats_a_sub_heading_under_it(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        dek = ["Cranes, refitted", "One bus, three villages", "Bread for the first trains", "Counting oaks"][i]
        header = f"by Byrne\n\nNovember {i + 5}, 2012 · 9:2{i} AM\n\n0\n\n{dek} and more"
        return NAV + f"{headline}\n\n{header}\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (headline, first, _) in enumerate(STORIES):
        (story,) = [a for a in articles if first in a["text"]]
        assert (story["title"], story["date"]) == (headline, f"2012-11-0{i + 5}")


def test_a_dated_headline_right_over_the_body_is_the_title(make_corpus):
    # "The Digest, Friday, November 9, 2012": a title made with its date; a
    # comment's stamp or a byline with a date never is
    def page(i):
        _, first, second = STORIES[i]
        return NAV + f"The Digest, Friday, November {i + 5}, 2012\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (_, first, _) in enumerate(STORIES):
        story = find(articles, first)
        assert (story["title"], story["date"]) == (
            f"The Digest, Friday, November {i + 5}, 2012",
            f"2012-11-0{i + 5}",
        )


AUTHORS = ["Mara Quint", "Olek Brandt", "Suvi Harrow", "Teo Lindqvist"]
BIOS = [
    "Quint writes about ports, shipping and the people who keep the quays running, and has covered the coast "
    "for the paper since she left the regional desk a decade ago.",
    "Olek Brandt is a reporter on the rural affairs team. Before joining he edited a farming weekly and taught "
    "geography at a secondary school in the hills.",
    "Suvi covers food, small business and cooperatives. She once ran a market stall selling her grandmother's "
    "pickles and still thinks about it every autumn.",
    "Lindqvist is the environment correspondent, writing about parks, forests and wildlife, and volunteers as a "
    "bird counter on weekends when the weather allows.",
]


def test_an_author_box_and_a_relative_time_between_headline_and_body(make_corpus):
    # headline, the author's name, a link the site repeats, a paragraph about the
    # author opening with their name, "posted N mins ago", then the body
    def header(i):
        return f"{AUTHORS[i]}\n\nSee all posts Follow on social\n\n{BIOS[i]}\n\nposted {i + 2}{i} mins ago\n\nComments"

    articles = run(make_corpus(_site(header)))
    for headline, first, second in STORIES:
        story = find(articles, first)
        assert story["title"] == headline
        assert story["text"] == f"{first}\n\n{second}"
    # the author box is not an article of its own either
    assert not any(BIOS[i][:40] in article["text"] for article in articles for i in range(4))


def test_a_byline_set_as_a_line_of_text_between_headline_and_body(make_corpus):
    # "By ... | Agency," reads as text (it ends in punctuation), then the dateline
    def header(i):
        return (
            f"Print\n\nBy Nia Stone{i} and Ravi Oak | Coastal Wire,\n\nApril {i + 4}, 2019 06:1{i} PM EDT\n\nThe Daily"
        )

    articles = run(make_corpus(_site(header)))
    for i, (headline, first, second) in enumerate(STORIES):
        story = find(articles, first)
        assert (story["title"], story["date"]) == (headline, f"2019-04-0{i + 4}")
        assert story["text"] == f"{first}\n\n{second}"


DEKS = [
    "Will the new cranes end the queues at sea?",
    "Who pays for the heated shelters?",
    "Is a second shop worth the rent?",
    "What will rangers do with the count?",
]


def test_a_headline_in_other_pages_most_read_list_beats_the_question_under_it(make_corpus):
    # each page's "Most read" box lists two other pages' headlines: a page's own
    # headline is shown on a few pages, and the one-line question under it is unique
    def page(i):
        headline, first, second = STORIES[i]
        box = "\n\n".join(STORIES[(i + d) % 4][0] for d in (1, 2))
        header = f"{DEKS[i]}\n\nby Kim Ash{i}\n\nMay {i + 1}, 2020 4:00 AM PDT"
        return NAV + f"{headline}\n\n{header}\n\n{first}\n\n{second}\n\nMost read\n\n{box}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (headline, first, _) in enumerate(STORIES):
        story = find(articles, DEKS[i])  # the question opens the body, as a standfirst
        assert (story["title"], story["date"]) == (headline, f"2020-05-0{i + 1}")
        assert first in story["text"]


def test_a_headline_also_in_every_pages_recent_posts_beats_the_caption_under_it(make_corpus):
    # every page lists all the recent posts, so each headline is on every page, and
    # twice on its own: above its body (over a caption line), and in the list
    recent = "\n\nRecent posts\n\n" + "\n\n".join(headline for headline, _, _ in STORIES)

    def page(i):
        headline, first, second = STORIES[i]
        return NAV + f"{headline}\n\nSunset over pier {i}\n\n{first}\n\n{second}" + recent + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for i, (headline, first, _) in enumerate(STORIES):
        story = find(articles, f"Sunset over pier {i}")
        assert story["title"] == headline and first in story["text"]


def test_a_tagline_on_every_page_above_the_headline_is_not_the_title(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        return f"Notes from the valley, its harbours and its bakers\n\n{headline}\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for headline, first, _ in STORIES:
        assert find(articles, first)["title"] == headline


def test_a_breadcrumb_with_arrows_above_the_headline_is_not_the_title(make_corpus):
    def page(i):
        headline, first, second = STORIES[i]
        crumb = "Latest news → Harbour desk" if i < 2 else "Latest news → Valley desk"
        return NAV + f"{crumb}\n\n{headline}\n\n{first}\n\n{second}" + FOOTER

    articles = run(make_corpus({f"p{i}.txt": page(i) for i in range(4)}))
    for headline, first, _ in STORIES:
        assert find(articles, first)["title"] == headline
