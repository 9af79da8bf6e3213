"""The batched language detector answers exactly what py3langid answers, text by text."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import py3langid
import pytest
from conftest import seed_texts

from corpus_clean.text import lang

DATA = Path(__file__).parent / "data"


def reference(text: str) -> str | None:
    """What `detect_language` meant before it was batched: py3langid on the sample."""
    if len(text) < lang.MIN_CHARS:
        return None
    code = py3langid.classify(text[: lang.SAMPLE_CHARS])[0]
    return None if code == "zxx" else code


def corpus_lines() -> list[str]:
    lines = [line for text in seed_texts().values() for line in text.splitlines() if line.strip()]
    for path in sorted(DATA.glob("site_*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines += [line for line in text.splitlines() if line.strip()]
    return lines


def edge_texts() -> list[str]:
    return [
        "",
        "short",
        "x" * 19,
        "x" * 20,
        "ВСЕ ЗАГЛАВНЫМИ БУКВАМИ, КАК В ЗАГОЛОВКЕ НОВОСТИ",  # py3langid lowers all-caps texts
        "12345 67890 12345 67890 12345",  # no linguistic content
        "!!!! ???? .... ,,,, ;;;; ::::",
        "中文的句子很长很长很长很长很长很长很长很长很长",
        "Arabic: مرحبا بكم في موقعنا الإخباري الجديد اليوم",
        "a lone surrogate \udce9 inside an English sentence about the news",
        "e\u0301 combining accents (NFC-normalised by py3langid) in a French phrase: été déjà",
        "word " * 300,  # longer than the sample
        " " * 30,  # no feature at all: py3langid's floor scores
        "\x01\x02" * 15,
        "\U0001f600" * 20,
    ]


@pytest.mark.parametrize("batch", [lang.BATCH_TEXTS, 50])
def test_batch_equals_py3langid_text_by_text(batch, monkeypatch):
    monkeypatch.setattr(lang, "BATCH_TEXTS", batch)
    texts = corpus_lines() + edge_texts()
    rng = random.Random(7)
    # lines joined as articles are: several paragraphs, varied lengths, mixed scripts
    texts += ["\n\n".join(rng.sample(texts, rng.randint(2, 6))) for _ in range(300)]
    expected = [reference(t) for t in texts]
    assert lang.detect_languages(texts) == expected
    assert {"en", "ru"} <= set(expected)  # the corpus really has both languages
    # in small batches, and alone, the answers do not change
    small = [code for i in range(0, len(texts), 7) for code in lang.detect_languages(texts[i : i + 7])]
    assert small == expected
    assert [lang.detect_language(t) for t in texts[:200]] == expected[:200]


def test_empty_batch_and_all_short():
    assert lang.detect_languages([]) == []
    assert lang.detect_languages(["", "abc"]) == [None, None]


@pytest.mark.parametrize("text", edge_texts())
def test_edge_texts(text):
    assert lang.detect_language(text) == reference(text)


def test_falls_back_to_py3langid_when_its_internals_differ(monkeypatch):
    monkeypatch.setattr(lang, "_model", lambda: None)
    texts = corpus_lines()[:50]
    assert lang.detect_languages(texts) == [reference(t) for t in texts]


# Common words of languages py3langid tells apart by little (made-up mixes of them give
# near ties), and of other scripts.
CLOSE_WORDS = {
    "es": "el la de que y en los del se las por un para con no una su al lo como más pero sus le ya este porque esta entre cuando muy sin sobre también hasta hay donde desde todo nos durante todos uno les ni contra otros ese eso ante ellos esto antes algunos unos otro otras otra tanto esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo ciudad gobierno",
    "pt": "o a de que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das tem seu sua ou ser quando muito há nos já está eu também só pelo pela até isso ela entre era depois sem mesmo aos ter seus quem nas esse eles estão você tinha foram essa num nem suas meu minha têm numa pelos elas havia seja qual será nós cidade governo",
    "cs": "a v se na je že to s z do o k i jako ale by po jsou tak jak pro od jeho které už jen ve si má nebo byl když být bude mezi při podle této jsem také roku další více let než ještě město vláda",
    "sk": "a v sa na je že to s z do o k i ako ale by po sú tak ako pre od jeho ktoré už len vo si má alebo bol keď byť bude medzi pri podľa tejto som tiež roku ďalšie viac rokov než ešte mesto vláda",
    "no": "og i det er som en på til av for å med har de ikke den et var jeg om men fra vi seg kan hadde ble så sier etter han skal også eller mot nå at byen regjeringen",
    "da": "og i det er som en på til af for at med har de ikke den et var jeg om men fra vi sig kan havde blev så siger efter han skal også eller mod nu byen regeringen",
    "id": "yang dan di itu dengan untuk tidak ini dari dalam akan pada juga saya ke karena tersebut bisa ada mereka lebih kata sudah atau kota pemerintah",
    "ms": "yang dan di itu dengan untuk tidak ini dari dalam akan pada juga saya ke kerana tersebut boleh ada mereka lebih kata sudah atau bandar kerajaan",
    "ru": "и в не на что с по как это он из за то от для его так но все она мы уже был город правительство сказал году",
    "uk": "і в не на що з по як це він із за то від для його так але все вона ми вже був місто уряд сказав році",
    "bg": "и в не на че с по как това той от за то от за неговия така но всички тя ние вече беше град правителство каза година",
    "fa": "و در به از که این را با است برای آن یک تا شهر دولت گفت سال",
    "ar": "و في من على أن هذا إلى مع هو عن كان المدينة الحكومة قال عام",
    "zh": "的 一 是 在 不 了 有 和 人 这 中 大 为 上 个 国 我 以 要 他 城市 政府 说 年",
    "ja": "の に は を た が で て と し れ さ ある いる も する から な こと として 市 政府 年",
}
CLOSE_PAIRS = [
    ("es", "pt"),
    ("cs", "sk"),
    ("no", "da"),
    ("id", "ms"),
    ("ru", "uk"),
    ("uk", "bg"),
    ("fa", "ar"),
    ("zh", "ja"),
]
#: Mixes found (by a search over such mixes) to be near ties: py3langid's two best
#: languages within a thousandth of each other.
NEAR_TIES = [
    "dan tidak ke itu bisa akan itu kerana lebih untuk dari sudah dan itu dan lebih",
    "k to od než má z tak této jeho by k je je alebo jeho také a",
    "de ikke eller en vi har på en sig skal en å eller å",
    "på siger på eller byen fra er og vi ble et også de",
    "které už ale ale je viac roku",
    "itu pada juga boleh dari tersebut pemerintah lebih di akan atau",
]


def close_mixes(count: int = 1200, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        a, b = rng.choice(CLOSE_PAIRS)
        share = rng.random()
        words = [rng.choice(CLOSE_WORDS[a if rng.random() < share else b].split()) for _ in range(rng.randint(4, 60))]
        texts.append((" " if a not in ("zh", "ja") or rng.random() < 0.5 else "").join(words))
    return texts


def test_close_languages_and_near_ties_equal_py3langid():
    texts = close_mixes() + NEAR_TIES
    lang.detect_language("a text that loads the model")
    model = lang._model()
    before = model.exact
    assert lang.detect_languages(texts) == [reference(t) for t in texts]
    # the near ties are too close for the float32 scores: scored as py3langid scores
    assert model.exact - before >= len(NEAR_TIES)
    assert len({reference(t) for t in texts}) >= 12  # the mixes really span the languages


def py3langid_scores(text: str) -> np.ndarray:
    """py3langid's raw score of each class (before it folds aliased labels)."""
    identifier = py3langid.langid._get_identifier()
    return identifier._raw_score(identifier._encode(text[: lang.SAMPLE_CHARS])).astype(np.float64)


