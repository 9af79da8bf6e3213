"""Patterns of real sites, on small made-up pages: comment threads, lists of headlines,
prose teasers, short posts. Every page here is invented; the shapes are the ones real
crawls show."""

from __future__ import annotations

import pytest
from conftest import run

from corpus_clean import Report

HEADER = "Tidewater Notes\n\nHome\n\nArchive\n\nAbout\n\n"
FOOTER = "\n\nLeave a Reply\n\nName\n\nEmail\n\nPost Comment\n\nCopyright 2012 Tidewater Notes\n"

POSTS = {
    "a": (
        "Mending nets on the north quay",
        "May 3, 2012",
        [
            "The nets came back from the autumn season with more holes than anyone could remember, and the winter "
            "was spent on the quay with needles, twine and a kettle that never cooled.",
            "Old hands say a net tells you where the boat has been. This one had been over rock, through weed and, "
            "by the look of one long tear, somewhere it should not have gone at all.",
        ],
    ),
    "b": (
        "Why the harbour wall leans to the west",
        "May 9, 2012",
        [
            "Visitors often ask why the harbour wall leans, and the honest answer is that it has been leaning since "
            "the storm of the winter before the railway came, when half of it slid into the channel.",
            "The wall was rebuilt in a hurry by men who had other work waiting, so the new stones sit on the old "
            "ones at a slant that nobody has had the money or the patience to correct since.",
        ],
    ),
    "c": (
        "A winter of smoked fish and long evenings",
        "May 14, 2012",
        [
            "The smokehouse at the end of the lane has been running since October, and the smell of oak and salt "
            "now reaches every kitchen in the village whenever the wind turns south.",
            "Three families share the work in turns, each with its own way of splitting the fish and its own "
            "opinion, loudly given, of how long a fillet should hang over the fire.",
        ],
    ),
}

#: Per post: (author, reply); every reply is written once.
REPLIES = {
    "a": [
        ("Marion Tabb", "I grew up two doors from the quay and still remember the smell of tar on those nets."),
        ("Pete R.", "Lovely piece, thank you for writing it down before everyone who remembers is gone."),
        ("Ana Lucia", "My grandfather mended nets there too. Does anyone still teach the old knots to children?"),
        ("Jon", "Great photos and a great story, as always. Looking forward to the next one."),
    ],
    "b": [
        ("Hal Byers", "We used to dare each other to walk along the top of that wall at high tide."),
        ("Marion Tabb", "The council promised to straighten it in my school days; I am still waiting."),
        ("Dee", "Is the stone from the old quarry behind the chapel? It looks the same colour."),
        ("Ruth O.", "Wonderful history. I had no idea the railway changed so much in the harbour."),
    ],
    "c": [
        ("Sam Quill", "Nothing beats a smoked mackerel on brown bread with a squeeze of lemon."),
        ("Pete R.", "My aunt swore by beech chips instead of oak, and she never lost an argument."),
        ("Ana Lucia", "Do they sell to visitors, or only to people who live in the village?"),
        ("Kit", "Reading this made me hungry at seven in the morning, so thank you for that."),
    ],
}


def _thread(post: str, month_day: str) -> str:
    lines = [f"{len(REPLIES[post])} comments"]
    for k, (name, text) in enumerate(REPLIES[post]):
        lines.append(f"{name} {month_day}, 2012 at {k + 2}:{15 + 7 * k:02d} pm")
        lines.append(text)
        lines.append("Reply")
    return "\n\n".join(lines)


def blog_page(key: str, with_thread: bool = True) -> str:
    title, date, body = POSTS[key]
    page = HEADER + f"{title}\n\nPosted on {date} by Tom\n\n" + "\n\n".join(body)
    if with_thread:
        page += "\n\n" + _thread(key, date.split(",")[0])
    return page + FOOTER


def test_a_comment_thread_under_each_post_is_dropped_as_comments(make_corpus):
    report = Report()
    articles = run(make_corpus({f"{k}.txt": blog_page(k) for k in POSTS}), report)
    assert len(articles) == 3, [a["text"][:50] for a in articles]
    for article, (title, _, body) in zip(articles, POSTS.values()):
        assert article["title"] == title
        assert article["text"] == "\n\n".join(body)
    # each header and each reply (the count line above the first header may go with them)
    assert report.dropped_paragraphs["comment"] >= 3 * 2 * 4
    for replies in REPLIES.values():
        for _, text in replies:
            assert not any(text[:30] in a["text"] for a in articles)


