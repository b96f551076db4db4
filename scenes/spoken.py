"""Numbers and symbols written for the ear: what the narrator says, not what the screen shows.

The screen writes 0.88, 13,002 and σ; the voice says "zero point eight eight",
"thirteen thousand and two" and "sigmoid". Every spoken number goes through here, so a
script reads the same value the picture draws (`equations.fmt` rounds for the eye with
the same digits) and says it the way a person would. Pure Python: `render.py script`
and the clip keys use it without manim.
"""
from __future__ import annotations

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


def decimal(value: float, digits: int = 2) -> str:
    """0.88 -> "zero point eight eight"; -1.5 (digits=1) -> "minus one point five".
    Rounded to `digits` places as the screen writes it; trailing zeros kept only when
    they are the screen's (0.50 -> "zero point five zero")."""
    text = f"{value:.{digits}f}"
    if text.strip("-0.") == "":
        text = text.lstrip("-")  # never "minus zero"
    sign = "minus " if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    spoken = sign + integer(int(whole))
    if fraction:
        spoken += " point " + " ".join(ONES[int(d)] for d in fraction)
    return spoken


def percent(fraction: float, digits: int = 1) -> str:
    """0.9651 -> "ninety-six point five percent" (digits=1)."""
    return f"{decimal(fraction * 100, digits)} percent"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """(16, "neuron") -> "sixteen neurons"; (1, "layer") -> "one layer"."""
    return f"{integer(n)} {noun if n == 1 else (plural or noun + 's')}"


def sequence(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def hidden_layers(widths) -> str:
    """[64] -> "one hidden layer of sixty-four"; [16, 16] -> "two hidden layers of
    sixteen"; [16, 12, 8] -> "three hidden layers, of sixteen, twelve and eight"."""
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
