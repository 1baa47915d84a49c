"""``manage.py benchmark_matching [--enterprises 20000] [--seed 13]``: how well imports
recognize an enterprise they already hold, on a generated, labelled set of rows.

A directory of enterprises is generated, then rows that describe them in other words (typos,
abbreviations, punctuation, reordered words, accents dropped, capitals, legal suffixes,
St/Saint) and rows that describe other enterprises with similar names in the same town, or the
same name in another town. Each row goes through the importer's Matcher; the command prints the
precision and recall of automatic merges and of merge-or-suggest at the chosen thresholds, a
sweep of thresholds, and the spread of name similarity behind the identity-conflict threshold.
Nothing touches the database.
"""

import random
import statistics
import time
import tracemalloc
import unicodedata
from dataclasses import dataclass

from django.core.management.base import BaseCommand

from enterprises.imports import match as matching
from enterprises.imports.match import Matcher, comparison_key, decide, name_similarity

KINDS = [
    "CPE", "Centre de la petite enfance", "Coopérative de solidarité", "Coop de travail",
    "Coopérative d'habitation", "Coopérative de producteurs", "Maison des jeunes",
    "Centre d'action bénévole", "Corporation de développement communautaire", "Association",
    "Fondation", "Atelier", "Ressourcerie", "Boulangerie", "Café", "Théâtre", "Festival",
    "Cuisine collective", "Friperie", "Magasin général", "Groupe", "Club",
]
CORES = [
    "Les Soleils", "Les Lucioles", "Le Pain d'Or", "La Ruche", "Les Jardins du Nord",
    "La Récolte", "Le Grenier", "La Boussole", "L'Éveil", "Le Phare", "La Source", "Le Fil",
    "Les Petits Pas", "La Marée", "Le Quai", "Les Artisans", "La Traversée", "Le Tremplin",
    "L'Envol", "La Passerelle", "Le Moulin", "Les Trois Pignons", "La Clé", "Le Relais",
    "La Forge", "Les Semences", "L'Étincelle", "Le Carrefour", "La Fabrique", "Les Alliés",
    "Vélo Solidaire", "Terre Vivante", "Bois Franc", "Lac Vert", "Mont Blanc", "Rivière Noire",
    "Bon Voisinage", "Entraide", "Partage", "Renaissance", "Horizon", "Héritage",
]
PLACES = [
    "Trois-Rivières", "Mékinac", "Saint-Rémi", "Sainte-Anne", "Shawinigan", "Louiseville",
    "Saint-Tite", "Champlain", "Sainte-Geneviève", "Bécancour", "Nicolet", "Saint-Boniface",
    "des Chenaux", "Saint-Roch", "Sainte-Thècle", "Lac-aux-Sables", "Notre-Dame", "Val-d'Or",
]
SUFFIXES = ["inc.", "Inc", "INC.", "ltée", "Ltée", "enr.", "limitée", "coop"]
ABBREVIATIONS = [
    ("Centre de la petite enfance", "CPE"), ("CPE", "C.P.E."), ("Coopérative", "Coop"),
    ("Coop ", "Coopérative "), ("Saint-", "St-"), ("Sainte-", "Ste-"), ("Saint-", "St "),
    (" et ", " & "),
]
LETTERS = "ABCEGHJKLMNPRSTVXY"
# Another enterprise of a similar name at the same postal code: a possible duplicate by design
# (one building, two names: a curator tells), kept out of precision and recall.
NEIGHBOUR = "similar name, same postal code"


@dataclass
class Row:
    name: str
    postal_code: str
    city: str
    truth: int | None  # the enterprise the row describes, None for another one
    kind: str
    sibling: str = ""  # for another enterprise: the name it was made from


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def typo(rng, name):
    """One keystroke off in a word of five letters or more: dropped, doubled, swapped, wrong."""
    words = name.split(" ")
    long = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not long:
        return name
    i = rng.choice(long)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        word = word[:at] + word[at + 1:]
    elif edit == 1:
        word = word[:at] + word[at] + word[at:]
    elif edit == 2:
        word = word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]
    else:
        word = word[:at] + rng.choice("aeinrstu") + word[at + 1:]
    words[i] = word
    return " ".join(words)


def abbreviate(rng, name):
    found = [(long, short) for long, short in ABBREVIATIONS if long in name]
    if not found:
        return name.replace("-", " ")
    long, short = rng.choice(found)
    return name.replace(long, short, 1)


def punctuate(rng, name):
    choice = rng.randrange(3)
    if choice == 0:
        return name.replace(" ", ", ", 1)
    if choice == 1:
        return name.replace("-", " ").replace("'", " ")
    return name.replace(" de ", " de: ", 1) if " de " in name else name + "."


def reorder(rng, name):
    """The kind of enterprise after its name: « Le Phare, coopérative de solidarité »."""
    for kind in sorted(KINDS, key=len, reverse=True):
        if name.startswith(kind + " "):
            return f"{name[len(kind) + 1:]}, {kind.lower()}"
    words = name.split()
    return " ".join(words[1:] + words[:1])


