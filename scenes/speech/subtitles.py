"""Subtitles as viewers and platforms expect them: what the voice says, cut into cues.

The BBC's and Netflix's guidelines, which players and platforms follow:
- a cue holds at most two lines of at most 42 characters, on screen 1 to 7 seconds;
- a long sentence is cut where a reader would pause: after punctuation first, then
  before a conjunction or a preposition, never after an article, and never leaving a
  word alone on a line or in a cue where that can be avoided; a cue that fits on one
  line stays one line, and of two lines the lower is the longer where it can be;
- numbers in digits: every decimal, negative number, percentage and number above ten
  ("0.88", "-1.5", "96.5%", "13,002"); one to ten stay words (Netflix's rule, which
  also keeps "this one" a word).

The voice speaks a whole sentence at once (scenes/speech/voice.py), so where a cue starts
inside it is measured, not guessed: each cue's share of the spoken characters (the
words as said, "zero point eight eight", not as shown), laid over the stretches where
the voice is heard, and moved to the nearest pause in the voice (Piper pauses at
commas and between the parts of a sentence) when a cut falls at punctuation. A silent
render (`--voice none`) has no voice to time by: a beat's one line is spread over the
beat (`spread`).

Pure Python and numpy: publish/assemble.py cuts a silent beat's line with it too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .spoken import ONES, TENS

MAX_LINE = 42         # characters a line
MAX_LINES = 2
MIN_SECONDS = 1.0     # a cue shorter than this flickers past unread
MAX_SECONDS = 7.0     # longer, viewers re-read it
QUIET = 10 ** (-50 / 20)   # under -50 dBFS (10 ms RMS) is a pause in the voice
MIN_PAUSE = 0.08      # seconds: a shorter dip is a consonant, not a pause
SNAP = 0.6            # seconds: how far a cut at punctuation may move to reach a pause

# Where a cut costs little (lower is better), as subtitlers cut.
CONJUNCTIONS = frozenset("and but or nor so yet because which that when where while whose who if "
                         "than though although unless until since whether then".split())
PREPOSITIONS = frozenset("of in on at to for from with by into onto over under through between "
                         "about above below after before against along among around across per "
                         "without within toward towards".split())
# Never end a line on these: the next word belongs to them.
CLINGING = frozenset("a an the its their his her our your my this these those each every no "
                     "not".split())
CUE_COST = 8          # each extra cue: fewer, fuller cues where they fit
CUE_CUT_WEIGHT = 3    # a cue's end at a poor place costs more than a line's: the eye reads a cue at once
ORPHAN_COST = 30      # a word alone in a cue or on a line
SHORT_COST = 30       # a cue that would be on screen under MIN_SECONDS

_UNITS = {word: value for value, word in enumerate(ONES)}
_TENS = {word: 10 * value for value, word in enumerate(TENS) if word}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_TRAILING = ".,;:?!\"')]"
RANGE_WORDS = frozenset(("to", "and", "or", "by", "from"))


@dataclass(frozen=True)
class Token:
    """One word, or one spoken number, of a sentence: as the subtitle shows it and as
    the voice says it (its share of the sentence's time)."""

    shown: str
    said: str


@dataclass(frozen=True)
class Cue:
    start: float      # seconds, from the sentence's (or beat's) start
    end: float
    text: str         # one or two lines, joined by "\n"


# --- numbers in digits ------------------------------------------------------------------

def _core(word: str) -> tuple[str, str]:
    """(the word lower-cased without trailing punctuation, the punctuation)."""
    stripped = word.rstrip(_TRAILING)
    return stripped.lower(), word[len(stripped):]


def _small(core: str) -> int | None:
    """1..99 (or zero) as spoken.integer says it: "seven", "sixteen", "forty-two"."""
    if core in _UNITS:
        return _UNITS[core]
    if core in _TENS:
        return _TENS[core]
    tens, dash, unit = core.partition("-")
    if dash and tens in _TENS and _UNITS.get(unit, 0) in range(1, 10):
        return _TENS[tens] + _UNITS[unit]
    return None


def _integer(words: list[str], i: int) -> tuple[int, int] | None:
    """(value, index after it) of spoken.integer's words starting at words[i]:
    "thirteen thousand and two", "one hundred and five"; None if none starts there."""
    total, group, last, j = 0, None, None, i
    scale_limit = None
    while j < len(words):
        core, tail = _core(words[j])
        small = _small(core)
        if small is not None and last in (None, "hundred", "and", "scale"):
            group = (group or 0) + small
            last = "small"
        elif core == "hundred" and last == "small" and 1 <= group <= 9:
            group *= 100
            last = "hundred"
        elif core == "and" and last in ("hundred", "scale") and not tail and j + 1 < len(words) \
                and _small(_core(words[j + 1])[0]) not in (None, 0):
            last = "and"
        elif core in _SCALES and last in ("small", "hundred") and (scale_limit is None or _SCALES[core] < scale_limit):
            total += group * _SCALES[core]
            scale_limit, group, last = _SCALES[core], None, "scale"
        else:
            break
        j += 1
        if tail:  # punctuation ends the number at this word
            break
    if last in (None, "and"):
        return None
    return total + (group or 0), j


def _number(words: list[str], i: int) -> tuple[str, int, bool] | None:
    """(the digits, index after, whether it is a plain one to ten) of a spoken number at
    words[i]; None where there is none."""
    negative = _core(words[i])[0] == "minus" and not _core(words[i])[1]
    start = i + negative
    if start >= len(words):
        return None
    found = _integer(words, start)
    if found is None:
        return None
    value, j = found
    fraction = ""
    if not _core(words[j - 1])[1] and j + 1 < len(words) and _core(words[j])[0] == "point" \
            and not _core(words[j])[1] and _core(words[j + 1])[0] in ONES[:10]:
        j += 1
        while j < len(words):
            core, tail = _core(words[j])
            if core not in ONES[:10]:
                break
            fraction += str(ONES.index(core))
            j += 1
            if tail:
                break
    percent = not _core(words[j - 1])[1] and j < len(words) and _core(words[j])[0] == "percent"
    j += percent
    digits = ("-" if negative else "") + f"{value:,}" + (f".{fraction}" if fraction else "") + ("%" if percent else "")
    return digits + _core(words[j - 1])[1], j, not (negative or fraction or percent or value > 10)


def tokens(sentence: str) -> list[Token]:
    """The sentence's words, a spoken number (several words) as one token in digits.
    One to ten stay words, unless a number in digits stands beside them in a range or
    a list ("rows 6 to 11", "784, 16, 16, and 10"): numbers side by side are written alike."""
    words, out, small, i = sentence.split(), [], {}, 0
    while i < len(words):
        found = _number(words, i)
        if found is None:
            out.append(Token(words[i], words[i]))
            i += 1
            continue
        digits, j, one_to_ten = found
        if one_to_ten:
            small[len(out)] = digits
            out.append(Token(" ".join(words[i:j]), " ".join(words[i:j])))
        else:
            out.append(Token(digits, " ".join(words[i:j])))
        i = j
    shown_digits = {k for k, token in enumerate(out) if token.shown != token.said}
    changed = True
    while changed:  # a list spreads the digits along it: "ten, 16 and 16" -> "10, 16 and 16"
        changed = False
        for k, digits in small.items():
            if k in shown_digits:
                continue
            for neighbour, between in ((k - 2, k - 1), (k + 2, k + 1), (k - 1, None), (k + 1, None)):
                if neighbour not in shown_digits:
                    continue
                joined = between is None and _core(out[min(k, neighbour)].shown)[1][:1] == ","
                joined = joined or between is not None and _core(out[between].shown)[0] in RANGE_WORDS \
                    and _core(out[min(k, neighbour)].shown)[1] in ("", ",") \
                    and (not _core(out[min(k, neighbour)].shown)[1] or _core(out[between].shown)[0] == "and")
                if joined:
                    out[k] = Token(digits, out[k].said)
                    shown_digits.add(k)
                    changed = True
                    break
    return out


def written(sentence: str) -> str:
    """The sentence as its subtitles write it: numbers in digits."""
    return " ".join(token.shown for token in tokens(sentence))


# --- where to cut -----------------------------------------------------------------------

def _cut_cost(before: Token, after: Token) -> int:
    """What cutting between two words costs a reader: low at a clause's edge."""
    core, tail = _core(before.shown)
    mark = tail[:1]
    if mark and mark in ".?!":
        return 0
    if mark and mark in ";:" or before.shown in ("-", "–", "—"):
        return 1
    if mark == ",":
        return 2
    if core in CLINGING:
        return 16
    following = _core(after.shown)[0]
    if following in CONJUNCTIONS:
        return 4
    if following in PREPOSITIONS:
        return 5
    return 10


def _text(part: list[Token]) -> str:
    return " ".join(token.shown for token in part)


def _lines(part: list[Token]) -> tuple[float, str] | None:
    """(cost, text) of `part` set in at most two lines of MAX_LINE, the cut chosen like
    a cue's; None if it does not fit."""
    whole = _text(part)
    if len(whole) <= MAX_LINE:
        return 0.0, whole
    best = None
    for k in range(1, len(part)):
        top, bottom = _text(part[:k]), _text(part[k:])
        if len(top) > MAX_LINE or len(bottom) > MAX_LINE:
            continue
        cost = (_cut_cost(part[k - 1], part[k]) + abs(len(top) - len(bottom)) / 10
                + (2 if len(top) > len(bottom) else 0)  # the lower line the longer: a pyramid
                + ORPHAN_COST * ((k == 1) + (k == len(part) - 1)))
        if best is None or cost < best[0]:
            best = (cost, f"{top}\n{bottom}")
    return best


def _weights(part: list[Token]) -> int:
    return sum(len(token.said) + 1 for token in part)


def cut(sentence: str, seconds: float | None = None) -> list[tuple[list[Token], str]]:
    """The sentence cut into cues ((tokens, text in lines) each), at the cheapest places
    for a reader; with `seconds` (how long it is spoken), each cue's share of that time
    kept within MIN_SECONDS..MAX_SECONDS where the words allow."""
    parts = tokens(sentence)
    n = len(parts)
    if n == 0:
        return []
    total = _weights(parts)
    best: list[tuple[float, int, str] | None] = [None] * (n + 1)
    best[0] = (0.0, 0, "")
    for j in range(1, n + 1):
        for i in range(j):
            if best[i] is None:
                continue
            lines = _lines(parts[i:j])
            if lines is None:
                if j - i > 1:
                    continue
                lines = (0.0, parts[i].shown)  # a word longer than a line: it goes alone
            cost = best[i][0] + CUE_COST + lines[0]
            cost += CUE_CUT_WEIGHT * _cut_cost(parts[j - 1], parts[j]) if j < n else 0
            cost += ORPHAN_COST if j - i == 1 and n > 1 else 0
            if seconds is not None:
                share = seconds * _weights(parts[i:j]) / total
                if share > MAX_SECONDS and j - i > 1:
                    continue
                cost += SHORT_COST if share < MIN_SECONDS and n > 1 else 0
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, i, lines[1])
    cues, j = [], n
    while j > 0:
        _, i, text = best[j]
        cues.append((parts[i:j], text))
        j = i
    return cues[::-1]


