"""The search helpers under a threaded server: many threads stemming at once."""

from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from enterprises.search.text import stem

WORDS = [
    "recuperation", "traiteurs", "cooperatives", "habitations", "alimentaires", "entreprises",
    "solidarite", "economiques", "quebecoises", "insertion", "menuiserie", "ressourceries",
    "friperies", "informatique", "construction", "developpement", "formations", "jardins",
]


def test_stems_computed_by_many_threads_at_once_match_one_thread_s():
    expected = {word: snowballstemmer.stemmer("french").stemWord(word) for word in WORDS}
    uncached = stem.__wrapped__  # the cache would hide a stemmer that mixes words up

    def stem_all(offset):
        words = WORDS[offset:] + WORDS[:offset]
        return [(word, uncached(word)) for _round in range(100) for word in words]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [pair for batch in pool.map(stem_all, range(16)) for pair in batch]

    wrong = [(word, got) for word, got in results if got != expected[word]]
    assert wrong == []
    assert len(results) == 16 * 100 * len(WORDS)


def test_cached_stems_are_those_of_a_fresh_stemmer():
    stem.cache_clear()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(stem, WORDS * 50))

    fresh = snowballstemmer.stemmer("french")
    assert {word: stem(word) for word in WORDS} == {word: fresh.stemWord(word) for word in WORDS}