def without_kind(rng, name):
    """The name people use: « La Ruche » for « Coopérative de solidarité La Ruche »."""
    for kind in sorted(KINDS, key=len, reverse=True):
        if name.startswith(kind + " "):
            return name[len(kind) + 1:]
    return name


def with_suffix(rng, name):
    return f"{name} {rng.choice(SUFFIXES)}"


TRANSFORMS = {
    "typo": typo,
    "abbreviation": abbreviate,
    "punctuation": punctuate,
    "reordered": reorder,
    "accents dropped": lambda rng, name: strip_accents(name),
    "all caps": lambda rng, name: name.upper(),
    "legal suffix": with_suffix,
    "kind left out": without_kind,
    "register style": lambda rng, name: with_suffix(rng, strip_accents(name)).upper(),
}


def postal_code(rng):
    return (f"{rng.choice(LETTERS)}{rng.randint(0, 9)}{rng.choice(LETTERS)} "
            f"{rng.randint(0, 9)}{rng.choice(LETTERS)}{rng.randint(0, 9)}")


def generate(count, seed):
    """The directory (pk → name, postal code, town) and the labelled rows to match."""
    rng = random.Random(seed)
    # Enough towns for every enterprise to get a kind and name of its own in its town.
    towns = PLACES + [f"Ville {n}" for n in range(max(60, count // 350))]
    directory, seen = {}, set()
    while len(directory) < count:
        # One « CPE La Ruche » per town, with or without « de Mékinac » after it.
        base, town = f"{rng.choice(KINDS)} {rng.choice(CORES)}", rng.choice(towns)
        if (comparison_key(base), town) in seen:
            continue
        seen.add((comparison_key(base), town))
        name = f"{base} de {rng.choice(PLACES)}" if rng.random() < 0.5 else base
        directory[len(directory) + 1] = (name, postal_code(rng), town, base)
    bases = {(town, base) for base, town in seen}
    rows = []
    for pk, (name, postal, town, base) in directory.items():
        if rng.random() < 0.3:
            kinds = rng.sample(sorted(TRANSFORMS), rng.choice((1, 1, 2)))
            variant = name
            for kind in kinds:
                variant = TRANSFORMS[kind](rng, variant)
            # Half the rows give the same postal code, the other half only the town.
            rows.append(Row(variant, postal if rng.random() < 0.5 else "", town, pk,
                            " + ".join(kinds)))
        if rng.random() < 0.1:
            row = similar_name(rng, base, town)
            if (town, comparison_key(row.name)) not in bases:
                rows.append(row)
                if rng.random() < 0.3:
                    rows.append(Row(row.name, postal, town, None, NEIGHBOUR, sibling=name))
        if rng.random() < 0.05:
            other = rng.choice(towns)
            if (other, comparison_key(base)) not in bases:
                rows.append(Row(name, postal_code(rng), other, None, "same name, other town"))
    return directory, rows


def similar_name(rng, name, town):
    """Another enterprise of the same town: same kind and another name, or the reverse
    (``name`` is a kind and a core name, without the place after it)."""
    kind = next(k for k in sorted(KINDS, key=len, reverse=True) if name.startswith(k + " "))
    rest = name[len(kind) + 1:]
    if rng.random() < 0.5:
        other = f"{rng.choice([k for k in KINDS if k != kind])} {rest}"
        label = "other kind, same name, same town"
    else:
        core = next((c for c in CORES if rest.startswith(c)), rest)
        other = f"{kind} {rest.replace(core, rng.choice([c for c in CORES if c != core]), 1)}"
        label = "same kind, other name, same town"
    return Row(other, "", town, None, label, sibling=name)


def share(part, whole):
    return 100 * part / whole if whole else 100.0


class Command(BaseCommand):
    help = "Measure the precision and recall of import matching on a generated, labelled set."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=13)

    def handle(self, *args, enterprises, seed, **options):
        directory, rows = generate(enterprises, seed)
        tracemalloc.start()
        matcher = self.matcher(directory)
        memory = tracemalloc.get_traced_memory()[0] / 1024 / 1024
        tracemalloc.stop()
        start = time.perf_counter()
        scored = self.score(matcher, rows)
        elapsed = time.perf_counter() - start
        positives = sum(row.truth is not None for row in rows)
        self.stdout.write(
            f"{len(directory)} enterprises indexed ({memory:.1f} MB), {len(rows)} rows: "
            f"{positives} describe one of them, {len(rows) - positives} another enterprise; "
            f"{len(rows) / elapsed:.0f} rows/s"
        )
        self.stdout.write(f"\nAt the chosen thresholds (merge ≥ {matching.MERGE_SCORE}, "
                          f"suggest ≥ {matching.SUGGEST_SCORE}):")
        neighbours = [(row, scores) for row, scores in zip(rows, scored, strict=True)
                      if row.kind == NEIGHBOUR]
        rows, scored = zip(*[(row, scores) for row, scores in zip(rows, scored, strict=True)
                             if row.kind != NEIGHBOUR], strict=True)
        self.report(rows, scored, matching.MERGE_SCORE, matching.SUGGEST_SCORE, verbose=True)
        results = [decide(scores) for _row, scores in neighbours]
        self.stdout.write(
            f"    {len(neighbours)} rows of {NEIGHBOUR}: "
            f"{share(sum(bool(r.possible_duplicates) for r in results), len(results)):.1f} %"
            f" suggested (by design), {sum(bool(r.enterprise_id) for r in results)} merged"
        )
        self.stdout.write("\nSweep of the merge and suggest thresholds:")
        for merge in (88, 90, 92, 95, 98):
            for suggest in (60, 75, 85):
                self.report(rows, scored, merge, suggest)
        self.stdout.write("\nSweep of PAIRED_WORD (how alike two words must be to pair):")
        chosen = matching.PAIRED_WORD
        try:
            for paired in (70, 75, 80, 85, 90):
                matching.PAIRED_WORD = paired
                self.stdout.write(f"  PAIRED_WORD {paired}:")
                self.report(rows, self.score(matcher, rows), matching.MERGE_SCORE,
                            matching.SUGGEST_SCORE)
        finally:
            matching.PAIRED_WORD = chosen
        self.identity_spread(rows, directory, seed)

    def score(self, matcher, rows):
        return [matcher.scored(matching.comparison_key(row.name), self.clean(row))
                for row in rows]

    def matcher(self, directory):
        matcher = Matcher(network=None)
        matcher.loaded = True
        matcher.by_record = {}
        for pk, (name, postal, town, _base) in directory.items():
            matcher.index(pk, name, postal, None, town)
        return matcher

    @staticmethod
    def clean(row):
        return {"name": row.name, "postal_code": row.postal_code, "city": row.city}

    def report(self, rows, scored, merge, suggest, verbose=False):
        """Precision: of the rows merged (or merged or given suggestions), the share whose
        enterprise is the one merged (or among those named). Recall: of the rows describing an
        enterprise of the directory, the share merged into it (or naming it)."""
        merges = right_merges = flagged = right_flagged = links = right_links = 0
        misses, wrong = {}, {}
        for row, scores in zip(rows, scored, strict=True):
            result = decide(scores, merge, suggest)
            named = result.possible_duplicates | result.candidates
            if result.enterprise_id:
                named.add(result.enterprise_id)
                merges += 1
                right_merges += result.enterprise_id == row.truth
                if result.enterprise_id != row.truth:
                    wrong.setdefault(row.kind, []).append(row.name)
            if named:
                flagged += 1
                right_flagged += row.truth in named
                links += len(named)
                right_links += row.truth in named
            if row.truth is not None and row.truth not in named:
                misses.setdefault(row.kind, []).append(row.name)
            elif row.truth is None and named:
                wrong.setdefault(row.kind, []).append(row.name)
        positives = sum(row.truth is not None for row in rows)
        self.stdout.write(
            f"  {merge:>3} {suggest:>3}  merges: precision {share(right_merges, merges):6.2f} %"
            f" recall {share(right_merges, positives):6.2f} %  |  merge-or-suggest: precision"
            f" {share(right_flagged, flagged):6.2f} % recall"
            f" {share(right_flagged, positives):6.2f} %  ({share(right_links, links):5.1f} %"
            " of the enterprises named are right)"
        )
        if verbose:
            for label, cases in (("missed", misses), ("flagged wrongly", wrong)):
                for kind, names in sorted(cases.items(), key=lambda item: -len(item[1])):
                    self.stdout.write(f"    {label}: {len(names):>4} {kind}, e.g. {names[0]!r}")

    def identity_spread(self, rows, directory, seed):
        """What a match by NEQ or record id compares: the same enterprise in other words, or
        another organization whose number was mistyped (any other enterprise)."""
        rng = random.Random(seed)
        same = [name_similarity(row.name, directory[row.truth][0])
                for row in rows if row.truth is not None]
        names = [name for name, *_rest in directory.values()]
        other = [name_similarity(rng.choice(names), rng.choice(names)) for _ in range(len(same))]
        similar = [name_similarity(row.name, row.sibling) for row in rows if row.sibling]
        self.stdout.write(f"\nName similarity (identity conflict under "
                          f"{matching.IDENTITY_SCORE}), share under 50 / 60 / 70 / 80:")
        for label, values in (("same enterprise, other words", same),
                              ("two enterprises at random", other),
                              ("similar names, same town", similar)):
            cuts = statistics.quantiles(values, n=100)
            under = " / ".join(
                f"{share(sum(value < cut for value in values), len(values)):5.1f}"
                for cut in (50, 60, 70, 80)
            )
            self.stdout.write(
                f"  {label:<30} n={len(values):>5}  p1 {cuts[0]:5.1f}  p5 {cuts[4]:5.1f}"
                f"  median {cuts[49]:5.1f}  p95 {cuts[94]:5.1f}  p99 {cuts[98]:5.1f}"
                f"  under: {under} %"
            )
