"""Reading a parsed JSON document field by field, refusing what is not there or not right.

The export reader (schema.py) and its sections (backprop.py) check every value they
take from a file the same way; a refusal is one UserError naming where in the file.
"""
from __future__ import annotations

import numpy as np

from .errors import UserError


def expect(condition, message: str) -> None:
    if not condition:
        raise UserError(message)


def field(obj: dict, key: str, kind, prefix: str = ""):
    """obj[key], if it is a `kind`; `prefix` says where obj is in the file."""
    value = obj.get(key)
    expect(isinstance(value, kind), f"{prefix}{key} is missing or not a {kind.__name__}")
    return value


def array(value, shape: tuple, where: str) -> np.ndarray:
    """`value` as a finite float array of exactly `shape`."""
    try:
        result = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise UserError(f"{where} is ragged or holds non-numbers (expected shape {shape_text(shape)})") from None
    expect(result.shape == shape, f"{where} has shape {shape_text(result.shape)}, expected {shape_text(shape)}")
    expect(bool(np.isfinite(result).all()), f"{where} holds NaN or infinite values")
    return result


def shape_text(shape) -> str:
    return "x".join(map(str, shape)) or "scalar"