def test_without_a_thread_nothing_is_dropped_as_a_comment(make_corpus):
    report = Report()
    articles = run(make_corpus({f"{k}.txt": blog_page(k, with_thread=False) for k in POSTS}), report)
    assert len(articles) == 3
    assert report.dropped_paragraphs["comment"] == 0


def test_a_listing_page_of_titled_posts_with_timed_bylines_is_not_a_thread(make_corpus):
    """Three posts on one page, each under its title with a byline that carries a time:
    written alike, but each stands under a title of its own."""
    listing = HEADER
    for k, (title, date, body) in enumerate(POSTS.values()):
        listing += f"{title}\n\nby Tom on {date} at {k + 9}:30 am\n\n" + "\n\n".join(body) + "\n\n\n"
    pages = {"index.txt": listing + FOOTER, "other.txt": HEADER + "A page about the village.\n\n" + FOOTER}
    report = Report()
    articles = run(make_corpus(pages), report)
    assert report.dropped_paragraphs["comment"] == 0
    for title, _, body in POSTS.values():
        assert any(a["title"] == title and a["text"] == "\n\n".join(body) for a in articles)


def test_numbered_sub_headings_of_an_article_are_not_a_thread(make_corpus):
    """Headings written alike, with a number and words of their own ("Step 2: Tie the
    knot"), between paragraphs: the article's own structure (no clock time)."""
    steps = ["Find the tear", "Cut the frayed ends", "Tie the first knot", "Pull it tight"]

    def body(part: str) -> str:
        return "\n\n".join(
            f"Step {k + 1}: {name} ({part})\n\nIn part {part}, step {k + 1} takes patience and a steady hand, "
            f"so work slowly and check each mesh before the next."
            for k, name in enumerate(steps)
        )

    pages = {f"{k}.txt": HEADER + f"How to mend a net, part {k}\n\n" + body(k) + FOOTER for k in "xy"}
    report = Report()
    run(make_corpus(pages), report)
    assert report.dropped_paragraphs["comment"] == 0


MOST_POPULAR = (
    "Most popular stories this week\n\n"
    "The stories our readers opened most often in the last seven days, updated every morning.\n\n"
    "Ferry timetable changes for the winter season\n\n"
    "New lifeboat named after the harbour master\n\n"
    "School choir sings at the lighthouse open day\n\n"
    "Storm damage closes the coast path near the cove\n\n"
    "Fish market reopens after the summer repairs\n\n"
    "Older stories are in the archive.\n\n"
)


def test_a_list_of_headlines_on_every_page_is_not_an_article(make_corpus):
    """A block of short headline lines with a line of prose, on every page: a list, not
    an article, whatever title the line above it gives it."""
    pages = {
        f"{k}.txt": HEADER + f"{title}\n\n{date}\n\n" + "\n\n".join(body) + "\n\n\n" + MOST_POPULAR + FOOTER
        for k, (title, date, body) in POSTS.items()
    }
    articles = run(make_corpus(pages))
    assert len(articles) == 3, [a["text"][:50] for a in articles]
    assert not any("Ferry timetable" in a["text"] or "Ferry timetable" in (a["title"] or "") for a in articles)
    assert [a["title"] for a in articles] == [title for title, _, _ in POSTS.values()]


def test_a_prose_teaser_on_every_page_is_still_an_article(make_corpus):
    teaser = (
        "From the archive\n\n\nThe lighthouse keeper's last winter\n\n"
        "In the winter of 1961 the last keeper of the point light wrote a diary of storms, supply boats and "
        "the silence after the lamp was automated, and his daughter has now given it to the village library.\n\n"
    )
    pages = {
        f"{k}.txt": HEADER + f"{title}\n\n{date}\n\n" + "\n\n".join(body) + "\n\n\n" + teaser + FOOTER
        for k, (title, date, body) in POSTS.items()
    }
    articles = run(make_corpus(pages))
    shared = [a for a in articles if a["text"].startswith("In the winter of 1961")]
    assert len(shared) == 1 and len(shared[0]["sources"]) == 3
    assert shared[0]["title"] == "The lighthouse keeper's last winter"


