"""Hostile input: huge lines, scripts without spaces, right-to-left text, pages of pure chrome."""

from __future__ import annotations

import random
import time

from conftest import find, run

from corpus_clean import Report

CHROME_ZH = "首页\n新闻中心\n联系我们\n\n"
FOOTER_ZH = "\n\n版权所有 © 2024 示例市人民政府\n地址：示例市中山路1号\n"
ARTICLES_ZH = [
    "市政府召开常务会议研究部署春季农业生产工作要求各部门切实做好种子化肥供应保障确保粮食生产稳定",
    "示例市图书馆新馆正式对外开放新馆建筑面积三万平方米藏书一百二十万册设有少儿阅览区和数字阅读区",
    "本市今年新建改建农村公路三百公里完成危桥改造二十座进一步改善了农村群众出行条件和物流运输",
]
CHROME_AR = "الرئيسية\nالأخبار\nاتصل بنا\n\n"
FOOTER_AR = "\n\nجميع الحقوق محفوظة © 2024 وزارة المثال\n"
ARTICLES_AR = [
    "عقد مجلس الوزراء اجتماعه الأسبوعي برئاسة رئيس الوزراء وناقش مشروع الموازنة العامة للدولة للعام المقبل وأقر عددا من القرارات",
    "افتتح وزير التربية والتعليم اليوم مدرسة جديدة في المحافظة الشمالية تتسع لألف طالب وتضم مختبرات حديثة ومكتبة",
    "أعلنت وزارة الصحة عن إطلاق حملة وطنية للتطعيم تستهدف الأطفال دون سن الخامسة في جميع المحافظات خلال الشهر المقبل",
]


def test_scripts_without_spaces_are_shingled_by_characters(make_corpus):
    pages = {
        f"{i}.txt": f"{CHROME_ZH}新闻标题第{i}号\n\n2024-03-0{i + 1}\n\n{text}。{FOOTER_ZH}"
        for i, text in enumerate(ARTICLES_ZH)
    }
    report = Report()
    articles = run(make_corpus(pages), report)
    assert len(articles) == 3
    for i, text in enumerate(ARTICLES_ZH):
        article = find(articles, text[:10])
        assert article["date"] == f"2024-03-0{i + 1}"
        assert "首页" not in article["text"] and "版权所有" not in article["text"]
    assert report.clusters.repeated_clusters >= 5


def test_right_to_left_text(make_corpus):
    pages = {
        f"{i}.txt": f"{CHROME_AR}عنوان الخبر رقم {i} في الصحيفة\n\n{text}.{FOOTER_AR}"
        for i, text in enumerate(ARTICLES_AR)
    }
    articles = run(make_corpus(pages))
    assert len(articles) == 3
    for text in ARTICLES_AR:
        article = find(articles, text[:20])
        assert "الرئيسية" not in article["text"] and "جميع الحقوق" not in article["text"]
        assert article["lang"] == "ar"


def test_a_page_of_pure_chrome_gives_nothing_and_breaks_nothing(make_corpus, seeds_dir):
    from conftest import seed_texts

    pages = seed_texts()
    pages["005_menu_only.txt"] = "Go back\n\nBack to the section\n\nBack to the all news"
    report = Report()
    articles = run(make_corpus(pages), report)
    assert len(articles) == 9
    assert all("005_menu_only.txt" not in a["sources"] for a in articles)
    assert report.pages_read == 6


def test_a_one_megabyte_line_is_handled_in_reasonable_time(make_corpus):
    rng = random.Random(1)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda".split()
    huge = " ".join(rng.choice(words) for _ in range(180_000)) + "."
    almost = huge[:-500] + " changed ending."
    pages = {
        "a.txt": f"Menu\nHome\n\nA very long page\n\n{huge}\n\nGo back\n",
        "b.txt": f"Menu\nHome\n\nThe same page, nearly\n\n{almost}\n\nGo back\n",
    }
    assert len(huge) > 1_000_000
    started = time.perf_counter()
    articles = run(make_corpus(pages))
    assert time.perf_counter() - started < 60
    assert len(articles) == 1  # near-duplicates: one article, two sources
    assert articles[0]["sources"] == ["a.txt", "b.txt"]
    assert len(articles[0]["text"]) > 1_000_000