# --- when -------------------------------------------------------------------------------

def pauses(samples: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """(start, end) in seconds of each pause inside a spoken sentence: a stretch of at
    least MIN_PAUSE under QUIET (10 ms RMS windows), the silent edges left out."""
    window = max(1, rate // 100)
    count = len(samples) // window
    if count == 0:
        return []
    loud = np.sqrt(np.mean(np.asarray(samples[: count * window], dtype=np.float64).reshape(count, window) ** 2,
                           axis=1)) > QUIET
    heard = np.flatnonzero(loud)
    if len(heard) == 0:
        return []
    found, quiet_from = [], None
    for index in range(heard[0], heard[-1] + 1):
        if not loud[index]:
            quiet_from = index if quiet_from is None else quiet_from
        elif quiet_from is not None:
            if (index - quiet_from) * window / rate >= MIN_PAUSE:
                found.append((quiet_from * window / rate, index * window / rate))
            quiet_from = None
    return found


def _voiced_time(fraction: float, seconds: float, quiet: list[tuple[float, float]]) -> float:
    """The instant by which `fraction` of the voiced (not paused) time has passed."""
    voiced_total = seconds - sum(b - a for a, b in quiet)
    goal, clock, voiced = fraction * voiced_total, 0.0, 0.0
    for a, b in quiet:
        if voiced + (a - clock) >= goal:
            break
        voiced += a - clock
        clock = b
    return clock + (goal - voiced)


def timed(sentence: str, seconds: float, quiet: list[tuple[float, float]] = (), room: float = 0.0) -> list[Cue]:
    """The sentence's cues, timed from its start: spoken for `seconds`, with the voice's
    pauses `quiet` (see `pauses`); a sentence spoken in under MIN_SECONDS (a cue) stays
    up to `room` seconds after the voice stops, to be read."""
    parts = cut(sentence, seconds)
    total = sum(_weights(tokens_) for tokens_, _ in parts)
    quiet = [(a, b) for a, b in quiet if 0 < a < b < seconds]
    bounds, done = [0.0], 0
    for index, (tokens_, _) in enumerate(parts[:-1]):
        done += _weights(tokens_)
        at = _voiced_time(done / total, seconds, quiet)
        # A cut at punctuation lands where the voice pauses for it (the next cue appears
        # as its words begin); any cut inside a pause moves to the pause's end.
        near = [b for a, b in quiet if a - 1e-9 <= at <= b + 1e-9]
        if not near and _cut_cost(tokens_[-1], parts[index + 1][0][0]) <= 2:
            near = [b for a, b in quiet if abs((a + b) / 2 - at) <= SNAP]
        if near:
            at = min(near, key=lambda b: abs(b - at))
        bounds.append(at)
    end = seconds
    if seconds < MIN_SECONDS * len(parts):  # too short to read: the cues linger into the pause after
        end = min(seconds + room, MIN_SECONDS * len(parts))
    bounds.append(end)
    # Each cue at least MIN_SECONDS where the sentence is long enough: a cut moves later
    # (or earlier) within what its neighbours can spare.
    count = len(parts)
    for k in range(1, count):
        low = bounds[k - 1] + MIN_SECONDS
        high = bounds[-1] - MIN_SECONDS * (count - k)
        if low <= high:
            bounds[k] = min(max(bounds[k], low), high)
        bounds[k] = max(bounds[k], bounds[k - 1])
    return [Cue(round(bounds[k], 3), round(min(bounds[k + 1], bounds[k] + MAX_SECONDS), 3), text)
            for k, (_, text) in enumerate(parts)]


def spread(line: str, seconds: float) -> list[Cue]:
    """A silent beat's one line over the beat's `seconds`: cut into cues, each given its
    share of the beat by length (at most MAX_SECONDS, then the screen stays clear)."""
    parts = cut(line)
    total = sum(_weights(tokens_) for tokens_, _ in parts)
    cues, start = [], 0.0
    for tokens_, text in parts:
        length = seconds * _weights(tokens_) / total
        cues.append(Cue(round(start, 3), round(start + min(length, MAX_SECONDS), 3), text))
        start += length
    return cues
