#!/usr/bin/env python3
"""Generate a synthetic scraped web crawl, with its ground truth, for benchmarking corpus-clean.

    python benchmarks/make_corpus.py --sites S --pages P --seed N OUT/

Python 3.10+, the standard library and numpy (the Markov walks run as numpy batches).
The same arguments (and the same source texts) give a byte-identical tree. About
5 KB per page on average: 100k pages make about 500 MB, in well under a minute.

Layout of OUT/
--------------
::

    OUT/manifest.json                  {"sites", "pages", "seed", "bytes", "generator_version"}
    OUT/truth.jsonl                    the ground truth, described below
    OUT/site_000/0000/p000000.txt      page 0 of site 0
    OUT/site_000/0000/p000999.txt
    OUT/site_000/0001/p001000.txt      pages are always sharded by 1000: shard = page // 1000
    OUT/site_001/0000/p000000.txt
    ...

Every page is one UTF-8 text file (no BOM, "\\n" line endings) of one site: what a
scraper keeps of an HTML page. `--pages` is the total over all sites; the sites get
uneven shares (each at least one page). One site in four is Russian (sites 1, 5, 9,
...), the others English. A page is, in this order, with two blank lines between
blocks (occasionally three):

* header: optional "Skip to content", the site name, an optional tagline, 4-8
  navigation items (one per line, or one line joined by " | "), optional extra line
  ("Version for the visually impaired", "Search"...), optional breadcrumb;
* the "latest news" sidebar, on some sites above the article(s);
* one article (80 % of pages) or 2-3 articles (listing pages), each: title line, date
  line in the site's format ("26.07.2024", "2024-07-26", "July 26, 2024",
  "26 July 2024", "26 июля 2024 г.", "Posted on July 26, 2024 by NAME"), 3-8 body
  paragraphs (one line each, one blank line between), sometimes an image or
  attachment file-name line between paragraphs; optional "Back to list"/share links;
* the sidebar, on the other sites below the article(s): a label ("Latest news",
  "Read also", "Последние новости"...) and the 3-5 most recent articles of the same
  site published before the page's (first) article, newest first, each as a teaser:
  [date line] [title line] lead (the article's first paragraph, or on some sites only
  its first sentence), then optionally an "All news" link. The first pages of a
  site have fewer teasers (the very first page has no sidebar);
* footer: optional "Go back" links, press office, phone, e-mail, address, copyright,
  optional extra lines.

Traps (what a cleaner has to get right)
---------------------------------------
* Repeated chrome: header, navigation, labels, footer lines are on every page of a
  site; the phone is written in 1-3 variants across the pages of a site (for example
  "+7 (3452) 12-34-56", "Тел.: +7 3452 123456", "8-3452-12-34-56"); some Russian
  sites use NBSPs in the phone, address and "г." of dates. Different sites have
  different chrome (names, phones, e-mails, labels, layouts).
* Teasers: an article's lead paragraph (or first sentence) is repeated on the 3-5
  pages that follow it, with its date and/or title or neither; it must come out once,
  as part of the full article. On up to 10 % of teaser occurrences (a per-site rate)
  the teaser is edited: " Read more"/" Подробнее" appended, a view counter
  (" Views: 1234") appended, one word changed, or its date line written in another
  format.
* Dates: 10 % of articles have no date; some have the title repeated with the date
  appended ("Title 26.07.2024") as their second line instead of a date line;
  "Posted on ... by NAME" bylines; body text mentions other dates and numbers.
  Article dates are spread over 2005-2024 and increase with the page number within a
  site.
* File names ("IMG_4821.jpg", "Приказ № 15.pdf", "photo 2021-03-04.jpeg") inside
  article bodies, each unique (only repeated on exact duplicate pages).
* About 2 % of pages are exact copies of an earlier page of the same site (a URL
  fetched twice): same bytes, another file name.
* Listing pages hold 2-3 complete articles, which must be cut apart.
* Some sites end their pages without a final newline.

Text
----
Prose comes from an order-2 word Markov chain, one per language (English and
Russian, told apart by script), built from real pages: the seed pages (/work/shared/
seeds, else the project's seeds/), tests/data/site_news_ru, tests/data/site_blog_en
(post-c.txt is cp1252) and any *.txt under /work/shared/bench/ (or what --source
names), plus built-in invented news items (EN_SUPPLEMENT, RU_SUPPLEMENT, ~1,300 and
~2,400 words; --no-builtin-text leaves them out). The project's Russian pages hold
only ~700 words: a chain on them alone can do little but copy them back.

Even so the source is small, so the text is varied on purpose. The chain sometimes
steps with order 1 where order 2 has a single successor; a word is often swapped
for another of the same shape (same capitalisation and last three letters, so
mostly the same part of speech and case; the classes are widened by built-in word
lists); numbers are redrawn. Each walk knows which source occurrence it copies, and
walks that copy more than 12 words in a row (or 60 % of the sentence) from one place,
or switch place fewer than twice, are rejected. Sentences have 8-35 words, are
capitalised and end with a period, and are generated fresh on demand (a large,
never-exhausted pool): no sentence is used twice in the corpus (CRC-32 filter). A
paragraph is 2-5 sentences (most often 2-3); an article's lead paragraph opens with
a sentence of 30-35 words copying at most 8 words in a row (some teasers show that
sentence alone, and lone sentences come out alike far more often than paragraphs).
Measured with corpus-clean's own near-duplicate test (MinHash/LSH, Indel >= 0.8) on
100k pages (seed 1): 37 pairs among ~600k paragraphs of different articles, none
among the 127k titles, ~1,500 among the 127k lead sentences taken alone (shown
alone only by the quarter of sites whose teasers are first sentences).

Titles (6-16 words, capitalised, no final period, unique) are made-up headlines,
two clauses from templates joined ("Ashford council approves regional transport
strategy as farmers in Glenby warn of seasonal depots"): chain fragments were too
alike to be titles of 100k articles.

Ground truth: OUT/truth.jsonl
-----------------------------
One JSON object per line; for each site, its articles in order, then its chrome:

* ``{"type": "article", "site": "site_003", "id": "a000123", "title": "...",
  "date": "YYYY-MM-DD" | null, "paragraphs": ["...", ...], "pages": [...],
  "teaser_pages": [...]}``. ``id`` numbers the articles of a site in date order
  (``(site, id)`` is the key). ``paragraphs`` are the body lines exactly as written
  (no title, date or file-name lines). ``pages`` are the pages holding the full
  article (the original and its exact duplicates), ``teaser_pages`` the pages showing
  it as a teaser (including duplicates of those); paths relative to OUT with "/",
  e.g. "site_003/0000/p000123.txt". A teaser's edited variant is not in the truth:
  the truth holds the paragraph as it appears in the article. ``date`` is null when
  the article's page shows no date for it.
* ``{"type": "chrome", "site": "site_003", "lines": [...]}``: every distinct chrome
  line that appears on the site's pages, exactly as written (header, navigation,
  breadcrumb, sidebar label and links, article-end links, footer lines, every phone
  variant used); not teaser texts, not date lines, not file names.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
import time
import zlib
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 2

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = (
    "/work/shared/seeds",  # the five seed pages (same files as ROOT/seeds)
    str(ROOT / "tests" / "data" / "site_news_ru"),
    str(ROOT / "tests" / "data" / "site_blog_en"),
    "/work/shared/bench",  # optional
)
FALLBACK_SEEDS = str(ROOT / "seeds")
MAX_SOURCE_BYTES = 20 * 10**6  # more source text than this is not read

PAGES_PER_SHARD = 1000
DUP_RATE = 0.02  # exact duplicate pages
LISTING_RATE = 0.20  # pages with 2-3 articles
NO_DATE_RATE = 0.10
# Chain settings per language: chance of an order-1 step at a state with a single
# order-2 successor, and chance of swapping a word for one of the same shape.
BACKOFF = {"en": 0.2, "ru": 0.3}
SWAP = {"en": 0.4, "ru": 0.45}
# Paragraphs per article (3-8) and sentences per paragraph (2-5; the lead 2-3), weighted
# towards short news items: about 5 KB per page on average, Russian pages larger.
PARAGRAPHS = (3, 4, 5, 6, 7, 8)
PARAGRAPHS_CUM = (32, 58, 76, 87, 94, 100)
SENTENCES = (2, 3, 4, 5)
SENTENCES_CUM = (45, 75, 91, 100)
# The lead's first sentence, which some teasers show alone: at least LEAD_MIN_WORDS
# words, copying at most LEAD_MAX_RUN words in a row from one place of the source.
# Lone sentences come out alike far more often than paragraphs; long ones made of
# short copied runs much less so.
LEAD_MIN_WORDS = 30
LEAD_MAX_RUN = 8
LEAD_SENTENCES = (2, 3)
LEAD_CUM = (60, 100)
FIRST_DAY = dt.date(2005, 1, 1).toordinal()
LAST_DAY = dt.date(2024, 12, 31).toordinal()
NBSP = "\u00a0"


def rng_for(seed: int, *names: object) -> random.Random:
    """An independent, reproducible random stream for (seed, names)."""
    key = "/".join(str(x) for x in (seed, *names)).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


# ---------------------------------------------------------------------------------
# Source text and the Markov chain
# ---------------------------------------------------------------------------------

_CYR = re.compile("[а-яА-ЯёЁ]")
_LAT = re.compile("[a-zA-Z]")
_PROSE_END = re.compile(r"[.!?][\"»”’)]*$")
_FINAL = re.compile(r"[.!?][\"»”’)]*$")
_SENT_START = re.compile(r"[\"«“(]?[A-ZА-ЯЁ]")
_INITIAL = re.compile(r"[A-ZА-ЯЁ]\.")
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$")
_ABBREV = {"г.", "гг.", "ул.", "д.", "им.", "т.", "е.", "т.е.", "Mr.", "Dr.", "St.", "No.", "Ms.", "Mrs.", "vs."}


_MONTH_WORDS = set(
    "january february march april may june july august september october november december "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()
)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def source_files(sources: list[str]) -> list[Path]:
    """The *.txt files named or found (recursively, sorted) in the sources, leaving out
    generated corpora (folders holding a truth.jsonl and a manifest.json)."""
    files: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            corpora = [m.parent for m in p.rglob("manifest.json") if (m.parent / "truth.jsonl").is_file()]
            files.extend(
                sorted(q for q in p.rglob("*.txt") if q.is_file() and not any(c in q.parents for c in corpora))
            )
        elif p.is_file():
            files.append(p)
    return files


def load_prose(files: list[Path]) -> dict[str, list[str]]:
    """Prose lines (>= 8 words, ending like a sentence) by language, each line once."""
    out: dict[str, list[str]] = {"en": [], "ru": []}
    seen: set[str] = set()
    total = 0
    for f in files:
        if total > MAX_SOURCE_BYTES:
            print(f"make_corpus: source text capped at {MAX_SOURCE_BYTES // 10**6} MB", file=sys.stderr)
            break
        text = read_text(f)
        total += len(text)
        for raw in text.splitlines():
            line = " ".join(raw.split())
            if len(line.split()) < 8 or line in seen or not _PROSE_END.search(line):
                continue
            seen.add(line)
            lang = "ru" if len(_CYR.findall(line)) > len(_LAT.findall(line)) else "en"
            out[lang].append(line)
    return out


def split_sentences(paragraph: str):
    """Token lists of a paragraph's sentences (abbreviations and initials do not end one)."""
    tokens = paragraph.split()
    cur: list[str] = []
    for i, t in enumerate(tokens):
        cur.append(t)
        final = _FINAL.search(t) and t not in _ABBREV and not _INITIAL.fullmatch(t)
        if final and (i + 1 == len(tokens) or _SENT_START.match(tokens[i + 1])):
            yield cur
            cur = []
    if cur:
        yield cur


