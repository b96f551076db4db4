"""Numbers and symbols written for the ear: what the narrator says, not what the screen shows.

The screen writes 0.88, 13,002 and σ; the voice says "zero point eight eight",
"thirteen thousand and two" and "sigmoid". Every spoken number goes through here, so a
script reads the same value the picture draws (`equations.fmt` rounds for the eye with
the same digits) and says it the way a person would. Pure Python: `render.py script`
and the clip keys use it without manim.
"""
from __future__ import annotations

import math

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest:
        if hundreds:
            words.append("and")
        words.append(ONES[rest] if rest < 20 else TENS[rest // 10] + (f"-{ONES[rest % 10]}" if rest % 10 else ""))
    return " ".join(words)


def integer(n: int) -> str:
    """13002 -> "thirteen thousand and two"; -4 -> "minus four" (British "and", as a
    lecturer says it)."""
    n = int(n)
    if n < 0:
        return "minus " + integer(-n)
    if n < 1000:
        return _below_thousand(n) if n else "zero"
    words = []
    for scale, name in SCALES:
        if n >= scale:
            words.append(f"{_below_thousand(n // scale)} {name}")
            n %= scale
    if n:
        words.append(("and " if n < 100 else "") + _below_thousand(n))
    return " ".join(words)


def ordinal(n: int) -> str:
    """3 -> "third", 21 -> "twenty-first"."""
    words = integer(n)
    head, sep, last = words.rpartition(" ")
    stem, dash, unit = last.rpartition("-")
    unit = ORDINALS.get(unit) or (unit[:-1] + "ieth" if unit.endswith("y") else unit + "th")
    return head + sep + stem + dash + unit


FIGURES = 3   # a number is never given with more significant figures than this, on screen or aloud
# Below this, a decimal is said as a share ("about seven in a hundred thousand"): a string
# of "zero point zero zero zero..." is lost on a listener. The screen keeps its digits.
SMALL = 1e-3
SHARES = {-3: "in a thousand", -4: "in ten thousand", -5: "in a hundred thousand", -6: "in a million", -7: "in ten million",
          -8: "in a hundred million", -9: "in a billion"}   # by the power of ten of the unit


def figures(value: float, digits: int = 2) -> str:
    """A number's digits as the screen writes them and the voice says them: `digits`
    decimals, but never more than three significant figures (96.51 -> "96.5", 5.943 ->
    "5.94", 0.848 -> "0.848"), never "-0.00". A value under one that rounds to one is
    written 1.00 and said "nearly one" (`decimal`)."""
    value = float(value)
    text = f"{value:.{digits}f}"
    if value != 0 and math.isfinite(value):
        magnitude = _floor_log10(abs(value))
        digits = max(0, min(digits, FIGURES - 1 - magnitude))
        text = f"{value:.{digits}f}"
        if float(text) != 0 and digits > FIGURES - 1 - _floor_log10(abs(float(text))):
            text = f"{value:.{max(0, digits - 1)}f}"   # 9.996 rounds up to 10.0, not 10.00
    if text.strip("-0.") == "":
        text = text.lstrip("-")  # never "minus zero"
    return text


def _floor_log10(value: float) -> int:
    """floor(log10(value)) for value > 0, exact at powers of ten."""
    return int(f"{value:e}".split("e")[1])


def decimal(value: float, digits: int = 2) -> str:
    """0.88 -> "zero point eight eight"; -1.5 (digits=1) -> "minus one point five".
    Rounded as the screen writes it (`figures`): `digits` places, at most three
    significant figures; trailing zeros kept only when they are the screen's (0.50 ->
    "zero point five zero"). A value under one that rounds to one is "nearly one"; a
    tiny one is said as a share: 0.000066 -> "about seven in a hundred thousand"."""
    text = figures(value, digits)
    if 0 < abs(float(value)) < 1 and text.lstrip("-").startswith("1"):
        return ("minus " if value < 0 else "") + "nearly one"
    if 0 < abs(float(value)) < SMALL and digits > 3:
        return small(float(value))
    sign = "minus " if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    spoken = sign + integer(int(whole))
    if fraction:
        spoken += " point " + " ".join(ONES[int(d)] for d in fraction)
    return spoken


def small(value: float) -> str:
    """A tiny value as a reader says it: 0.000066 -> "about seven in a hundred thousand";
    below one in a billion, "nearly zero"."""
    power = _floor_log10(abs(value))
    count = round(abs(value) / 10.0 ** power)
    if count == 10:
        power, count = power + 1, 1
    if power not in SHARES:
        return "nearly zero"
    return f"{'minus ' if value < 0 else ''}about {integer(count)} {SHARES[power]}"


def percent(fraction: float, digits: int = 1) -> str:
    """0.9651 -> "ninety-six point five percent": three significant figures at most."""
    return f"{decimal(fraction * 100, digits)} percent"


def percent_text(fraction: float, digits: int = 1) -> str:
    """The same percentage as the screen writes it: 0.9651 -> "96.5%"."""
    return f"{figures(fraction * 100, digits)}%"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """(16, "neuron") -> "sixteen neurons"; (1, "layer") -> "one layer"."""
    return f"{integer(n)} {noun if n == 1 else (plural or noun + 's')}"


MAGNITUDES = ("hundred", "thousand", "million")


def sequence(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b, and c": the comma before the last "and" keeps spoken
    numbers apart (layers of 784, 100 and 10 said without it is "seven hundred and
    eighty-four, one hundred and ten"); two words get it only where that could happen
    (["one hundred", "ten"] -> "one hundred, and ten")."""
    words = list(words)
    if len(words) == 1:
        return words[0]
    apart = len(words) > 2 or words[0].endswith(MAGNITUDES)
    return ", ".join(words[:-1]) + (", and " if apart else " and ") + words[-1]


def hidden_layers(widths) -> str:
    """[64] -> "one hidden layer of sixty-four"; [16, 16] -> "two hidden layers of
    sixteen"; [16, 12, 8] -> "three hidden layers, of sixteen, twelve, and eight"."""
    widths = [int(w) for w in widths]
    layers = count(len(widths), "hidden layer")
    if len(set(widths)) == 1:
        return f"{layers} of {integer(widths[0])}"
    return f"{layers}, of {sequence([integer(w) for w in widths])}"


def example_name(example) -> str:
    """Where a digit comes from, as the caption beside it says it (layout.describe):
    "image number seven of the MNIST training set, labelled three"; "your own digit"."""
    if example.source == "image":
        return "your own digit" + (f", meant as a {integer(example.label)}" if example.label is not None else "")
    split = "training" if example.source == "mnist-train" else "test"
    return f"image number {integer(example.index)} of the MNIST {split} set, labelled {integer(example.label)}"


# The activation functions as a listener hears their names (the screen writes σ, ReLU, tanh).
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}
# How a speech engine is told to say them: "ReLU" read letter by letter would be wrong.
SAY_AS = {"ReLU": "ray-loo", "tanh": "tanch", "σ": "sigmoid"}


def activation_name(name: str) -> str:
    return ACTIVATION_NAMES.get(name, name)


def for_the_engine(sentence: str) -> str:
    """The sentence as handed to the speech engine: words it would misread spelled out
    (the subtitles keep the written form)."""
    for written, said in SAY_AS.items():
        sentence = sentence.replace(written, said)
    return sentence

