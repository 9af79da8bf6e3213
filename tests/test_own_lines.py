"""Lines of a page's own that belong to its article although they do not read as prose:
a recipe's list of ingredients under the post. Every page here is invented."""

from __future__ import annotations

from conftest import run
from test_realsite_patterns import FOOTER, HEADER, POSTS

#: Per post: a list set as short lines under its prose, each opening with a quantity or a
#: small letter, none ending like a sentence.
INGREDIENTS = {
    "a": ["Ingredients for four:", "2 mackerel, cleaned", "1 tbsp coarse salt", "a handful of oak chips"],
    "b": ["You will need:", "500 g flour", "1 tsp dried yeast", "warm water as needed", "salt to taste"],
    "c": ["For the brine:", "1 litre water", "80 g sea salt", "2 bay leaves", "black pepper, crushed"],
}

#: Per post: links to other stories, named by their titles, on that page only.
OWN_LINKS = {
    "a": ["Harbour Nets Are Back", "Boats of the North Quay", "The Old Ferry Returns"],
    "b": ["Quarry Stone for the Chapel", "Storms of the Last Century", "Why Walls Lean"],
    "c": ["Smokehouse Opening Hours", "Oak or Beech? A Debate", "The Best Fish Stalls"],
}


def _pages(lists: dict[str, list[str]]) -> dict[str, str]:
    return {
        f"{k}.txt": HEADER + f"{title}\n\n{date}\n\n" + "\n\n".join(body) + "\n\n" + "\n\n".join(lists[k]) + FOOTER
        for k, (title, date, body) in POSTS.items()
    }


def test_a_list_of_ingredients_under_a_post_stays_in_its_article(make_corpus):
    articles = run(make_corpus(_pages(INGREDIENTS)))
    assert [a["title"] for a in articles] == [title for title, _, _ in POSTS.values()]
    for article, (_, _, body), lines in zip(articles, POSTS.values(), INGREDIENTS.values()):
        assert article["text"] == "\n\n".join(body + lines)


def test_a_list_of_titles_under_a_post_is_not_its_article(make_corpus):
    """Links to other stories, named by their headlines, under the post: still dropped."""
    articles = run(make_corpus(_pages(OWN_LINKS)))
    assert [(a["title"], a["text"]) for a in articles] == [(t, "\n\n".join(b)) for t, _, b in POSTS.values()]


def test_header_lines_under_a_post_are_not_a_list_of_its_own(make_corpus):
    """Bylines and times of the page's own under the post (a thread's headers without
    their replies), opening with a small letter like a list's items: still not its text."""
    names = {"a": ["tom", "ann", "kit"], "b": ["hal", "dee", "sam"], "c": ["ruth", "pete", "jon"]}
    stamps = {k: [f"by {name} ({n + 1234})" for n, name in enumerate(names[k])] for k in POSTS}
    articles = run(make_corpus(_pages(stamps)))
    assert [(a["title"], a["text"]) for a in articles] == [(t, "\n\n".join(b)) for t, _, b in POSTS.values()]