# ---------------------------------------------------------------------------------
# Built-in supplementary prose
# ---------------------------------------------------------------------------------
# Invented regional news items (places and people are fictional), written for this
# generator in the style of the project's pages. The project's Russian pages hold
# ~700 words: far too few for a chain whose sentences must not repeat. Used in
# addition to the source pages unless --no-builtin-text is given.

EN_SUPPLEMENT = """
Work to replace the footbridge over the River Lune at Millbrook will begin next month and is expected to take about twenty weeks. The council said a temporary crossing would be installed upstream, and that signed diversions would be in place for cyclists and pedestrians while the old structure is removed.

The district council has approved its budget for the coming year, including a rise of 2.9 per cent in council tax. Councillors agreed to spend an extra 1.4 million pounds on road repairs and to protect funding for libraries and youth services. The leader of the council said the settlement from central government had again fallen short of rising costs.

A new community health centre opened its doors on Monday, bringing together family doctors, a pharmacy and physiotherapy services under one roof. The centre will serve around 18,000 patients from the town and surrounding villages. Appointments can be booked online, by phone or in person at the reception desk.

Police are appealing for witnesses after a collision on the A614 near the junction with Station Road on Friday evening. Two people were taken to hospital with injuries that are not thought to be life-threatening. Anyone with dashcam footage or information is asked to contact the force quoting the incident number.

Pupils at Hillside Primary School have raised more than 3,000 pounds for a local hospice by completing a sponsored walk along the coastal path. The head teacher said the children had walked a combined distance of more than 900 miles over the summer term. The money will be used to fund a new family room at the hospice.

The regional water company has warned customers to expect low pressure in parts of the northern district while engineers repair a burst main. Bottled water is being delivered to vulnerable residents on the priority services register. The company said it expected supplies to return to normal by the end of the day.

Plans for a solar farm on former farmland east of the village have been submitted to the planning authority. The developer says the scheme would generate enough electricity to power around 12,000 homes and would include new hedgerows and a wildflower meadow. Residents have until the end of the month to comment on the application.

The town's annual food festival returned to the market square at the weekend, attracting an estimated 25,000 visitors over two days. More than 80 stalls offered local produce, street food and craft beer, while cookery demonstrations were held in a marquee beside the town hall. Organisers thanked volunteers and sponsors for making the event possible.

A new bus route linking the railway station with the business park and the university campus will start running in September. Buses will run every twenty minutes on weekdays and every half hour on Saturdays. The service is funded by a government grant for improving public transport in rural areas.

The county museum has been awarded a lottery grant of 650,000 pounds to restore its Victorian galleries and improve access for disabled visitors. The work will include a new lift, better lighting and interactive displays about the history of the local textile industry. The museum will remain open while the project is carried out.

Firefighters were called to a barn fire on a farm near Ashcombe in the early hours of Tuesday morning. Crews from four stations used two hose reel jets and a water carrier to bring the blaze under control. No animals were harmed, but around 200 bales of hay were destroyed, and an investigation into the cause is under way.

The university has opened a new research centre dedicated to coastal engineering and flood resilience. Scientists at the centre will work with local authorities and businesses to design defences that can cope with rising sea levels and more frequent storms. The centre has received funding from the regional development agency and several industry partners.

Residents are being invited to have their say on proposals to introduce a 20 mph speed limit in residential streets across the town. The council said the change would make roads safer for children walking to school and encourage more people to cycle. The consultation runs for six weeks and includes drop-in sessions at the library.

A local charity that provides free meals to families in need has moved into larger premises on the High Street. The new building has a bigger kitchen, a storage room and space for advice sessions on housing and benefits. Volunteers said demand for their services had almost doubled over the past two years.

Heavy rain is expected to bring localised flooding to low-lying areas over the next 48 hours, according to the latest forecast. The environment agency has issued flood alerts for several rivers in the district and is urging people to avoid driving through floodwater. Sandbags are available from the council depot for households at risk.

The harbour authority has completed the dredging of the inner basin, allowing larger fishing vessels to use the port at all states of the tide. The project cost 2.3 million pounds and was partly funded by a maritime fund. Harbour officials said the work would help secure jobs in the fishing fleet and attract visiting yachts.

The local football club has announced the signing of two young players from its own academy. Both players made their debut for the first team last season and impressed the coaching staff with their performances. The manager said it was important for the club to give opportunities to talented players from the area.

Library users will soon be able to borrow electronic devices, including laptops and tablets, as part of a scheme to help people get online. The council said the initiative was aimed at older residents and families without access to a computer at home. Staff will also offer free weekly sessions on using email, online banking and video calls.

A nature reserve on the edge of the town has recorded its highest number of breeding birds since monitoring began. Volunteers counted more than 60 pairs of lapwing and a record number of reed warblers during the spring survey. The reserve manager said the results showed that recent work to restore the wetland was paying off.

Traders in the town centre have welcomed plans to reduce parking charges during the run-up to Christmas. Under the scheme, shoppers will be able to park for free for the first two hours in council car parks on weekdays. The chamber of commerce said the decision would help independent shops compete with online retailers.

The hospital trust has recruited 45 new nurses from across the country as part of a campaign to reduce waiting times. The new staff will work in the emergency department, surgical wards and the children's unit. The chief nurse said the recruitment drive had been one of the most successful in the trust's history.

Construction has started on 120 affordable homes on the site of a former factory near the canal. The development will include homes for rent and shared ownership, as well as a small park and a community building. The first residents are expected to move in by the end of next year.

Students from the further education college have designed a garden for a national flower show, where it won a silver medal. The garden was inspired by the coastline of the region and featured grasses, driftwood and recycled materials. The students said the experience had given them valuable practical skills and confidence.

The council is to invest in new electric vehicle charging points in twelve public car parks across the district. Officers said the network would be expanded in stages as demand grows, and that the first chargers should be in use by the spring. The project is part of a wider plan to cut carbon emissions from transport.
"""

