#!/usr/bin/env python3
"""Generates data/zh-name-chars.tsv and data/zh-common-words.tsv, the general-Chinese inputs of
`lumen train names` (the labelled sentences come from --data), and
Sources/LumenClassifier/Sensitivity/ChineseTaggedWords.swift, the frequent two-character words the
dictionary tags as names (nr, nrfg), which the scanner reads as ordinary words unless their
characters are a name's, and the two- and three-character words of ordinary text a little rarer
than the common-word table's (frequency 100 or 50 to 299, not tagged as a name: 白菜, 房东, 文档,
高傲, 向日葵, 高峰期), which are no names unless a cue says so.

Sources (both MIT, pinned):
  jieba 0.42.1 `jieba/dict.txt`: 349,046 words with a corpus frequency and a part-of-speech tag.
  ngender 0.1.1 `ngender/charfreq.csv`: given-name characters counted over a large list of names.

Usage:
  python3 -m venv /tmp/v && /tmp/v/bin/pip install jieba==0.42.1 ngender==0.1.1
  /tmp/v/bin/python scripts/gen-name-chars.py "$(/tmp/v/bin/python -c 'import site; print(site.getsitepackages()[0])')"

zh-name-chars.tsv, one Han character a line (sorted by code point):
  char  background  given  translit  surname
  background: summed frequency of the dictionary words (not tagged as a name: nr, nrfg, nrt) that
              contain the character — its frequency in ordinary text;
  given:      ngender's male + female count (the character inside given names);
  translit:   how many words tagged nrt (transliterated foreign names) contain it;
  surname:    how many three-character words tagged nr or nrfg start with it.
zh-common-words.tsv: word  frequency, for the two- and three-character words of ordinary text
(frequency >= 300, not tagged as a name), sorted by word.
ChineseTaggedWords.swift: the two-character words tagged nr or nrfg with frequency >= 300, and the
two-character words not tagged as a name with frequency 100 to 299 and three-character ones with
frequency 50 to 299, each sorted.
"""
import os
import sys
from collections import Counter

MIN_WORD_FREQUENCY = 300
MIN_RARER_WORD_FREQUENCY = 100
MIN_RARER_WORD_FREQUENCY_3 = 50
NAME_TAGS = {"nr", "nrfg", "nrt"}


def is_han(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def main(site):
    background, given, translit, surname = Counter(), Counter(), Counter(), Counter()
    words = {}
    tagged = set()
    rarer = set()
    with open(os.path.join(site, "jieba", "dict.txt"), encoding="utf-8") as handle:
        for line in handle:
            word, frequency, tag = line.split()
            frequency = int(frequency)
            if not all(is_han(c) for c in word):
                continue
            if tag in ("nr", "nrfg"):
                if len(word) == 3:
                    surname[word[0]] += 1
                if len(word) == 2 and frequency >= MIN_WORD_FREQUENCY:
                    tagged.add(word)
                continue
            if tag == "nrt":
                for c in set(word):
                    translit[c] += 1
                continue
            for c in word:
                background[c] += frequency
            if len(word) in (2, 3) and frequency >= MIN_WORD_FREQUENCY:
                words[word] = max(words.get(word, 0), frequency)
            elif (len(word) == 2 and frequency >= MIN_RARER_WORD_FREQUENCY) or (len(word) == 3 and frequency >= MIN_RARER_WORD_FREQUENCY_3):
                rarer.add(word)
    with open(os.path.join(site, "ngender", "charfreq.csv"), encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            char, male, female = line.strip().split(",")
            if is_han(char):
                given[char] += int(male) + int(female)
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "data")
    chars = sorted(set(background) | set(given) | set(translit) | set(surname))
    with open(os.path.join(out, "zh-name-chars.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# char\tbackground\tgiven\ttranslit\tsurname  (scripts/gen-name-chars.py; jieba 0.42.1, ngender 0.1.1, MIT)\n")
        for c in chars:
            handle.write(f"{c}\t{background[c]}\t{given[c]}\t{translit[c]}\t{surname[c]}\n")
    with open(os.path.join(out, "zh-common-words.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# word\tfrequency  (scripts/gen-name-chars.py; jieba 0.42.1 dict.txt, MIT)\n")
        for w in sorted(words):
            handle.write(f"{w}\t{words[w]}\n")
    swift = os.path.join(here, "..", "Sources", "LumenClassifier", "Sensitivity", "ChineseTaggedWords.swift")
    # A word of ordinary text that is also tagged as a name elsewhere in the dictionary is no rarer word.
    rarer -= tagged | set(words)

    def literal(handle, name, doc, ordered):
        lines = [" ".join(ordered[k : k + 30]) for k in range(0, len(ordered), 30)]
        handle.write(f"    /// {len(ordered)} {doc}, space-separated.\n")
        handle.write(f'    static let {name} = """\n')
        for line in lines:
            handle.write(f"        {line}\n")
        handle.write('        """\n')

    with open(swift, "w", encoding="utf-8") as handle:
        handle.write("// Generated by scripts/gen-name-chars.py from jieba 0.42.1 dict.txt (MIT). Do not edit by hand.\n\n")
        handle.write("enum ChineseTaggedWords {\n")
        literal(handle, "words", f"two-character words tagged as names (nr, nrfg) with frequency >= {MIN_WORD_FREQUENCY}", sorted(tagged))
        handle.write("\n")
        literal(
            handle,
            "rarerWords",
            f"two-character words not tagged as names with frequency {MIN_RARER_WORD_FREQUENCY} to {MIN_WORD_FREQUENCY - 1}"
            f" and three-character ones with frequency {MIN_RARER_WORD_FREQUENCY_3} to {MIN_WORD_FREQUENCY - 1}",
            sorted(rarer),
        )
        handle.write("}\n")


if __name__ == "__main__":
    main(sys.argv[1])