def test_a_thread_whose_headers_are_a_name_line_and_a_timed_date_line(make_corpus):
    """ "Ann says:" on one line, "May 3, 2012 at 6:24 am" on the next: the header is two lines."""

    def thread(post: str, month_day: str) -> str:
        lines = []
        for k, (name, text) in enumerate(REPLIES[post]):
            lines += [f"{name} says:", f"{month_day}, 2012 at {k + 6}:{10 + 9 * k:02d} am", text]
        return "\n\n".join(lines)

    pages = {}
    for key, (title, date, body) in POSTS.items():
        page = HEADER + f"{title}\n\nPosted on {date} by Tom\n\n" + "\n\n".join(body)
        pages[f"{key}.txt"] = page + "\n\n" + thread(key, date.split(",")[0]) + FOOTER
    report = Report()
    articles = run(make_corpus(pages), report)
    assert [a["text"] for a in articles] == ["\n\n".join(body) for _, _, body in POSTS.values()]
    assert [a["date"] for a in articles] == ["2012-05-03", "2012-05-09", "2012-05-14"]
    assert report.dropped_paragraphs["comment"] >= 3 * 3 * 4


SHORT_POSTS = [
    # a picture, its title, its date and a one-line caption: short, but the page's own text
    (
        "Sunrise over the north quay",
        "May 20, 2012\n\nIMG_2041.jpg\n\nThe first boats going out, just after five.",
        "2012-05-20",
        "The first boats going out, just after five.",
    ),
    # every line short and without a full stop (title, tag line, caption): still the post
    (
        "Gulls fighting over a chip on the quay",
        "videos — Tags: gulls, quay — tom @ 15:58\n\nFilmed on Saturday afternoon by the ice cream van, sound on",
        None,
        "Filmed on Saturday afternoon by the ice cream van, sound on",
    ),
]


@pytest.mark.parametrize("title, rest, date, caption", SHORT_POSTS)
def test_a_short_post_is_not_lost(make_corpus, title, rest, date, caption):
    """A page with no other text of its own: its post is an article, not a fragment or a
    dangling heading, however short."""
    pages = {"post.txt": HEADER + f"{title}\n\n{rest}\n" + FOOTER}
    pages.update({f"{k}.txt": blog_page(k, with_thread=False) for k in POSTS})
    articles = run(make_corpus(pages))
    hits = [a for a in articles if a["sources"] == ["post.txt"]]
    assert len(hits) == 1, [a["text"][:40] for a in articles]
    assert (hits[0]["title"], hits[0]["date"]) == (title, date)
    assert hits[0]["text"].endswith(caption)


WIRE = [
    "Fishing fleets along the coast will be allowed two more weeks at sea this spring after regulators agreed on "
    "Monday that stocks of cod had recovered faster than the scientists had forecast.",
    "The decision followed three days of talks in the capital, where skippers argued that the closed season had "
    "cost them more than the fish it was meant to protect.",
    "Environmental groups said they would watch the catch figures closely and ask for a review if the numbers fell "
    "again before the autumn survey was published.",
]
SIDE_LINES = ["Tide tables for the week are posted at the harbour office", "The island ferry keeps its winter hours"]


def _own_posts() -> dict[str, str]:
    return {
        f"{k}.txt": HEADER + f"{title}\n\n{date}\n\n" + "\n\n".join(body) + FOOTER
        for k, (title, date, body) in POSTS.items()
    }


def test_a_wire_story_in_full_on_two_pages_comes_out_once_with_both_sources(make_corpus):
    # untitled and undated where it runs, and on both pages only repeated: it is still the
    # only story of those pages, not the site's boilerplate
    pages = _own_posts()
    for n, side in enumerate(SIDE_LINES):
        pages[f"wire{n}.txt"] = HEADER + "\n\n".join(WIRE) + f"\n\n\n{side}" + FOOTER
    articles = run(make_corpus(pages))
    wire = [a for a in articles if a["text"].startswith(WIRE[0][:40])]
    assert len(wire) == 1 and wire[0]["sources"] == ["wire0.txt", "wire1.txt"]
    assert wire[0]["text"] == "\n\n".join(WIRE)
    assert len(articles) == 4