RU_SUPPLEMENT = """
В Северогорске завершился капитальный ремонт моста через реку Каменку. Работы продолжались почти два года и обошлись областному бюджету в 412 миллионов рублей. По словам главы города Игоря Лаптева, движение по мосту будет открыто в полном объёме уже в ближайшие выходные, а ограничения для грузового транспорта сохранятся до конца месяца.

В рамках национального проекта в этом году в районе отремонтируют более 60 километров дорог местного значения. В первую очередь подрядчики займутся участками, которые ведут к школам, больницам и остановкам общественного транспорта. Жители могут оставить предложения по ремонту на портале государственных услуг до 1 июня.

На территории региона стартовала вакцинационная кампания против гриппа. Прививку можно сделать бесплатно в любой поликлинике по месту жительства, а также в мобильных пунктах, которые будут работать в торговых центрах по выходным дням. В прошлом году вакцинацию прошли более 40 процентов жителей области.

Губернатор области провёл рабочую встречу с представителями малого и среднего бизнеса. Участники обсудили меры поддержки предпринимателей, снижение административной нагрузки и доступ к льготным кредитам. По итогам встречи министерству экономического развития поручено подготовить предложения по упрощению процедуры получения субсидий.

В краеведческом музее открылась выставка, посвящённая истории освоения северных земель. В экспозиции представлено более 300 предметов, среди которых старинные карты, орудия труда, одежда и фотографии первых переселенцев. Выставка продлится до конца года, вход для школьников и студентов свободный.

Команда студентов государственного университета заняла первое место во всероссийском конкурсе инженерных проектов. Ребята представили систему автоматического контроля уровня воды в малых реках, которая позволяет заранее предупреждать жителей о паводке. Разработку уже протестировали на трёх постах наблюдения в соседнем районе.

С 1 апреля в городе меняется расписание движения автобусов на шести маршрутах. Интервал движения в часы пик сократится до 8 минут, а на маршруте № 12 появятся новые низкопольные автобусы. Подробную информацию о расписании можно получить на сайте транспортного предприятия и по телефону диспетчерской службы.

В районной больнице открылось новое отделение реабилитации. Здесь будут проходить восстановление пациенты после операций, травм и тяжёлых заболеваний. Для отделения закуплено современное оборудование, а к работе привлечены специалисты из областного центра.

На заседании районного совета депутаты утвердили отчёт об исполнении бюджета за прошлый год. Доходы составили 1,2 миллиарда рублей, расходы на социальную сферу выросли на 11 процентов. Основная часть средств была направлена на образование, здравоохранение и благоустройство населённых пунктов.

Более 500 добровольцев приняли участие в субботнике на берегу городского водохранилища. За несколько часов участники акции собрали около 3 тонн мусора, высадили молодые деревья и обновили скамейки на набережной. Организаторы благодарят всех, кто не остался в стороне, и планируют провести следующую акцию осенью.

В селе Озёрном началось строительство детского сада на 120 мест. Объект возводится в рамках региональной программы и должен быть сдан в эксплуатацию до конца следующего года. Сейчас строители завершают работы по устройству фундамента и подводят к участку инженерные сети.

Специалисты управления сельского хозяйства подвели итоги уборочной кампании. Аграрии района собрали более 85 тысяч тонн зерна, средняя урожайность составила 27 центнеров с гектара. Это один из лучших показателей за последние десять лет, несмотря на засушливое лето.

В городской библиотеке прошла встреча с писательницей Анной Ветровой, автором нескольких книг о природе и истории края. Читатели узнали о том, как создавалась её новая повесть, и задали вопросы о будущих работах. Встреча завершилась автограф-сессией и фотографией на память.

Сотрудники полиции напоминают жителям о мерах предосторожности при общении с незнакомыми людьми по телефону. Мошенники всё чаще представляются работниками банков и под разными предлогами просят назвать данные карты или код из сообщения. При подозрительном звонке необходимо сразу положить трубку и перезвонить в банк по официальному номеру.

В областном центре состоялся региональный форум молодёжи, в котором приняли участие около 700 человек. Участники форума обсудили вопросы трудоустройства, развития добровольчества и молодёжного предпринимательства. Лучшие проекты получат гранты на общую сумму более 5 миллионов рублей.

По данным службы занятости, уровень безработицы в районе снизился до 2,8 процента. Наиболее востребованы сегодня водители, медицинские работники, учителя и специалисты строительных профессий. Для тех, кто ищет работу, регулярно проводятся ярмарки вакансий и бесплатные курсы переподготовки.

В школах района завершился муниципальный этап олимпиады школьников. В нём приняли участие более 1500 учеников седьмых–одиннадцатых классов по 19 предметам. Победители и призёры представят район на региональном этапе, который пройдёт в январе.

Синоптики предупреждают о резком похолодании и сильном ветре в ближайшие дни. Ночью температура воздуха опустится до минус 25 градусов, на дорогах ожидается гололедица. Жителей просят без необходимости не выезжать за город и следить за сообщениями экстренных служб.

На предприятии по производству строительных материалов запущена новая производственная линия. Инвестиции в проект составили около 900 миллионов рублей, на предприятии создано 140 рабочих мест. Продукция будет поставляться не только в регионы страны, но и за рубеж.

В рамках программы благоустройства в этом году преобразятся 14 дворовых территорий и два общественных пространства. Жители сами выбрали проекты во время голосования, которое проходило весной. На дворовых площадках появятся новые детские и спортивные комплексы, освещение и места для отдыха.

Глава района провёл приём граждан по личным вопросам. Жители обращались по поводу ремонта дорог, работы общественного транспорта, уличного освещения и вывоза мусора. По всем обращениям даны поручения профильным специалистам, ход их выполнения взят на личный контроль.

В музыкальной школе прошёл отчётный концерт учащихся и преподавателей. Зрители услышали произведения русских и зарубежных композиторов в исполнении солистов, ансамблей и хора. Концерт стал завершением учебного года, а лучшие выпускники получили дипломы и памятные подарки.

На реке Каменке завершилась весенняя паводковая кампания. Уровень воды у села Берёзовка поднимался до критической отметки, однако подтопления жилых домов удалось избежать. Спасатели и сотрудники администрации круглосуточно дежурили на опасных участках и информировали жителей об изменении обстановки.

В поликлинике № 3 начал работу кабинет неотложной помощи для взрослых. Теперь пациенты с острыми состояниями смогут получить помощь без предварительной записи в течение рабочего дня. Кабинет работает ежедневно с 8:00 до 20:00, в выходные дни приём ведёт дежурный врач.

Представители областной администрации проверили ход строительства нового спортивного комплекса. На объекте уже завершены работы по возведению каркаса здания, ведётся монтаж кровли и внутренних инженерных систем. Открыть комплекс планируется к началу следующего учебного года.

По итогам года в районе введено в эксплуатацию более 45 тысяч квадратных метров жилья. Из них почти половина приходится на индивидуальное жилищное строительство. Многодетным семьям в этом году предоставлено 36 земельных участков под строительство домов.

Работники культуры провели в парке праздник, посвящённый Дню города. Для жителей и гостей работали творческие площадки, ярмарка мастеров и выставка работ местных художников. Вечером на главной сцене выступили городские коллективы, а завершился праздник праздничным салютом.

Министерство образования области объявило о начале приёма заявок на участие в конкурсе педагогического мастерства. В этом году учителя смогут представить свои работы в пяти номинациях. Итоги конкурса будут подведены в мае, победители получат денежные премии и возможность пройти стажировку.

В центре социального обслуживания открылась школа для людей старшего возраста. Слушатели будут изучать компьютерную грамотность, основы здорового образа жизни и иностранные языки. Занятия бесплатные и проходят два раза в неделю, записаться можно по телефону или лично.

На территории заповедника начался учёт численности диких животных. Сотрудники заповедника и волонтёры пройдут по заранее намеченным маршрутам и отметят следы лосей, кабанов, волков и лисиц. Полученные данные помогут оценить состояние популяций и спланировать природоохранные мероприятия.

В администрации района состоялось совещание, посвящённое подготовке к отопительному сезону. Руководители управляющих компаний доложили о ходе ремонта котельных, тепловых сетей и жилого фонда. Глава района поручил завершить все работы до 15 сентября и обеспечить запас топлива.

Школьники из посёлка Лесной стали победителями регионального турнира по мини-футболу. В финальном матче они со счётом 3:1 обыграли команду областного центра. Тренер команды отметил, что ребята готовились к соревнованиям весь год и полностью заслужили победу.

В городе продолжается реконструкция центральной площади. Рабочие уже заменили покрытие тротуаров, установили новые фонари и скамейки. До конца лета здесь появятся фонтан, цветники и зона для проведения городских мероприятий.

Представители туристического бизнеса и власти обсудили перспективы развития внутреннего туризма. По данным статистики, за прошлый год район посетили более 80 тысяч туристов, что на треть больше, чем годом ранее. Особой популярностью пользуются экологические маршруты, сплавы по рекам и посещение старинных усадеб.

На железнодорожной станции завершена модернизация пассажирской платформы. Теперь она оборудована навесом, пандусами для маломобильных граждан и современным информационным табло. В ближайшее время здесь также откроется зал ожидания с кассами и камерой хранения.

Специалисты водоканала приступили к замене водопроводных сетей на улице Садовой. На время работ в ряде домов возможны перебои с подачей холодной воды. Администрация приносит извинения за временные неудобства и просит жителей отнестись с пониманием.

В районном доме культуры прошёл фестиваль народного творчества. На сцене выступили более 20 коллективов из сёл и посёлков района, а в фойе была организована выставка изделий мастеров декоративно-прикладного искусства. Гран-при фестиваля получил ансамбль народной песни «Сударушка».

Федеральный центр выделил области дополнительные средства на закупку школьных автобусов. В этом году в районы поступят 34 новых автобуса, которые будут доставлять детей из отдалённых сёл в школы. Все машины оснащены системами навигации и отвечают требованиям безопасности.

Жители многоквартирных домов могут принять участие в программе капитального ремонта. Для этого собственникам необходимо провести общее собрание и подать заявку в фонд капитального ремонта. Консультации по оформлению документов проводятся в администрации района по средам с 10:00 до 13:00.

В областной детской больнице провели первую операцию с использованием нового оборудования. Хирурги отмечают, что современная техника позволяет сократить время вмешательства и ускорить восстановление маленьких пациентов. Оборудование приобретено за счёт средств регионального бюджета и благотворительного фонда.

Администрация города объявляет о проведении публичных слушаний по проекту генерального плана. Ознакомиться с документом можно на официальном сайте и в здании администрации в рабочие дни. Предложения и замечания принимаются в письменном виде до 20 октября.

В рамках акции «Чистый берег» волонтёры очистили от мусора около 12 километров береговой линии. В мероприятии участвовали школьники, студенты, сотрудники предприятий и члены туристических клубов. Собранный мусор был рассортирован и отправлен на переработку.

На встрече с ветеранами глава города рассказал о планах по благоустройству мемориального комплекса. В следующем году здесь будет проведена реставрация памятника, обновлены плиты с именами погибших и установлено новое освещение. Работы планируется завершить к празднованию Дня Победы.

Сотрудники МЧС провели учения по ликвидации последствий чрезвычайной ситуации на химическом предприятии. В ходе учений отработаны вопросы оповещения населения, эвакуации работников и взаимодействия экстренных служб. По оценке руководства, все задачи выполнены в установленные сроки.

В районе стартовал приём заявок на получение социальной газификации. Подключить дом к газу бесплатно могут собственники, чьи участки находятся в границах газифицированных населённых пунктов. Заявку можно подать через портал государственных услуг, в многофункциональном центре или в офисе газовой компании.

Ученые педагогического университета представили результаты исследования, посвящённого чтению среди подростков. Согласно опросу, более половины школьников читают книги не реже одного раза в неделю, причём всё чаще выбирают электронные издания. Исследователи рекомендуют библиотекам активнее развивать цифровые сервисы.

В посёлке Заречный открылся фельдшерско-акушерский пункт. Новое здание построено по типовому проекту и оснащено всем необходимым оборудованием. Теперь жителям посёлка и соседних деревень не придётся ездить за медицинской помощью в районный центр.

Городской транспорт переходит на безналичную оплату проезда. Уже сейчас оплатить поездку банковской картой или смартфоном можно во всех автобусах и троллейбусах. Наличные деньги кондукторы будут принимать до конца года, после чего оплата станет только безналичной.

На заседании комиссии по делам несовершеннолетних рассмотрены вопросы летнего отдыха и занятости детей. В этом году в загородных лагерях отдохнут более 2 тысяч школьников, ещё около 500 подростков будут трудоустроены на временные рабочие места. Особое внимание уделят детям из семей, находящихся в трудной жизненной ситуации.

В регионе подвели итоги конкурса «Лучшее муниципальное образование». Первое место среди городских округов занял Северогорск, среди сельских поселений лучшим признано Берёзовское. Победители получат гранты на реализацию проектов по развитию территорий.

Завершена реконструкция очистных сооружений в районном центре. Новые сооружения позволяют очищать до 10 тысяч кубометров сточных вод в сутки и полностью соответствуют экологическим требованиям. Реализация проекта позволит улучшить качество воды в реке и снизить нагрузку на окружающую среду.

В детской художественной школе открылась выставка работ выпускников. Зрители могут увидеть живопись, графику и декоративные композиции, выполненные в разных техниках. Многие работы уже получили награды на областных и всероссийских конкурсах.

Для жителей отдалённых сёл организованы выездные приёмы специалистов. Врачи областной больницы, юристы и сотрудники социальной защиты раз в месяц будут приезжать в населённые пункты района. График выездов опубликован на сайте администрации и в районной газете.

Прокуратура района провела проверку соблюдения законодательства о защите прав потребителей. В ходе проверки выявлены нарушения в работе нескольких магазинов, в том числе продажа товаров с истёкшим сроком годности. По результатам проверки виновные лица привлечены к административной ответственности.

В рамках Года семьи в районе проходит цикл мероприятий для родителей и детей. Запланированы спортивные праздники, мастер-классы, семейные конкурсы и экскурсии по памятным местам. Подробный план мероприятий размещён на сайте управления культуры.

Предприятия лесной отрасли региона увеличили объёмы переработки древесины. По итогам полугодия выпуск пиломатериалов вырос на 15 процентов, а производство топливных гранул почти удвоилось. Большая часть продукции отправляется на экспорт.

На городском стадионе завершилась спартакиада трудовых коллективов. В соревнованиях по лёгкой атлетике, волейболу, настольному теннису и шахматам приняли участие 24 команды предприятий и организаций. Победителем спартакиады в общем зачёте стала команда энергетической компании.

С начала года в районе зарегистрировано 312 новорождённых, что немного больше, чем за аналогичный период прошлого года. Чаще всего родители называли мальчиков Михаилом и Александром, а девочек Анной и Софией. Двенадцать семей в этом году стали многодетными.

Депутаты областной думы приняли закон о дополнительных мерах поддержки молодых специалистов. Выпускники, которые придут работать в сельские школы и больницы, получат единовременную выплату в размере 500 тысяч рублей. Закон вступит в силу с начала следующего года.

В городском парке завершились работы по обустройству новой велосипедной дорожки. Её протяжённость составила более 3 километров, вдоль дорожки установлены скамейки, урны и пункты проката. Весной в парке также планируется высадить несколько сотен деревьев и кустарников.

Служба судебных приставов напоминает о необходимости своевременно оплачивать задолженности. Должники, не погасившие долги, могут быть ограничены в праве выезда за рубеж. Проверить наличие задолженности можно на официальном сайте службы или в личном кабинете на портале государственных услуг.

В районной администрации прошло вручение ключей от новых квартир детям-сиротам. Двенадцать молодых людей получили благоустроенное жильё в новом многоквартирном доме. Все квартиры оснащены необходимой мебелью и бытовой техникой.

Специалисты ветеринарной службы проводят бесплатную вакцинацию домашних животных против бешенства. Прививки делают в ветеринарных станциях района, а также на выездных пунктах в сёлах. Владельцев собак и кошек просят не пропустить вакцинацию и взять с собой ветеринарный паспорт.

На заводе сельскохозяйственной техники освоен выпуск новой модели трактора. Машина отличается повышенной мощностью, экономичным двигателем и удобной кабиной. Первые партии тракторов уже отправлены хозяйствам региона и соседних областей.

Городской краеведческий клуб подготовил серию экскурсий по историческому центру. Участники узнают об истории старинных зданий, купеческих домов и храмов, а также о людях, которые жили и работали в городе. Экскурсии проводятся по субботам, сбор у здания музея.

Областной центр занятости запустил программу стажировок для выпускников колледжей и вузов. Молодые люди смогут в течение трёх месяцев работать на предприятиях региона и получать заработную плату. Работодатели, принявшие стажёров, получат компенсацию части расходов.

Завершён ремонт кровли и фасада здания районной школы искусств. Также в здании заменены окна, отремонтированы классы и концертный зал. Теперь учащиеся смогут заниматься в комфортных условиях, а школа будет принимать больше детей.
"""


# ---------------------------------------------------------------------------------
# Extra vocabulary for word swaps
# ---------------------------------------------------------------------------------
# The source pages hold only ~3,300 English and ~700 Russian words: on its own the
# chain would produce near-copies of a few dozen source sentences, which a cleaner
# would rightly see as repeated text. These lists (inflected forms made by the rules
# below) widen the same-shape classes that generated words are swapped within.