def test_scores_are_within_the_bound_of_py3langid():
    """The error bound the batch relies on, held against py3langid's own scores."""
    texts = [t for t in close_mixes(300) + NEAR_TIES + corpus_lines()[:300] if len(t) >= lang.MIN_CHARS]
    lang.detect_language("a text that loads the model")
    model = lang._model()
    encoded = [model.identifier._encode(t[: lang.SAMPLE_CHARS]) for t in texts]
    features, owners = model._walk(encoded, lang.PIECE_BYTES)
    scores, bound = model._scores(features, owners, len(texts))
    for text, mine, limit in zip(texts, scores, bound):
        assert limit > 0
        # each within `bound` of the true scores, so within twice it of each other
        assert np.abs(mine - py3langid_scores(text)).max() <= 2 * limit, text


def test_log1p_is_as_close_as_the_bound_assumes():
    counts = np.arange(1, 70_000, dtype=np.float32)
    for lo in (0, 1, 3):  # whatever the array's length and alignment
        values = np.log1p(counts[lo:])
        exact = np.log1p(counts[lo:].astype(np.float64))
        assert (np.abs(values - exact) <= lang._LOG1P_ULPS * lang._UNIT_ROUNDOFF * exact).all()
    assert np.log1p(np.float32(5.0)) == np.log1p(np.array([5.0], dtype=np.float32))[0]


@pytest.mark.parametrize("piece", [1, 7, lang.PIECE_BYTES, 500])
def test_walk_in_pieces_equals_whole_texts(piece):
    texts = corpus_lines()[:200] + close_mixes(100) + edge_texts()
    lang.detect_language("a text that loads the model")
    model = lang._model()
    encoded = [model.identifier._encode(t[: lang.SAMPLE_CHARS]) for t in texts]
    whole = model._walk(encoded, None)
    before = model.rewalked
    pieces = model._walk(encoded, piece)
    if piece >= lang.WARMUP_BYTES:  # (shorter pieces begin in the text before theirs)
        assert model.rewalked == before  # the installed model's pieces join
    assert [a.tolist() for a in pieces] == [a.tolist() for a in whole]


def test_pieces_that_do_not_join_are_walked_again(monkeypatch):
    texts = corpus_lines()[:100] + close_mixes(100)
    lang.detect_language("a text that loads the model")
    model = lang._model()
    monkeypatch.setattr(lang, "WARMUP_BYTES", 0)  # pieces begun cold: many do not join
    before = model.rewalked
    assert lang.detect_languages(texts) == [reference(t) for t in texts]
    assert model.rewalked - before > 50


def test_every_text_scored_as_py3langid_scores_it(monkeypatch):
    monkeypatch.setattr(lang, "_MARGIN", 1e300)  # no lead is enough: all exact
    texts = corpus_lines()[:150] + close_mixes(150) + edge_texts()
    lang.detect_language("a text that loads the model")
    model = lang._model()
    before = model.exact
    assert lang.detect_languages(texts) == [reference(t) for t in texts]
    assert model.exact - before == sum(len(t) >= lang.MIN_CHARS for t in texts)


def test_threads_share_the_model():
    texts = corpus_lines()[:300] + close_mixes(300)
    expected = [reference(t) for t in texts]
    lang._model.cache_clear()  # a model whose float32 rows are all still to convert
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda lo: lang.detect_languages(texts[lo : lo + 30]), range(0, len(texts), 30)))
    assert [code for part in results for code in part] == expected