def test_a_long_notice_beside_every_pages_own_post_is_still_boilerplate(make_corpus):
    # the same prose, untitled, under each page's own post: the site talking
    notice = "\n\n".join(WIRE)
    pages = {name: text.replace(FOOTER, "\n\n\n" + notice + FOOTER) for name, text in _own_posts().items()}
    articles = run(make_corpus(pages))
    assert [a["title"] for a in articles] == [title for title, _, _ in POSTS.values()]
    assert not any(WIRE[0][:40] in a["text"] for a in articles)


def test_a_lead_the_page_shows_twice_is_written_once(make_corpus):
    """A news page sets its lead above the body as a summary, then again as the body's
    first paragraph: the article holds it once."""
    report = Report()
    pages = {}
    for (k, (title, date, body)), author in zip(POSTS.items(), ["Tom Reed", "Ann Holt", "Kit Marsh"]):
        pages[f"{k}.txt"] = HEADER + f"{title}\n\n{date}\n\n{body[0]}\n\nBy {author}\n\n" + "\n\n".join(body) + FOOTER
    articles = run(make_corpus(pages), report)
    assert [a["title"] for a in articles] == [title for title, _, _ in POSTS.values()]
    for article, (_, _, body) in zip(articles, POSTS.values()):
        assert article["text"].count(body[0]) == 1
        assert article["text"].endswith(body[1])
    assert report.dropped_paragraphs["shown-twice"] == 3


NEWSLETTER = "To get these notes once a month by post, write to the harbour office and ask for the quarterly letter."


@pytest.mark.parametrize("count_line", [False, True])
def test_a_posts_own_date_line_above_a_box_on_every_page_stays_with_the_post(make_corpus, count_line):
    """Under each post: its stamp, "Posted on <date> at <time>" (a count of comments beside
    it), then a box of the site's shown on every page. The date is the post's, not the
    box's: the box, undated and untitled on every page, is no article."""
    pages = {}
    for n, (k, (title, date, body)) in enumerate(POSTS.items()):
        footer = f"Posted on {date} at {n + 6}:41 AM" + (f"\n\n• {n + 7} Comments" if count_line else "")
        page = HEADER + f"{title}\n\n" + "\n\n".join(body) + f"\n\n{footer}\n\n{NEWSLETTER}" + FOOTER
        pages[f"{k}.txt"] = page
    articles = run(make_corpus(pages))
    assert [(a["title"], a["date"]) for a in articles] == [
        (title, f"2012-05-{int(date.split()[1].rstrip(',')):02d}") for title, date, _ in POSTS.values()
    ]
    assert not any(NEWSLETTER in a["text"] for a in articles)


#: Per post: a list of links shown on that page only (the archive of a month, the shop's
#: brands), some ending like a sentence ("Tom & Sons, Ltd.").
OWN_LISTS = {
    "a": ["Harbour Nets Ltd.", "Boats of the north quay", "Nets and knots", "The old ferry", "Tide tables, 2012."],
    "b": ["Quarry & Sons Ltd.", "Storms of the last century", "Harbour walls", "Stone and mortar", "Chapel Lane Inc."],
    "c": ["Tom & Sons, Ltd.", "Smokehouse recipes", "Oak or beech", "Why smoke fish", "Long evenings, etc."],
}


def test_a_pages_own_untitled_list_of_links_is_not_an_article(make_corpus):
    """Short lines of the page's own under its post, below a label the site repeats, with
    no title or date: a list of links (dropped as `list-block`), not a second article."""
    report = Report()
    pages = {}
    for k, (title, date, body) in POSTS.items():
        links = "\n\n".join(OWN_LISTS[k])
        post = f"{title}\n\n{date}\n\n" + "\n\n".join(body)
        pages[f"{k}.txt"] = HEADER + post + f"\n\nFrom the archive\n\n{links}" + FOOTER
    articles = run(make_corpus(pages), report)
    assert [(a["title"], a["text"]) for a in articles] == [(t, "\n\n".join(b)) for t, _, b in POSTS.values()]
    # each list with the label above it
    assert report.dropped_paragraphs["list-block"] == sum(len(links) + 1 for links in OWN_LISTS.values())