EN_NOUNS = """
agreement meeting project programme committee council official minister report survey budget school hospital
road bridge station district region department agency company factory market festival exhibition conference
forum delegation commission initiative strategy policy reform investment contract tender grant subsidy scheme
facility centre museum library park harbour airport railway network system service campaign competition award
volunteer student teacher resident farmer worker employee visitor partner member expert specialist inspector
engineer researcher scientist director chairman deputy governor mayor delegate representative envoy ambassador
cooperation organization administration delegation exhibition competition construction installation inspection
operation consultation celebration collection evaluation negotiation presentation protection reduction regulation
restoration legislation migration population production resolution situation tradition education information
security stability capacity community activity authority facility priority quality university opportunity mobility
diversity continuity sustainability accessibility integrity responsibility visibility
building training funding planning housing fishing monitoring reporting spending recycling
assistance importance experience performance conference evidence compliance maintenance resilience governance
confidence audience influence difference insurance guidance tolerance presence reference allowance
government development management investment department equipment environment settlement statement requirement
commitment movement payment treatment assessment achievement improvement employment enforcement
summit session declaration mission operation exercise patrol border threat challenge framework mechanism dialogue
partnership leadership membership ownership shipment supplement instrument document element segment fragment
transect meadow estuary shoreline quadrat sample specimen habitat species colony nest burrow current tide
season harvest nursery seedling forest woodland plantation wetland reserve river valley hill village settlement
highway tunnel terminal depot warehouse pipeline reservoir plant station substation workshop laboratory
journalist correspondent spokesman photographer editor broadcaster presenter columnist reporter analyst
"""
EN_VERBS = """
adopt approve attend announce assess complete conduct consider create deliver develop discuss ensure establish
expand extend finance improve inspect install introduce invest launch maintain monitor organize present prevent
promote protect provide publish receive recommend record reduce repair replace report request restore review
secure select strengthen support sustain train upgrade visit welcome host test collect count measure survey clean
plant open celebrate coordinate evaluate finalize demonstrate examine explore gather highlight identify implement
increase inform involve mark note outline prepare process propose question reach remind remove resolve respond
sign start suggest summarize urge warn allocate adapt assist attract award contact consult debate design
discover document donate educate encourage engage estimate exhibit explain fund guarantee honour illustrate
inaugurate interview invite join list moderate negotiate obtain offer order perform postpone reform regulate
renovate reopen represent rescue research schedule share sponsor supervise track underline unveil vote widen
address accept achieve acknowledge affirm analyse appoint assign calculate certify clarify compile confirm
construct convene define deploy discuss distribute enhance evacuate expect forecast formulate inspect integrate
"""
EN_ADJ = """
annual local regional national international federal municipal public private central rural urban coastal northern
southern eastern western environmental economic social cultural financial technical medical educational historical
industrial agricultural military political diplomatic strategic practical official additional significant important
major recent current previous future modern traditional existing specific general common joint mutual independent
comprehensive sustainable reliable effective efficient successful remarkable considerable substantial temporary
permanent seasonal digital scientific academic professional voluntary legal administrative regulatory ecological
marine renewable affordable accessible available responsible active positive extensive intensive preliminary urgent
constructive multilateral bilateral humanitarian institutional operational constitutional logistical territorial
continental residential commercial electoral judicial ministerial presidential parliamentary provincial
"""

RU_ADJ_HARD = """
нов лесн краев областн районн государственн муниципальн федеральн региональн социальн транспортн дорожн пожарн
водн земельн культурн спортивн образовательн научн молодёжн жилищн строительн сельскохозяйственн бюджетн
инвестиционн промышленн информационн общественн школьн природн лесохозяйственн учебн профессиональн
дополнительн основн значительн современн безопасн международн межрегиональн национальн территориальн электронн
цифров административн экспертн финансов санитарн противопожарн парков уличн речн морск? торжественн ежегодн
совместн специальн благотворительн волонтёрск? исследовательск? окружн республиканск? муниципальн туристическ?
"""
RU_ADJ_VELAR = """
городск российск экологическ историческ техническ экономическ политическ медицинск детск туристическ
республиканск научно-техническ исследовательск волонтёрск педагогическ практическ хозяйственно-бытов?
"""
RU_NOUN_NIE = """
решени заседани совещани обеспечени развити проведени управлени соглашени положени предложени мероприяти
учреждени предприяти направлени обращени строени исследовани образовани здравоохранени восстановлени внедрени
назначени подписани открыти участи событи изменени улучшени сохранени выполнени применени поступлени размещени
оформлени обслуживани финансировани планировани голосовани обучени поручени постановлени распоряжени разрешени
помещени отделени подразделени населени благоустройств? наблюдени патрулировани тушени лесовосстановлени
"""
RU_NOUN_IA = """
организаци администраци конференци комисси станци территори категори энерги информаци экспедици инспекци
традици ситуаци позици концепци стратеги технологи лаборатори экспозици делегаци регистраци реконструкци
модернизаци компенсаци консультаци презентаци номинаци экскурси акци секци лицензи субсиди гаранти академи
"""
RU_NOUN_STVO = """
министерств строительств хозяйств производств сотрудничеств руководств правительств агентств обществ
предпринимательств законодательств имуществ количеств качеств государств средств мастерств
"""
RU_NOUN_TEL = """
руководител представител жител преподавател победител посетител заместител исполнител учител председател
работодател производител покупател зрител читател водител строител
"""
RU_NOUN_HARD = """
проект объект район центр специалист конкурс фонд документ договор закон бюджет маршрут вопрос план отдел
комплекс форум регион министр инспектор эксперт депутат кандидат студент экспонат контракт грант семинар турнир
приказ указ ремонт стандарт тариф адрес телефон сайт портал пункт транспорт пожар институт университет совет
"""

_ADJ_HARD_END = "ого ому ом ая ой ую ое ые ых ыми ым".split()
_ADJ_VELAR_END = "ого ому ом ая ой ую ое ие их ими им".split()
_NIE_END = "е я ю ем и й ям ями ях".split()
_IA_END = "я и ю ей й ям ями ях".split()
_STVO_END = "о а у ом е ам ами ах".split()
_TEL_END = "ь я ю ем е и ей ям ями ях".split()
_HARD_END = ["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"]


EN_UNCOUNTABLE = set(
    "equipment information assistance compliance evidence guidance maintenance funding housing fishing training "
    "planning spending recycling monitoring reporting legislation education governance confidence importance "
    "security stability sustainability accessibility integrity diversity continuity mobility tolerance".split()
)


def _en_plural(w: str) -> str:
    if w.endswith(("s", "sh", "ch", "x", "z")):
        return w + "es"
    if w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


def _en_past(w: str) -> str:
    if w.endswith("e"):
        return w + "d"
    if w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ied"
    return w + "ed"


def _en_ing(w: str) -> str:
    if w.endswith("e") and not w.endswith("ee"):
        return w[:-1] + "ing"
    return w + "ing"


def _stems(text: str) -> list[str]:
    return [w for w in text.split() if not w.endswith("?")]


def extra_vocabulary(lang: str) -> list[str]:
    """Inflected word forms that widen the swap classes (lower case)."""
    if lang == "en":
        nouns = EN_NOUNS.split()
        verbs = EN_VERBS.split()
        words = nouns + [_en_plural(n) for n in nouns if n not in EN_UNCOUNTABLE] + EN_ADJ.split()
        words += verbs + [_en_past(v) for v in verbs] + [_en_ing(v) for v in verbs] + [_en_plural(v) for v in verbs]
        return words
    words = []
    for stems, ends in (
        (RU_ADJ_HARD, _ADJ_HARD_END),
        (RU_ADJ_VELAR, _ADJ_VELAR_END),
        (RU_NOUN_NIE, _NIE_END),
        (RU_NOUN_IA, _IA_END),
        (RU_NOUN_STVO, _STVO_END),
        (RU_NOUN_TEL, _TEL_END),
        (RU_NOUN_HARD, _HARD_END),
    ):
        for stem in _stems(stems):
            words.extend(stem + e for e in ends)
    return words


class TextModel:
    """Order-2 word chain with order-1 back-off, same-shape word swaps and fresh numbers.

    Every token occurrence of the source gets an id, and the chain's successor lists
    hold occurrence ids, so a walk knows when it leaves the source sentence it was
    copying (a "junction"). Walks with fewer than `min_junctions` junctions, or that
    copy more than `max_run` words in a row (or more than 60 % of the sentence) from
    one place, are near-copies of the source and are rejected. Walks run in numpy
    batches (one array step moves thousands of walkers), the rest is plain Python.
    """

    MAX_WORDS = 35

    def __init__(
        self,
        lang: str,
        paragraphs: list[str],
        backoff: float,
        swap: float,
        extra: list[str] = (),
        min_junctions: int = 2,
        max_run: int = 12,
    ) -> None:
        self.lang = lang
        self.swap = swap
        self.min_junctions = min_junctions
        self.max_run = max_run
        occ: list[str | None] = []
        s2: dict[tuple, list] = collections.defaultdict(list)
        s1: dict[str, list] = collections.defaultdict(list)
        vocab: dict[str, None] = {}
        for p in paragraphs:
            for sent in split_sentences(p):
                seq = ["", "", *sent, None]
                for i in range(2, len(seq)):
                    o = len(occ)
                    occ.append(seq[i])
                    s2[(seq[i - 2], seq[i - 1])].append(o)
                    if seq[i - 1]:
                        s1[seq[i - 1]].append(o)
                for t in sent:
                    vocab[t] = None
        occ.append(None)  # sentinel: "the source token after the last one"
        self.occ = occ
        # -- same-shape alternatives: same capitalisation class and last 3 letters
        classes: dict[tuple, set] = collections.defaultdict(set)
        parts = {}
        numbers = {}
        for tok in vocab:
            pre, core, post = _CORE.match(tok).groups()
            if core.isdigit() and len(core) <= 4:
                numbers[tok] = (pre, core, post)
                continue
            if len(core) < 5 or not core.isalpha() or core.lower() in _MONTH_WORDS:
                continue
            shape = "A" if core.isupper() else "C" if core[0].isupper() else "l"
            key = (shape, core[-3:].lower())
            classes[key].add(core)
            parts[tok] = (pre, core, post, key)
        for w in extra:
            if len(w) >= 5 and w.replace("-", "").isalpha() and w not in _MONTH_WORDS:
                classes[("l", w[-3:])].add(w)
        self.alts: dict[str, tuple[str, ...]] = {}
        for tok, (pre, core, post, key) in parts.items():
            others = sorted(classes[key] - {core})
            if others:
                self.alts[tok] = tuple(pre + o + post for o in others)
        self.numbers = numbers
        # -- integer form of the chain
        state_ids = {k: i for i, k in enumerate(s2)}
        start = state_ids[("", "")]
        flat: list[int] = []
        off2, cnt2, off1, cnt1, p_back = [], [], [], [], []
        for v in s2.values():
            off2.append(len(flat))
            cnt2.append(len(v))
            flat.extend(v)
        for i, (k, v) in enumerate(s2.items()):
            l1 = s1[k[1]] if k[1] else v
            off1.append(len(flat))
            cnt1.append(len(l1))
            flat.extend(l1)
            single = len({occ[o] for o in v}) == 1
            # back off to order 1 often where order 2 has no choice, rarely elsewhere
            p_back.append(0.0 if i == start else backoff if single else 0.05 * backoff)
        strings: dict[str | None, int] = {}  # every output string (tokens and alternatives) -> id
        otok = [strings.setdefault(t, len(strings)) for t in occ]
        nstate, prev = [], ""
        for t in occ:
            nstate.append(-1 if t is None else state_ids.get((prev, t), -1))
            prev = "" if t is None else t
        alt_off, alt_cnt, alt_flat = [0] * len(strings), [0] * len(strings), []
        for tok, alts in self.alts.items():
            i = strings[tok]
            alt_off[i], alt_cnt[i] = len(alt_flat), len(alts)
            alt_flat.extend(strings.setdefault(a, len(strings)) for a in alts)
        self.strings = list(strings)
        self.start = start
        i64 = np.int64
        self.a_flat = np.array(flat, i64)
        self.a_off = np.array([off2, off1], i64)
        self.a_cnt = np.array([cnt2, cnt1], i64)
        self.a_pback = np.array(p_back)
        self.a_otok = np.array(otok, i64)
        self.a_nstate = np.array(nstate, i64)
        self.a_alt_off = np.array(alt_off + [0] * (len(strings) - len(alt_off)), i64)
        self.a_alt_cnt = np.array(alt_cnt + [0] * (len(strings) - len(alt_cnt)), i64)
        self.a_alt_flat = np.array(alt_flat or [0], i64)
        self.a_isnum = np.array([t in numbers for t in occ])

    def _walks(self, gen: np.random.Generator, n: int, min_words: int, max_run: int) -> tuple[np.ndarray, np.ndarray]:
        """n walks at once; the accepted ones as (occurrence ids, lengths), in walker order."""
        width = self.MAX_WORDS + 1
        out = np.zeros((n, width), np.int64)
        rows = np.arange(n)
        state = np.full(n, self.start)
        cur = np.full(n, -1)
        junc = np.zeros(n, np.int64)
        run = np.zeros(n, np.int64)
        longest = np.zeros(n, np.int64)
        got_rows, got_lens = [], []
        flat, off, cnt, pback, otok, nstate = (
            self.a_flat,
            self.a_off,
            self.a_cnt,
            self.a_pback,
            self.a_otok,
            self.a_nstate,
        )
        for t in range(width):
            if not rows.size:
                break
            u = gen.random((2, rows.size))
            back = (u[0] < pback[state]).astype(np.int64)
            o = flat[off[back, state] + (u[1] * cnt[back, state]).astype(np.int64)]
            j = (cur >= 0) & (o != cur + 1) & (otok[o] != otok[cur + 1])
            junc += j
            run[j] = 0
            cur = o
            state = nstate[o]
            ended = state < 0
            if t >= min_words and ended.any():  # these walks have t words
                ok = ended & (junc >= self.min_junctions) & (longest <= max(5, int(0.6 * t)))
                got_rows.append(rows[ok])
                got_lens.append(np.full(int(ok.sum()), t))
            run += 1
            np.maximum(longest, run, out=longest)
            keep = ~ended & (longest <= max_run)
            out[rows, t] = o
            rows, state, cur, junc, run, longest = (
                rows[keep],
                state[keep],
                cur[keep],
                junc[keep],
                run[keep],
                longest[keep],
            )
        r = np.concatenate(got_rows) if got_rows else np.zeros(0, np.int64)
        lens = np.concatenate(got_lens) if got_rows else np.zeros(0, np.int64)
        order = np.argsort(r, kind="stable")
        return out[r[order]], lens[order]

    def batch(
        self, gen: np.random.Generator, n: int, min_words: int = 8, max_run: int | None = None
    ) -> list[list[str]]:
        """Word lists of the accepted walks among n, words swapped and numbers redrawn."""
        walks, lens = self._walks(gen, n, min_words, self.max_run if max_run is None else max_run)
        if not lens.size:
            return []
        mask = np.arange(walks.shape[1])[None, :] < lens[:, None]
        o = walks[mask]
        ids = self.a_otok[o]
        u = gen.random((3, o.size))
        cnt = self.a_alt_cnt[ids]
        swap = (cnt > 0) & (u[0] < self.swap)
        alt = self.a_alt_flat[self.a_alt_off[ids] + (u[1] * cnt).astype(np.int64)]
        ids = np.where(swap, alt, ids)
        strings = self.strings
        words = [strings[i] for i in ids.tolist()]
        for pos in np.flatnonzero(self.a_isnum[o] & ~swap).tolist():
            words[pos] = self._number(words[pos], float(u[2, pos]))
        out, start = [], 0
        for n_words in lens.tolist():
            out.append(words[start : start + n_words])
            start += n_words
        return out

    def _number(self, tok: str, u: float) -> str:
        pre, core, post = self.numbers[tok]
        n = len(core)
        v = int(core)
        if n == 4 and 1900 <= v <= 2030:
            new = 1995 + int(u * 30)
        elif n == 1:
            new = 1 + int(u * 9)
        elif n == 2:
            new = 10 + int(u * 19)  # 10-28: still a plausible day of the month
        else:
            lo = 10 ** (n - 1)
            new = lo + int(u * (9 * lo))
        return f"{pre}{new}{post}"


