"""The published directory in each process's memory, and the requests answered from it.

``index`` holds the ``DirectoryIndex`` (a bitset per facet value and the reference lists),
rebuilt when the directory changes; ``facets`` applies one request's filters to it; ``text``
keeps the matches of recent search texts with the index; ``bitsets`` holds the set operations
they share.
"""

from .facets import FilteredDirectory, Results, facet_counts, result_count
from .index import FACETS, DirectoryIndex, current_index

__all__ = [
    "FACETS",
    "DirectoryIndex",
    "FilteredDirectory",
    "Results",
    "current_index",
    "facet_counts",
    "result_count",
]
