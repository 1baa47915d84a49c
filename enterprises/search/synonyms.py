"""The synonym sets, as each process keeps them: which runs of query words they name.

A query word matches a term's word when they share a form: the word itself, its French stem
or its English stem (``cleaners`` and ``cleaner``, « traiteurs » and « traiteur »). The table
is read once per revision of the directory (a set's save or deletion bumps it) and dropped at
once in the process that wrote.
"""

import threading
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from enterprises.models import DirectoryRevision

from .models import SynonymSet
from .text import STOP_WORDS, stem, stem_en, words

# The longest term matched, in words ("services de conciergerie commerciale").
MAX_TERM_WORDS = 5


def forms(word):
    """The forms by which two words are taken for the same: as written and both stems."""
    return {word, stem(word), stem_en(word)}


def same_words(term, run):
    """Whether two runs of words are the same term, word by word."""
    if len(term) != len(run):
        return False
    return all(forms(a) & forms(b) for a, b in zip(term, run, strict=True))


def holds_every_word(term, run):
    """Whether each word of ``run`` is a word of ``term`` (the same term included)."""
    return all(any(forms(word) & forms(term_word) for term_word in term) for word in run)


def term_words(text):
    """A term's searchable words: folded, stop words left out as queries leave them out."""
    return tuple(word for word in words(text) if word not in STOP_WORDS)


@dataclass
class SynonymTable:
    """Terms (tuples of words) grouped in sets, looked up by the forms of their first word."""

    sets: list = field(default_factory=list)  # [(category id or None, (term, …))]
    by_first_form: dict = field(default_factory=dict)  # form → {(term, set number)}
    words: set = field(default_factory=set)  # every word of every term, for "did you mean"

    @classmethod
    def of(cls, entries):
        """From ``(category id, [term text, …])`` pairs."""
        table = cls()
        for category_id, texts in entries:
            terms = tuple(dict.fromkeys(
                term for text in texts if 0 < len(term := term_words(text)) <= MAX_TERM_WORDS
            ))
            if len(terms) < 2 and category_id is None:
                continue
            number = len(table.sets)
            table.sets.append((category_id, terms))
            table.words.update(word for term in terms for word in term if len(word) >= 3)
            for term in terms:
                for form in forms(term[0]):
                    table.by_first_form.setdefault(form, set()).add((term, number))
        return table

    def matches_at(self, typed, start):
        """``(end, set numbers)`` of the longest term that starts at ``typed[start]``, or None."""
        best_end, numbers = None, set()
        for term, number in self.by_first_form_of(typed[start]):
            end = start + len(term)
            if end > len(typed) or not same_words(term, typed[start:end]):
                continue
            if best_end is None or end > best_end:
                best_end, numbers = end, {number}
            elif end == best_end:
                numbers.add(number)
        return None if best_end is None else (best_end, numbers)

    def by_first_form_of(self, word):
        found = set()
        for form in forms(word):
            found |= self.by_first_form.get(form, set())
        return found

    def runs(self, typed):
        """``(start, end, set numbers)`` of each run of ``typed`` words that sets name, the
        longest first from the left."""
        start = 0
        while start < len(typed):
            found = self.matches_at(typed, start)
            if found is None:
                start += 1
                continue
            end, numbers = found
            yield start, end, numbers
            start = end

    def spans(self, typed):
        """``{start: (end, other terms)}``: the runs of ``typed`` words that a set names, with
        the other terms of every set naming them."""
        spans = {}
        for start, end, numbers in self.runs(typed):
            run = typed[start:end]
            # A term holding every word of the run finds nothing more ("service de traiteur"
            # for « traiteur »), and would only weigh its matches twice.
            others = {
                term
                for number in sorted(numbers)
                for term in self.sets[number][1]
                if not holds_every_word(term, run)
            }
            if others:
                spans[start] = (end, tuple(sorted(others)))
        return spans

    def categories_named(self, typed):
        """``{start: (end, category ids)}``: runs of ``typed`` that name a category's set."""
        named = {}
        for start, end, numbers in self.runs(typed):
            if categories := {self.sets[n][0] for n in numbers} - {None}:
                named[start] = (end, categories)
        return named


_lock = threading.Lock()
_cached = {"revision": object(), "table": None}


def current_synonyms():
    """The synonym table for the directory's current revision (read again when it changes)."""
    revision = current_revision()
    with _lock:
        if _cached["revision"] == revision and _cached["table"] is not None:
            return _cached["table"]
    rows = SynonymSet.objects.values_list("category_id", "terms")
    table = SynonymTable.of(
        (category_id, SynonymSet(terms=terms).term_list()) for category_id, terms in rows
    )
    with _lock:
        _cached.update(revision=revision, table=table)
    return table


def current_revision():
    """The revision of the directory index this process serves, read without a query when an
    index is loaded: the synonyms then agree with the matches the index keeps."""
    from enterprises.directory_index.index import loaded_revision  # the index uses the search

    return loaded_revision() or DirectoryRevision.current()


def forget_synonyms():
    """Drop this process's copy of the sets: the next search reads them again."""
    with _lock:
        _cached.update(revision=object(), table=None)


def forget(**kwargs):
    """A set was saved or deleted: this process reads the sets again at once, the others when
    they see the new revision."""
    forget_synonyms()
    DirectoryRevision.bump(**kwargs)


post_save.connect(forget, sender=SynonymSet, dispatch_uid="search-synonyms-save")
post_delete.connect(forget, sender=SynonymSet, dispatch_uid="search-synonyms-delete")