def capitalise(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1 :]
    return s


def balance(s: str) -> str:
    """Drop quote and bracket characters that do not pair up."""
    for o, c in (("“", "”"), ("«", "»"), ("(", ")")):
        if (o in s or c in s) and s.count(o) != s.count(c):
            s = s.replace(o, "").replace(c, "")
    if s.count('"') % 2:
        s = s.replace('"', "")
    return s.replace("  ", " ").strip()


def finish_sentence(s: str) -> str:
    s = s.rstrip(' .,;:!?"»”)(—–-')
    s = balance(s).rstrip(" ,;:—–-")
    return capitalise(s) + "."


class Sentences:
    """Fresh sentences (and headlines) of one language, sentences generated in batches.

    A sentence is never handed out twice (a 2**27-bit CRC-32 filter rejects repeats;
    its rare false hits only cost a little text), so paragraphs share no sentence.
    Leads open with a sentence of their own kind (see LEAD_MIN_WORDS).
    """

    BATCH = 8192

    def __init__(self, model: TextModel, seed: int, rng: random.Random) -> None:
        self.model = model
        self.gen = np.random.Generator(np.random.PCG64(seed))
        self.rng = rng
        self.seen = bytearray(1 << 24)
        self.ready: list[str] = []
        self.ready_leads: list[str] = []
        self.headlines = Headlines(model.lang)

    def _fill(self, lead: bool) -> list[str]:
        seen = self.seen
        fresh = []
        if lead:
            batch = self.model.batch(self.gen, self.BATCH, LEAD_MIN_WORDS, LEAD_MAX_RUN)
        else:
            batch = self.model.batch(self.gen, self.BATCH)
        for words in batch:
            s = finish_sentence(" ".join(words))
            h = zlib.crc32(s.encode()) & 0x7FFFFFF
            byte, bit = h >> 3, 1 << (h & 7)
            if seen[byte] & bit:
                continue
            seen[byte] |= bit
            fresh.append(s)
        fresh.reverse()  # pop() from the end hands them out in generation order
        return fresh

    def take(self, k: int) -> list[str]:
        out = []
        for _ in range(k):
            tries = 0
            while not self.ready:
                self.ready = self._fill(False)
                tries += 1
                if tries > 50:
                    raise RuntimeError(f"the {self.model.lang} source text is too small to make new sentences")
            out.append(self.ready.pop())
        return out

    def take_lead(self) -> str:
        tries = 0
        while not self.ready_leads:
            self.ready_leads = self._fill(True)
            tries += 1
            if tries > 50:  # a source too small for such sentences: any sentence will do
                return self.take(1)[0]
        return self.ready_leads.pop()

    def title(self, used: set[str]) -> str:
        """A headline not used before."""
        for _ in range(1000):
            t = self.headlines.make(self.rng)
            if t not in used:
                used.add(t)
                return t
        raise RuntimeError("could not make a unique title")


# ---------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------

MONTHS_EN = "January February March April May June July August September October November December".split()
MONTHS_RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()


def fmt_date(d: dt.date, fmt: str, nbsp: bool = False, author: str = "") -> str:
    if fmt == "dot":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if fmt == "iso":
        return d.isoformat()
    if fmt == "mdy":
        return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
    if fmt == "dmy":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    if fmt == "ru":
        return f"{d.day} {MONTHS_RU[d.month - 1]} {d.year}{NBSP if nbsp else ' '}г."
    if fmt == "ru_year":
        return f"{d.day} {MONTHS_RU[d.month - 1]} {d.year} года"
    if fmt == "posted":
        return f"Posted on {MONTHS_EN[d.month - 1]} {d.day}, {d.year} by {author}"
    raise ValueError(fmt)


# ---------------------------------------------------------------------------------
# Site chrome
# ---------------------------------------------------------------------------------

EN_PRE = "North South East West Ash Oak Elm Stone River Lake Bright Green Red Black White Fair Kings Mill Wood Harrow Lan Bel Cam Dun Ard Glen Thorn Hart Mar Wex Brad Carr Ast".split()
EN_SUF = (
    "ford bridge field ton ham wick mouth port dale bury stead wood haven vale minster gate by worth combe ley".split()
)
EN_PAPER = "Gazette Herald Courier Chronicle Observer Tribune Post Times Examiner Ledger Sentinel Advertiser".split()
EN_BODY = [
    "Water Authority",
    "Transport Agency",
    "Health Board",
    "Development Agency",
    "Planning Office",
    "Housing Trust",
]
EN_DOMAIN = [
    "Coastal Affairs",
    "Agriculture",
    "Education",
    "Digital Development",
    "Forestry",
    "Transport",
    "Culture",
    "Energy",
]
EN_INST = [
    "Coastal Research Station",
    "Institute of Marine Science",
    "Museum",
    "Botanic Garden",
    "Observatory",
    "Heritage Trust",
]
EN_FIRST = "Jane John Mary Peter Anna David Laura Michael Sarah James Emma Thomas Olivia Daniel Grace Omar Ruth Samuel Helen Mark Alice Robert Nina Paul".split()
EN_LAST = "Doe Smith Reyes Clarke Turner Hughes Patel Walsh Fraser Morgan Bennett Hayes Foster Gray Lawson Price Ellis Barker Quinn Murray Holt Palmer".split()
EN_NAV = [
    "Home",
    "About",
    "About us",
    "News",
    "Press releases",
    "Events",
    "Documents",
    "Contact",
    "Contacts",
    "Research",
    "Services",
    "Careers",
    "Media",
    "Publications",
    "Projects",
    "Our team",
    "Search",
    "Sitemap",
    "Archive",
    "Blog",
]
EN_TAGLINE = [
    "Official website",
    "News and announcements",
    "Field notes from the shoreline",
    "Independent local journalism",
    "Official news portal",
    "Serving the community since {y}",
    "Notes from the field",
    "Your daily local news",
]
EN_EXTRA = ["Version for the visually impaired", "Search", "Menu", "EN | FR | DE", "Accessibility", "Subscribe"]
EN_LABEL = ["Latest news", "Read also", "Related posts", "More news", "Recent posts", "News", "Most recent", "See also"]
EN_ALLNEWS = ["All news", "More news", "View all posts", "News archive »"]
EN_ENDLINKS = [
    ["Back to list"],
    ["« Back to news"],
    ["Share this:", "Twitter", "Facebook", "LinkedIn"],
    ["Print version"],
    ["Share:", "Facebook", "X", "Email"],
]
EN_GOBACK = [
    ["Go back", "Back to the section", "Back to the all news"],
    ["Go back"],
    ["Back to top"],
    ["« Previous page"],
]
EN_FOOT_EXTRA = [
    "Privacy policy | Terms of use",
    "All rights reserved.",
    "Subscribe to our newsletter to get new posts in your inbox.",
    "Materials may be reproduced with a link to the source.",
    "Cookie settings",
]
EN_STREETS = [
    "High Street",
    "Harbour Road",
    "Church Lane",
    "Station Road",
    "Mill Street",
    "Queen's Parade",
    "Market Square",
]

