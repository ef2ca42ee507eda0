"""A fake camera for Chromium: YUV4MPEG2 (Y4M) videos of a card, made with Pillow.

Chromium plays a Y4M file as the camera when launched with
``--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE.y4m``
(and loops it). The gate and booth pages then decode the frames with their
in-browser decoder: Linux Chromium has no native BarcodeDetector, so that is
the vendored jsQR.

Variants, each a few seconds of 640 x 480 at 10 frames a second:

- ``steady``: the card held still, filling about two thirds of the frame;
- ``moving``: drifting and wobbling, slightly blurred, as in a shaking hand;
- ``small``: held far away (the QR about 100 px wide);
- ``tilted``: rotated 25 degrees and seen at an angle (perspective: the far edge 10 % shorter);
- ``dark``: a dark-mode screen, light modules on a dark background.

Files go to a temporary directory the caller gives, never into the repository.
"""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Iterable

from PIL import Image, ImageFilter, ImageOps

WIDTH, HEIGHT = 640, 480
FPS = 10
BACKGROUND = (118, 112, 104)          # a desk under venue lighting
DARK_SCREEN = (18, 18, 22)            # the card page's dark-mode background

VARIANTS = ("steady", "moving", "small", "tilted", "dark")


def write_y4m(path: Path, frames: Iterable[Image.Image], fps: int = FPS) -> Path:
    """Write RGB frames (all WIDTH x HEIGHT) as a 4:2:0 Y4M file Chromium can play."""
    path = Path(path)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            if frame.size != (WIDTH, HEIGHT):
                raise ValueError(f"frame is {frame.size}, expected {(WIDTH, HEIGHT)}")
            y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
            half = (WIDTH // 2, HEIGHT // 2)
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(cb.resize(half, Image.Resampling.BOX).tobytes())
            out.write(cr.resize(half, Image.Resampling.BOX).tobytes())
    return path


def card_image(png: bytes) -> Image.Image:
    """A card PNG (/me/<link>/card.png, or a bare QR from cards.qr_png) as an RGB image."""
    return Image.open(io.BytesIO(png)).convert("RGB")


def _fit(card: Image.Image, width: int) -> Image.Image:
    height = round(card.height * width / card.width)
    return card.resize((width, height), Image.Resampling.LANCZOS)


def _place(card: Image.Image, background=BACKGROUND, dx: int = 0, dy: int = 0) -> Image.Image:
    frame = Image.new("RGB", (WIDTH, HEIGHT), background)
    frame.paste(card, ((WIDTH - card.width) // 2 + dx, (HEIGHT - card.height) // 2 + dy))
    return frame


def _rotated(card: Image.Image, degrees: float, background) -> Image.Image:
    return card.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=background)


def _perspective(card: Image.Image, lean: float, background) -> Image.Image:
    """The card seen from one side: its right edge shorter than its left by `lean` of its height."""
    w, h = card.size
    shrink = h * lean / 2
    # Pillow's transform maps output corners to input points (NW, SW, SE, NE).
    quad = (0, 0, 0, h, w, h + shrink, w, -shrink)
    return card.transform((w, h), Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC,
                          fillcolor=background)


def frames(card: Image.Image, variant: str, seconds: float = 2.0) -> list[Image.Image]:
    """The frames of one variant of holding `card` up to the camera."""
    count = max(1, round(seconds * FPS))
    if variant == "steady":
        still = _place(_fit(card, 560))
        return [still] * count
    if variant == "small":
        # The QR part of a card is about 56 % of its width: about 110 px here.
        return [_place(_fit(card, 200))] * count
    if variant == "moving":
        fitted = _fit(card, 440)
        out = []
        for i in range(count):
            phase = 2 * math.pi * i / count
            turned = _rotated(fitted, 4 * math.sin(phase * 2), BACKGROUND)
            frame = _place(turned, dx=round(60 * math.sin(phase)), dy=round(25 * math.cos(phase)))
            out.append(frame.filter(ImageFilter.GaussianBlur(0.8)))
        return out
    if variant == "tilted":
        # Held at an angle: rotated and leaning away (the far edge 10 % shorter). jsQR gives up
        # somewhere below 18 %, which is a card held at a steep angle to the camera.
        leaned = _perspective(_fit(card, 480), 0.10, BACKGROUND)
        return [_place(_rotated(leaned, 25, BACKGROUND))] * count
    if variant == "dark":
        # Dark mode: the page is dark and the card drawn light-on-dark (inverted).
        inverted = ImageOps.invert(card.convert("RGB"))
        return [_place(_fit(inverted, 520), background=DARK_SCREEN)] * count
    raise ValueError(f"unknown variant {variant!r}; one of {', '.join(VARIANTS)}")


def card_video(png: bytes, variant: str, directory: Path, name: str | None = None,
               seconds: float = 2.0) -> Path:
    """A Y4M file of the card in `png`, as `variant`, written in `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or 'card'}-{variant}.y4m"
    return write_y4m(path, frames(card_image(png), variant, seconds))


def preview(path: Path, frame_index: int = 0) -> Image.Image:
    """Read one frame back from a Y4M file written here (for debugging a variant by eye)."""
    data = Path(path).read_bytes()
    header, _, rest = data.partition(b"\n")
    size = WIDTH * HEIGHT
    frame_bytes = len(b"FRAME\n") + size * 3 // 2
    start = frame_index * frame_bytes + len(b"FRAME\n")
    y = Image.frombytes("L", (WIDTH, HEIGHT), rest[start:start + size])
    half = (WIDTH // 2, HEIGHT // 2)
    cb = Image.frombytes("L", half, rest[start + size:start + size + size // 4]).resize((WIDTH, HEIGHT))
    cr = Image.frombytes("L", half, rest[start + size + size // 4:start + size * 3 // 2]).resize((WIDTH, HEIGHT))
    return Image.merge("YCbCr", (y, cb, cr)).convert("RGB")