RU_PRE = [
    "Северо-",
    "Южно-",
    "Западно-",
    "Восточно-",
    "Ново",
    "Старо",
    "Верхне",
    "Нижне",
    "Бело",
    "Красно",
    "Светло",
    "При",
    "Средне",
]
RU_ROOT = [
    "уральск",
    "камск",
    "волжск",
    "озёрск",
    "реченск",
    "горск",
    "ладожск",
    "донск",
    "сибирск",
    "морск",
    "борск",
    "ярск",
    "дольск",
    "сосновск",
]
RU_DOMAIN = [
    "лесного комплекса",
    "образования",
    "сельского хозяйства",
    "транспорта и дорожного хозяйства",
    "здравоохранения",
    "культуры",
    "природных ресурсов и экологии",
    "социальной политики",
    "цифрового развития",
]
RU_FIRST_M = "Андрей Сергей Алексей Дмитрий Игорь Николай Павел Виктор Олег Михаил".split()
RU_FIRST_F = "Елена Ольга Наталья Татьяна Ирина Светлана Марина Анна Юлия Галина".split()
RU_LAST = "Колесников Смирнов Петров Волков Соколов Морозов Лебедев Никитин Зайцев Орлов Громов Белов".split()
RU_NAV = [
    "Главная",
    "О министерстве",
    "Деятельность",
    "Новости",
    "Документы",
    "Контакты",
    "Пресс-центр",
    "Обращения граждан",
    "Противодействие коррупции",
    "Госуслуги",
    "Структура",
    "Руководство",
    "Вакансии",
    "Фотогалерея",
    "Карта сайта",
    "Поиск",
]
RU_TAGLINE = ["Официальный сайт", "Официальный интернет-портал", "Новости и события", "Информационный портал"]
RU_EXTRA = ["Версия для слабовидящих", "Поиск по сайту", "RU | EN", "Перейти к содержимому"]
RU_LABEL = ["Последние новости", "Читайте также", "Новости", "Другие новости", "Актуально", "Лента новостей"]
RU_ALLNEWS = ["Все новости", "Архив новостей", "Смотреть все"]
RU_ENDLINKS = [
    ["Вернуться к списку"],
    ["Поделиться:", "ВКонтакте", "Одноклассники", "Telegram"],
    ["Версия для печати"],
    ["Назад к новостям"],
]
RU_GOBACK = [["Назад"], ["Вернуться назад", "Вернуться в раздел"], ["Наверх"]]
RU_FOOT_EXTRA = [
    "При использовании материалов ссылка на сайт обязательна",
    "Политика конфиденциальности",
    "Сайт работает в тестовом режиме",
    "Все права защищены.",
]
RU_STREETS = ["Ленина", "Советская", "Водопроводная", "Мира", "Гагарина", "Садовая", "Первомайская", "Заречная"]

TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh sch - y - e yu ya".split(),
    )
)


def translit(s: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) if ch in TRANSLIT else ch for ch in s.lower()).replace("-", "")


def person(rng: random.Random, lang: str) -> str:
    if lang == "en":
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    if rng.random() < 0.5:
        return f"{rng.choice(RU_FIRST_M)} {rng.choice(RU_LAST)}"
    return f"{rng.choice(RU_FIRST_F)} {rng.choice(RU_LAST)}а"


def phone_variants(rng: random.Random, lang: str, nbsp: bool) -> list[str]:
    if lang == "ru":
        code = str(rng.randint(3000, 8999))
        loc = f"{rng.randint(10, 99)}{rng.randint(10, 99)}{rng.randint(10, 99)}"
        a, b, c = loc[:2], loc[2:4], loc[4:]
        sp = NBSP if nbsp else " "
        forms = [
            f"+7{sp}({code}){sp}{a}-{b}-{c}",
            f"Тел.: +7 {code} {loc}",
            f"Телефон приёмной: 8 ({code}) {a}-{b}-{c}",
            f"8-{code}-{a}-{b}-{c}",
            f"+7 {code} {a} {b} {c}",
            f"Телефон: +7{code}{loc}",
        ]
    elif rng.random() < 0.5:
        area, x, y = rng.randint(20, 29), rng.randint(7000, 8999), rng.randint(1000, 9999)
        forms = [
            f"+44 {area} {x} {y}",
            f"Tel: +44 (0){area} {x} {y}",
            f"Phone: 0{area} {x} {y}",
            f"+44{area}{x}{y}",
            f"Tel. 0{area}-{x}-{y}",
        ]
    else:
        area, x, y = rng.randint(201, 989), rng.randint(200, 999), rng.randint(1000, 9999)
        forms = [
            f"+1 ({area}) {x}-{y}",
            f"Tel. {area}-{x}-{y}",
            f"Phone: +1 {area} {x} {y}",
            f"({area}) {x}-{y}",
            f"Call us: {area}.{x}.{y}",
        ]
    main = forms[0] if rng.random() < 0.6 else forms[rng.randrange(len(forms))]
    rest = [f for f in forms if f != main]
    rng.shuffle(rest)
    return [main, *rest[: rng.choice((0, 0, 1, 2))]]


class Site:
    """One site's fixed choices: language, chrome, layout, date format, teaser style."""

    def __init__(self, index: int, seed: int, used_names: set[str]) -> None:
        self.index = index
        self.name_dir = f"site_{index:03d}"
        self.lang = "ru" if index % 4 == 1 else "en"
        rng = self.rng = rng_for(seed, "site", index)
        en = self.lang == "en"
        self.start_year = rng.randint(2005, 2016)
        # -- name
        for attempt in range(100):
            name, place, slug = self._name(rng)
            if attempt >= 50:
                name = f"{name} {attempt}"
            if name not in used_names:
                break
        used_names.add(name)
        self.name = name
        tld = rng.choice(
            [".com", ".org", ".co.uk", ".net", ".gov.uk", ".news"] if en else [".ru", ".ru", ".org.ru", ".info"]
        )
        self.domain = f"{slug}{rng.choice(['', '-news', '-press', '-online', '-info', '-gov'])}{tld}"
        self.nbsp = (not en) and rng.random() < 0.4
        # -- header
        lines: list[str] = []
        if rng.random() < 0.2:
            lines.append("Skip to content" if en else "Перейти к содержимому")
        lines.append(self.name)
        if rng.random() < 0.5:
            lines.append(rng.choice(EN_TAGLINE if en else RU_TAGLINE).format(y=rng.randint(1890, 2004)))
        groups = ["\n".join(lines)]
        nav = rng.sample(EN_NAV if en else RU_NAV, rng.randint(4, 8))
        home = "Home" if en else "Главная"
        if home in nav:
            nav.remove(home)
        else:
            nav.pop()
        nav.insert(0, home)
        groups.append(" | ".join(nav) if rng.random() < 0.4 else "\n".join(nav))
        if rng.random() < 0.35:
            groups.append(rng.choice(EN_EXTRA if en else RU_EXTRA))
        if rng.random() < 0.45:
            sep = rng.choice([" / ", " » ", " > "])
            section = rng.choice(
                ["News", "Press releases", "Media centre"] if en else ["Пресс-центр", "Новости", "Медиацентр"]
            )
            crumbs = [home, section] + (
                [rng.choice(["Latest", "Archive"] if en else ["Новости", "Архив"])] if rng.random() < 0.5 else []
            )
            groups.append(("You are here: " if en and rng.random() < 0.3 else "") + sep.join(crumbs))
        self.header = "\n\n".join(groups)
        # -- dates and articles
        fmts = ["dot", "iso", "mdy", "dmy", "posted"] if en else ["dot", "iso", "ru"]
        weights = [3, 2, 3, 2, 2] if en else [4, 2, 4]
        self.date_fmt = rng.choices(fmts, weights)[0]
        self.authors = [person(rng, "en") for _ in range(rng.randint(2, 5))]
        self.title_gap = rng.random() < 0.5  # blank line between title and date
        self.p_title_repeat = rng.choice([0.0, 0.0, 0.0, 0.08, 0.08, 0.6])
        self.p_image = rng.choice([0.0, 0.1, 0.25, 0.5])
        self.end_links = rng.choice(EN_ENDLINKS if en else RU_ENDLINKS) if rng.random() < 0.5 else []
        # -- sidebar
        self.n_teasers = rng.randint(3, 5)
        self.sidebar_above = rng.random() < 0.35
        self.label = rng.choice(EN_LABEL if en else RU_LABEL)
        self.teaser_date = rng.random() < 0.7
        self.teaser_title = rng.random() < 0.5
        self.teaser_sentence = rng.random() < 0.25  # first sentence of the lead only
        self.all_news = rng.choice(EN_ALLNEWS if en else RU_ALLNEWS) if rng.random() < 0.5 else None
        self.edit_rate = rng.choice([0.0, 0.03, 0.06, 0.1])
        # -- footer (one rendering per phone variant)
        self.phones = phone_variants(rng, self.lang, self.nbsp)
        goback = rng.choice(EN_GOBACK if en else RU_GOBACK) if rng.random() < 0.5 else []
        press_person = person(rng, self.lang)
        press = rng.choice(
            [
                f"Press office: {press_person}",
                f"{self.name} Press Secretary {press_person}",
                f"Media enquiries: {press_person}",
                "Press office",
            ]
            if en
            else [
                f"Пресс-служба: {press_person}",
                f"Пресс-секретарь {press_person}",
                "Пресс-служба",
                "Отдел информационной политики",
            ]
        )
        user = rng.choice(["press", "info", "news", "media", "priemnaya" if not en else "office"])
        email = rng.choice(["E-mail: {e}", "Email: {e}", "{e}", "e-mail: {e}"]).format(e=f"{user}@{self.domain}")
        if en:
            addr = f"{rng.randint(1, 120)} {rng.choice(EN_STREETS)}, {place}"
        else:
            sp = NBSP if self.nbsp else " "
            addr = (
                f"{rng.randint(100000, 699999)}, г.{sp}{place}, ул. {rng.choice(RU_STREETS)}, д. {rng.randint(1, 99)}"
            )
        year = 2024
        copy = rng.choice(
            [
                f"© {self.start_year}–{year} {self.name}",
                f"© {year} {self.name}. All rights reserved.",
                f"Copyright © {year} {self.name}",
                f"© {year} {self.name} · Privacy policy",
            ]
            if en
            else [
                f"© {year} {self.name}",
                f"© {self.start_year}–{year} {self.name}. Все права защищены.",
                f"© {self.name}, {year}",
            ]
        )
        extras = rng.sample(EN_FOOT_EXTRA if en else RU_FOOT_EXTRA, rng.choice((0, 1, 1, 2)))
        contact_pre = [press] if rng.random() < 0.85 else []
        contact_post = [email] + ([addr] if rng.random() < 0.6 else [])
        self.footers = []
        footer_sep = "\n\n\n" if rng.random() < 0.5 else "\n\n"
        for ph in self.phones:
            parts = []
            if goback:
                parts.append("\n\n".join(goback))
            parts.append("\n".join([*contact_pre, ph, *contact_post]))
            parts.append("\n".join([copy, *extras]))
            self.footers.append(footer_sep.join(parts))
        self.footer_fixed = [*goback, *contact_pre, *contact_post, copy, *extras]
        self.phone_weights = (
            [0.85] + [0.15 / (len(self.phones) - 1)] * (len(self.phones) - 1) if len(self.phones) > 1 else [1.0]
        )
        self.final_newline = rng.random() < 0.8

    def _name(self, rng: random.Random) -> tuple[str, str, str]:
        if self.lang == "en":
            place = rng.choice(EN_PRE) + rng.choice(EN_SUF)
            kind = rng.randrange(7)
            name = [
                f"The {place} {rng.choice(EN_PAPER)}",
                f"{place} City Council",
                f"{place} Regional {rng.choice(EN_BODY)}",
                f"Ministry of {rng.choice(EN_DOMAIN)} of {place}",
                f"{place} {rng.choice(EN_INST)}",
                f"{place} Chamber of Commerce",
                f"{place} University News",
            ][kind]
            return name, place, place.lower()
        pre, root = rng.choice(RU_PRE), rng.choice(RU_ROOT)
        stem = pre + (root.capitalize() if pre.endswith("-") else root)
        kind = rng.randrange(6)
        name = [
            f"Министерство {rng.choice(RU_DOMAIN)} {stem}ого края",
            f"Администрация города {stem}а",
            f"Газета «{stem}ий вестник»",
            f"{stem}ий государственный университет",
            f"Министерство {rng.choice(RU_DOMAIN)} {stem}ой области",
            f"Управление культуры {stem}ого района",
        ][kind]
        return name, stem, translit(stem)

    def chrome_lines(self, phones_used: set[int]) -> list[str]:
        lines = [ln for ln in self.header.split("\n") if ln]
        lines.append(self.label)
        if self.all_news:
            lines.append(self.all_news)
        lines.extend(self.end_links)
        lines.extend(self.footer_fixed)
        lines.extend(self.phones[i] for i in sorted(phones_used))
        return list(dict.fromkeys(lines))


# ---------------------------------------------------------------------------------
# Headlines
# ---------------------------------------------------------------------------------
# Chain fragments are too alike to serve as titles (a corpus holds a title per
# article, and short near-identical lines would be taken for repeated chrome), so
# titles come from headline templates over the word lists above, with made-up places,
# people and numbers.

EN_BODIES = [
    "council",
    "county council",
    "hospital trust",
    "university",
    "police",
    "museum",
    "harbour authority",
    "water company",
    "school",
    "library",
    "chamber of commerce",
    "fire service",
    "health board",
    "transport agency",
    "college",
    "charity",
    "football club",
    "theatre",
    "housing association",
    "parish council",
]
EN_GROUPS = [
    "Residents",
    "Volunteers",
    "Farmers",
    "Students",
    "Firefighters",
    "Traders",
    "Councillors",
    "Scientists",
    "Parents",
    "Fishermen",
    "Nurses",
    "Engineers",
    "Researchers",
    "Pupils",
    "Campaigners",
]
EN_JOINS = [" as ", " as ", ", while ", "; ", " – ", " and "]
RU_VERBS_PL = (
    "завершили начали открыли обсудили утвердили представили провели запустили обновили отремонтировали "
    "подписали приняли объявили продлили расширили поддержали организовали оценили проверили подготовили "
    "разработали согласовали одобрили рассмотрели модернизировали реконструировали"
).split()
RU_FUTURE = [
    ("продолжится", "продолжатся"),
    ("начнётся", "начнутся"),
    ("завершится", "завершатся"),
    ("пройдёт", "пройдут"),
    ("откроется", "откроются"),
    ("появится", "появятся"),
    ("состоится", "состоятся"),
    ("стартует", "стартуют"),
]
RU_SUBJ_FEM = [
    "администрация {gen}",
    "комиссия",
    "делегация {gen}",
    "прокуратура {gen}",
    "полиция {gen}",
    "дума {region_gen}",
    "библиотека {gen}",
    "больница {gen}",
]
RU_SUBJ_PL = [
    "жители {gen}",
    "депутаты {region_gen}",
    "волонтёры",
    "специалисты",
    "школьники {gen}",
    "студенты",
    "аграрии района",
    "спасатели",
    "врачи {gen}",
    "предприниматели {gen}",
    "власти {gen}",
]
RU_NOUN_THINGS = (
    "проект объект центр конкурс фонд документ договор закон бюджет маршрут план комплекс форум контракт "
    "грант семинар турнир ремонт стандарт тариф сайт портал пункт институт"
).split()
RU_JOINS = [", ", ", ", " — ", "; ", ", а "]


def _pick(rng: random.Random, words: list[str]) -> str:
    return words[int(rng.random() * len(words))]


class Headlines:
    """Made-up news headlines of 6-16 words: two short clauses from templates, joined
    ("Ashford council approves new transport strategy as farmers warn of dry summer").
    A single clause has few enough fillings that, over 100k titles, many would be
    near-duplicates of one another; two independent clauses make that vanishingly rare.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        if lang == "en":
            self.nouns = [n for n in EN_NOUNS.split() if n not in EN_UNCOUNTABLE]
            self.verbs = EN_VERBS.split()
            self.adjs = EN_ADJ.split()
        else:
            self.adj_hard = _stems(RU_ADJ_HARD)
            self.adj_velar = _stems(RU_ADJ_VELAR)
            self.neut = [s + "е" for s in _stems(RU_NOUN_NIE)] + [s + "о" for s in _stems(RU_NOUN_STVO)]
            self.fem = _stems(RU_NOUN_IA)
            self.gen_pl = [s + "й" for s in _stems(RU_NOUN_NIE) + _stems(RU_NOUN_IA)] + [
                s + "ов" for s in RU_NOUN_THINGS
            ]

    def make(self, rng: random.Random) -> str:
        clause = self._en if self.lang == "en" else self._ru
        joins = EN_JOINS if self.lang == "en" else RU_JOINS
        while True:
            first, second = clause(rng, True), clause(rng, False)
            t = first + _pick(rng, joins) + second
            if 6 <= len(t.split()) <= 16:
                return t[0].upper() + t[1:]

    # -- English
    def _en(self, rng: random.Random, lead: bool) -> str:
        place = _pick(rng, EN_PRE) + _pick(rng, EN_SUF)
        adj, noun, verb = _pick(rng, self.adjs), _pick(rng, self.nouns), _pick(rng, self.verbs)
        kind = int(rng.random() * (8 if lead else 6))
        if kind == 0:
            return f"{place} {_pick(rng, EN_BODIES)} {_en_plural(verb)} {adj} {noun}"
        if kind == 1:
            return f"{adj} {noun} {_en_past(verb)} in {place}"
        if kind == 2:
            return f"{_pick(rng, EN_GROUPS).lower()} in {place} {verb} {adj} {_en_plural(noun)}"
        if kind == 3:
            return f"{rng.randint(3, 950)} {_en_plural(noun)} {_en_past(verb)} in {place}"
        if kind == 4:
            return f"{person(rng, 'en')} to {verb} {adj} {noun}"
        if kind == 5:
            return f"{_pick(rng, EN_GROUPS).lower()} {verb} {adj} {_en_plural(noun)}"
        if kind == 6:
            return f"{place}: {adj} {noun} {_en_past(verb)}"
        return f"{place} {_pick(rng, EN_BODIES)} {_en_plural(verb)} {rng.randint(2, 90)}.{rng.randint(1, 9)} million for {_en_plural(noun)}"

    # -- Russian
    def _adj(self, rng: random.Random, hard_end: str, velar_end: str) -> str:
        if rng.random() < 0.75:
            return _pick(rng, self.adj_hard) + hard_end
        return _pick(rng, self.adj_velar) + velar_end

    def _np_acc(self, rng: random.Random) -> str:
        k = rng.random()
        if k < 0.4:
            return f"{self._adj(rng, 'ое', 'ое')} {_pick(rng, self.neut)}"
        if k < 0.75:
            return f"{self._adj(rng, 'ую', 'ую')} {_pick(rng, self.fem)}ю"
        return f"{self._adj(rng, 'ые', 'ие')} {_pick(rng, RU_NOUN_THINGS)}ы"

    def _ru(self, rng: random.Random, lead: bool) -> str:
        stem, root = _pick(rng, RU_PRE), _pick(rng, RU_ROOT)
        city = stem + (root.capitalize() if stem.endswith("-") else root)
        fill = {"gen": city + "а", "region_gen": city + "ой области"}
        verb = _pick(rng, RU_VERBS_PL)
        kind = int(rng.random() * (6 if lead else 5))
        if kind == 0:
            t = f"в {city}е {verb} {self._np_acc(rng)}"
        elif kind == 1:
            t = f"{_pick(rng, RU_SUBJ_PL).format(**fill)} {verb} {self._np_acc(rng)}"
        elif kind == 2:
            t = f"{_pick(rng, RU_SUBJ_FEM).format(**fill)} {verb[:-1]}а {self._np_acc(rng)}"
        elif kind == 3:
            sg, pl = _pick(rng, RU_FUTURE)
            k = rng.random()
            if k < 0.4:
                t = f"{self._adj(rng, 'ое', 'ое')} {_pick(rng, self.neut)} {sg} в {city}е"
            elif k < 0.75:
                t = f"{self._adj(rng, 'ая', 'ая')} {_pick(rng, self.fem)}я {sg} в {city}е"
            else:
                t = f"{self._adj(rng, 'ые', 'ие')} {_pick(rng, RU_NOUN_THINGS)}ы {pl} в {city}е"
        elif kind == 4:
            while True:
                n = rng.randint(5, 990)
                if n % 10 in (0, 5, 6, 7, 8, 9) or 11 <= n % 100 <= 14:
                    break
            t = f"в {city}е {verb} {n} {self._adj(rng, 'ых', 'их')} {_pick(rng, self.gen_pl)}"
        else:
            sg, _ = _pick(rng, RU_FUTURE)
            return f"{city}ая область: {self._adj(rng, 'ая', 'ая')} {_pick(rng, self.fem)}я {sg}"
        return t if t[0].isupper() or lead else t[0].lower() + t[1:]


# ---------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------


def page_path(site: Site, page: int) -> str:
    return f"{site.name_dir}/{page // PAGES_PER_SHARD:04d}/p{page:06d}.txt"


def plan_site(rng: random.Random, n_pages: int):
    """Page kinds: (first_article, n_articles) for an original, (-1, target_page) for a copy."""
    plan: list[tuple[int, int]] = []
    originals: list[int] = []
    n_articles = 0
    for p in range(n_pages):
        if originals and rng.random() < DUP_RATE:
            plan.append((-1, rng.choice(originals)))
        else:
            na = 1 if rng.random() >= LISTING_RATE else rng.randint(2, 3)
            plan.append((n_articles, na))
            originals.append(p)
            n_articles += na
    return plan, n_articles


class FileNames:
    """Image and attachment file names, unique over the whole corpus."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, rng: random.Random, lang: str, d: dt.date) -> str:
        for attempt in range(20):
            big = attempt >= 5
            n = rng.randint(100, 99999 if big else 9999)
            k = rng.randrange(6)
            if lang == "en":
                name = [
                    f"IMG_{n:04d}.jpg",
                    f"DSC{n:05d}.JPG",
                    f"photo {d.isoformat()}{'' if attempt == 0 else f' ({attempt})'}.jpeg",
                    f"Annex {rng.randint(1, 9)} to report {n}.pdf",
                    f"Screenshot {d.isoformat()} at {rng.randint(8, 19)}.{rng.randint(10, 59)}.{rng.randint(10, 59)}.png",
                    f"press_release_{d.year}_{n}.pdf",
                ][k]
            else:
                name = [
                    f"Приказ № {n}.pdf",
                    f"IMG_{n:04d}.JPG",
                    f"фото {d.isoformat()}{'' if attempt == 0 else f' ({attempt})'}.jpeg",
                    f"Постановление № {n} от {d.day:02d}.{d.month:02d}.{d.year}.docx",
                    f"Приложение {rng.randint(1, 9)} к приказу № {n}.pdf",
                    f"Презентация {n}.pptx",
                ][k]
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("could not make a unique file name")


class Generator:
    def __init__(self, args: argparse.Namespace, models: dict) -> None:
        self.out: Path = args.out
        self.seed: int = args.seed
        self.models = models
        self.sentences = {
            lang: Sentences(m, rng_for(args.seed, "numpy", lang).getrandbits(64), rng_for(args.seed, "titles", lang))
            for lang, m in models.items()
        }
        self.titles_used: set[str] = set()
        self.files = FileNames()
        self.total_bytes = 0

    # -- articles -------------------------------------------------------------------

    def site_dates(self, site: Site, rng: random.Random, n: int) -> list[dt.date]:
        start = dt.date(site.start_year, 1, 1).toordinal() + rng.randrange(365)
        start = max(FIRST_DAY, min(start, LAST_DAY - 800))
        end = rng.randint(max(start + 730, LAST_DAY - 1500), LAST_DAY)
        end = min(end, LAST_DAY)
        days = sorted(rng.randint(start, end) for _ in range(n))
        return [dt.date.fromordinal(x) for x in days]

    # -- one site ---------------------------------------------------------------------

    def run_site(self, site: Site, n_pages: int, truth) -> None:
        rng = site.rng
        en = site.lang == "en"
        plan, n_articles = plan_site(rng, n_pages)
        dates = self.site_dates(site, rng, n_articles)
        stream = self.sentences[site.lang]
        model = self.models[site.lang]
        # who shows what
        dups_of: dict[int, list[int]] = collections.defaultdict(list)
        first_page: dict[int, int] = {}
        for p, (a, x) in enumerate(plan):
            if a < 0:
                dups_of[x].append(p)
            else:
                first_page[a] = p
        keep_text = set(dups_of)  # pages copied later: keep their bytes
        kept: dict[int, bytes] = {}
        recent: dict[int, tuple] = {}  # article -> (date or None, title, lead, first sentence)
        phones_used: set[int] = set()
        k = site.n_teasers
        sep_block = "\n\n\n"
        readmore = [" Read more", " … Read more", " Read more »"] if en else [" Подробнее", " Подробнее…"]
        views = "Views" if en else "Просмотров"
        other_fmts = ["dot", "iso", "mdy", "dmy"] if en else ["dot", "iso", "ru", "ru_year"]
        teaser_fmt = "mdy" if site.date_fmt == "posted" else site.date_fmt
        shard_dirs: set[Path] = set()

        for p, (a0, na) in enumerate(plan):
            path = page_path(site, p)
            if a0 < 0:
                data = kept[na]
                self.write(path, data, shard_dirs)
                continue
            # ---- articles on this page
            article_texts = []
            for a in range(a0, a0 + na):
                title = stream.title(self.titles_used)
                d = dates[a]
                has_date = rng.random() >= NO_DATE_RATE
                n_par = rng.choices(PARAGRAPHS, cum_weights=PARAGRAPHS_CUM)[0]
                counts = rng.choices(SENTENCES, cum_weights=SENTENCES_CUM, k=n_par)
                counts[0] = rng.choices(LEAD_SENTENCES, cum_weights=LEAD_CUM)[0]
                # the lead opens with a long sentence: some teasers show it alone
                sentences = [[stream.take_lead(), *stream.take(counts[0] - 1)]] + [stream.take(c) for c in counts[1:]]
                paragraphs = [" ".join(s) for s in sentences]
                first_sentence = sentences[0][0]
                lines = [title]
                if has_date:
                    if rng.random() < site.p_title_repeat:
                        rep_fmt = "dot" if site.date_fmt == "posted" else site.date_fmt
                        lines.append(("\n" if site.title_gap else "") + f"{title} {fmt_date(d, rep_fmt, site.nbsp)}")
                    else:
                        ds = fmt_date(d, site.date_fmt, site.nbsp, rng.choice(site.authors))
                        lines.append(("\n" if site.title_gap else "") + ds)
                head = "\n".join(lines)
                body = list(paragraphs)
                if site.p_image and rng.random() < site.p_image:
                    for _ in range(1 if rng.random() < 0.8 else 2):
                        body.insert(rng.randint(1, len(body)), self.files.make(rng, site.lang, d))
                article_texts.append(head + "\n\n" + "\n\n".join(body))
                recent[a] = (d if has_date else None, title, paragraphs[0], first_sentence)
                recent.pop(a - k - 3, None)
                # truth
                pages = [path] + [page_path(site, q) for q in dups_of.get(p, ())]
                teaser_pages = []
                for f in range(a + 1, a + k + 1):
                    q = first_page.get(f)
                    if q is not None:
                        teaser_pages.append(q)
                        teaser_pages.extend(dups_of.get(q, ()))
                rec = {
                    "type": "article",
                    "site": site.name_dir,
                    "id": f"a{a:06d}",
                    "title": title,
                    "date": d.isoformat() if has_date else None,
                    "paragraphs": paragraphs,
                    "pages": pages,
                    "teaser_pages": [page_path(site, q) for q in sorted(teaser_pages)],
                }
                truth.write(json.dumps(rec, ensure_ascii=False) + "\n")
            articles = sep_block.join(article_texts)
            if site.end_links:
                articles += "\n\n" + "\n".join(site.end_links)
            # ---- sidebar
            sidebar = None
            if a0 > 0:
                teasers = []
                for t in range(a0 - 1, max(-1, a0 - 1 - k), -1):
                    td, ttitle, lead, first = recent[t]
                    text = first if site.teaser_sentence else lead
                    date_line = fmt_date(td, teaser_fmt, site.nbsp) if (site.teaser_date and td is not None) else None
                    if site.edit_rate and rng.random() < site.edit_rate:
                        kind = rng.randrange(4)
                        if kind == 3 and date_line is not None:
                            date_line = fmt_date(td, rng.choice([f for f in other_fmts if f != teaser_fmt]), site.nbsp)
                        elif kind == 2:
                            text = change_word(text, model, rng) or text + rng.choice(readmore)
                        elif kind == 1:
                            text = f"{text} {views}: {rng.randint(12, 25000)}"
                        else:
                            text = text + rng.choice(readmore)
                    parts = []
                    if date_line:
                        parts.append(date_line)
                    if site.teaser_title:
                        parts.append(ttitle)
                    parts.append(text)
                    teasers.append("\n".join(parts))
                sidebar = site.label + "\n\n" + "\n\n".join(teasers)
                if site.all_news:
                    sidebar += "\n\n" + site.all_news
            # ---- page
            blocks = [site.header]
            if sidebar and site.sidebar_above:
                blocks.append(sidebar)
            blocks.append(articles)
            if sidebar and not site.sidebar_above:
                blocks.append(sidebar)
            variant = rng.choices(range(len(site.phones)), site.phone_weights)[0] if len(site.phones) > 1 else 0
            phones_used.add(variant)
            blocks.append(site.footers[variant])
            if rng.random() < 0.06:
                text = ""
                for i, b in enumerate(blocks):
                    if i:
                        text += "\n\n\n\n" if rng.random() < 0.3 else sep_block
                    text += b
            else:
                text = sep_block.join(blocks)
            if site.final_newline:
                text += "\n"
            data = text.encode("utf-8")
            if p in keep_text:
                kept[p] = data
            self.write(path, data, shard_dirs)
        truth.write(
            json.dumps(
                {"type": "chrome", "site": site.name_dir, "lines": site.chrome_lines(phones_used)}, ensure_ascii=False
            )
            + "\n"
        )

    def write(self, rel: str, data: bytes, shard_dirs: set[Path]) -> None:
        path = self.out / rel
        parent = path.parent
        if parent not in shard_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            shard_dirs.add(parent)
        with open(path, "wb") as f:
            f.write(data)
        self.total_bytes += len(data)


def change_word(text: str, model: TextModel, rng: random.Random) -> str | None:
    words = text.split(" ")
    positions = [i for i in range(1, len(words) - 1) if words[i] in model.alts]
    if not positions:
        return None
    i = rng.choice(positions)
    words[i] = rng.choice(model.alts[words[i]])
    return " ".join(words)


def site_sizes(rng: random.Random, sites: int, pages: int) -> list[int]:
    """Uneven page counts (weights 0.5-1.5), each site at least one page, summing to pages."""
    weights = [0.5 + rng.random() for _ in range(sites)]
    total = sum(weights)
    spare = pages - sites
    raw = [w / total * spare for w in weights]
    sizes = [1 + int(x) for x in raw]
    rest = pages - sum(sizes)
    order = sorted(range(sites), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order[:rest]:
        sizes[i] += 1
    return sizes


# ---------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------


def prepare_out(out: Path) -> None:
    """Create OUT, or empty it if it holds an earlier corpus (only site_NNN/, truth.jsonl
    and manifest.json); refuse a folder holding anything else."""
    if out.exists() and not out.is_dir():
        raise OSError(f"{out} is not a folder")
    entries = sorted(out.iterdir()) if out.exists() else []
    ours = [e for e in entries if e.name in ("truth.jsonl", "manifest.json") or re.fullmatch(r"site_\d{3,}", e.name)]
    if len(ours) != len(entries):
        raise OSError(f"{out} holds files that are not a generated corpus; choose an empty or new folder")
    for e in ours:
        if e.is_dir():
            shutil.rmtree(e)
        else:
            e.unlink()
    out.mkdir(parents=True, exist_ok=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="make_corpus.py",
        description="Generate a deterministic synthetic scraped web crawl (one UTF-8 text file per page, "
        "sites as folders, pages sharded by 1000) plus OUT/truth.jsonl (articles and chrome lines) and "
        "OUT/manifest.json, to benchmark corpus-clean. See the module docstring for the layout, traps and "
        "truth format.",
    )
    ap.add_argument(
        "out",
        metavar="OUT",
        type=Path,
        help="output folder: created, or emptied if it holds an earlier corpus (site_NNN/, truth.jsonl, manifest.json and nothing else; any other content is refused)",
    )
    ap.add_argument("--pages", type=int, required=True, help="total number of pages over all sites (>= 1)")
    ap.add_argument(
        "--sites", type=int, default=None, help="number of sites (default: max(1, PAGES // 500)); at most PAGES"
    )
    ap.add_argument(
        "--seed", type=int, default=1, help="random seed; the same arguments give byte-identical output (default: 1)"
    )
    ap.add_argument(
        "--source",
        action="append",
        default=None,
        metavar="PATH",
        help="text file or folder of *.txt to build the Markov chains from (repeatable). Default: "
        "/work/shared/seeds (or seeds/ in the project), tests/data/site_news_ru, tests/data/site_blog_en "
        "and /work/shared/bench if present",
    )
    ap.add_argument(
        "--no-builtin-text",
        action="store_true",
        help="build the chains from the source pages only, without the built-in supplementary news "
        "prose (the text then repeats far more: for testing the generator, not for benchmarks)",
    )
    args = ap.parse_args(argv)
    if args.pages < 1:
        ap.error("--pages must be >= 1")
    if args.sites is None:
        args.sites = max(1, args.pages // 500)
    if not 1 <= args.sites <= args.pages:
        ap.error("--sites must be between 1 and --pages")
    return args


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    args = parse_args(argv)
    sources = args.source
    if sources is None:
        sources = list(DEFAULT_SOURCES)
        if not Path(sources[0]).is_dir():
            sources[0] = FALLBACK_SEEDS
    prose = load_prose(source_files(sources))
    if not args.no_builtin_text:
        prose["en"].extend(p for p in EN_SUPPLEMENT.split("\n\n") if p.strip())
        prose["ru"].extend(p for p in RU_SUPPLEMENT.split("\n\n") if p.strip())
    sizes = site_sizes(rng_for(args.seed, "sizes"), args.sites, args.pages)
    used_names: set[str] = set()
    sites = [Site(i, args.seed, used_names) for i in range(args.sites)]
    pages_by_lang = collections.Counter()
    for s, n in zip(sites, sizes):
        pages_by_lang[s.lang] += n
    models = {}
    for lang in sorted(pages_by_lang):
        if not prose[lang]:
            print(f"make_corpus: no {lang} source text found in {sources}", file=sys.stderr)
            return 2
        models[lang] = TextModel(
            lang, prose[lang], backoff=BACKOFF[lang], swap=SWAP[lang], extra=extra_vocabulary(lang)
        )
    try:
        prepare_out(args.out)
    except OSError as e:
        print(f"make_corpus: {e}", file=sys.stderr)
        return 2
    gen = Generator(args, models)
    try:
        with open(args.out / "truth.jsonl", "w", encoding="utf-8", newline="\n") as truth:
            for site, n in zip(sites, sizes):
                gen.run_site(site, n, truth)
    except RuntimeError as e:
        print(f"make_corpus: {e}", file=sys.stderr)
        return 1
    manifest = {
        "sites": args.sites,
        "pages": args.pages,
        "seed": args.seed,
        "bytes": gen.total_bytes,
        "generator_version": GENERATOR_VERSION,
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    secs = time.perf_counter() - t0
    print(
        f"make_corpus: {args.pages} pages, {args.sites} sites, {gen.total_bytes / 1e6:.1f} MB in {secs:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
