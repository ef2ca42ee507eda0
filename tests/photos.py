"""Deterministic "phone photo of a phone screen" images of a card QR.

Used by tests/unit/test_checkin_decode.py and scripts/bench_decode.py to measure
server-side decoding on the kinds of pictures gate staff actually upload:
a phone held at an angle, glare from the hall's lights, a dim corner, a
12 MP photo where the card is small, a dark-mode screen, heavy compression.

Pillow only (numpy is not a dependency), seeded, so a failing photo can be
regenerated from its kind, index and seed.
"""
from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from fair.checkin.cards import qr_matrix

KINDS: tuple[str, ...] = (
    "screenshot", "blur", "rotation", "perspective", "glare",
    "low_light", "small", "inverted", "jpeg", "combo",
)

Point = tuple[float, float]


def degraded_set(token: str, n_per_kind: int, seed: int = 1) -> list[tuple[str, bytes]]:
    """`n_per_kind` photos of `token` for every kind in KINDS, as (kind, bytes)."""
    return [
        (kind, degraded_photo(token, kind, random.Random(f"{seed}:{kind}:{index}")))
        for kind in KINDS
        for index in range(n_per_kind)
    ]


def degraded_photo(token: str, kind: str, rng: random.Random) -> bytes:
    """One encoded image (JPEG, or PNG for a screenshot) of the given kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if kind == "screenshot":
        return _encode(card_screen(token, module_px=rng.randint(4, 9), rng=rng), "PNG")

    dark = kind == "inverted"
    small = kind == "small"
    frame = (4000, 3000) if small else rng.choice([(1600, 1200), (2048, 1536), (2400, 1800)])
    module_px = rng.randint(5, 9)
    phone = _phone(card_screen(token, module_px=module_px, rng=rng, dark=dark))

    # Share of the frame's height the phone covers: a small card is a person
    # holding their phone out at arm's length in a 12 MP photo; heavy JPEG
    # hurts most when its 8 px blocks are as big as a module.
    cover = {"small": rng.uniform(0.15, 0.2), "jpeg": rng.uniform(0.45, 0.6)}.get(
        kind, rng.uniform(0.6, 0.95))
    angle = {"rotation": rng.uniform(5, 30), "combo": rng.uniform(5, 20)}.get(
        kind, rng.uniform(0, 4))
    angle *= rng.choice([-1, 1])
    tilt = {"perspective": rng.uniform(0.1, 0.2), "combo": rng.uniform(0.05, 0.12)}.get(kind, 0.02)
    scene, box, scale = _place(phone, frame, cover, angle, tilt, rng)
    module = module_px * scale          # one QR module, in photo pixels

    if kind == "blur":
        scene = _in_box(scene, box, ImageFilter.GaussianBlur(module * rng.uniform(0.3, 0.45)))
    elif kind == "combo":
        scene = _in_box(scene, box, ImageFilter.GaussianBlur(module * rng.uniform(0.15, 0.25)))
    else:
        scene = _in_box(scene, box, ImageFilter.GaussianBlur(0.6))    # camera optics
    if kind in ("glare", "combo"):
        strength = rng.uniform(0.75, 0.92) if kind == "glare" else rng.uniform(0.6, 0.75)
        scene = _glare(scene, box, rng, strength)
    if kind == "low_light":
        # A dim hall: the exposure leaves 25..50 grey levels between dark and
        # light modules, under sensor grain of 6..12 levels. Darker than this
        # (signal near the grain) even a person could not read the code, and
        # a phone's auto-exposure brightens a self-lit screen first.
        scene = _low_light(scene, rng, level=rng.uniform(0.1, 0.2), noise=rng.uniform(6, 12))
    elif kind == "combo":
        scene = _low_light(scene, rng, level=rng.uniform(0.3, 0.5), noise=8)

    quality = {"jpeg": rng.randint(10, 20), "combo": rng.randint(25, 40)}.get(kind, 85)
    exif_rotated = kind == "rotation" and rng.random() < 0.5
    return _encode(scene, "JPEG", quality=quality, exif_rotated=exif_rotated)


def card_screen(
    token: str, *, module_px: int, rng: random.Random, dark: bool = False
) -> Image.Image:
    """The card page as a phone shows it: header, name lines, QR on a plate."""
    matrix = qr_matrix(token)
    side = len(matrix) * module_px
    width = side + 2 * rng.randint(20, 60)
    height = int(width * rng.uniform(1.9, 2.2))
    page = Image.new("RGB", (width, height), (246, 247, 250))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, width, height // 9), fill=(22, 96, 170))
    for line in range(3):
        top = height // 9 + 30 + line * 34
        draw.rectangle((24, top, 24 + rng.randint(width // 3, width - 48), top + 16),
                       fill=(70, 70, 80))
    qr = Image.new("1", (len(matrix), len(matrix)))
    qr.putdata([0 if cell else 1 for row in matrix for cell in row])
    qr = qr.convert("RGB").resize((side, side), Image.Resampling.NEAREST)
    page.paste(qr, ((width - side) // 2, int(height * 0.38)))
    # Dark mode as an app without a white plate would draw it: the whole
    # page, code included, in inverted colours.
    return ImageOps.invert(page) if dark else page


def _phone(screen: Image.Image) -> Image.Image:
    bezel = max(12, screen.width // 25)
    size = (screen.width + 2 * bezel, screen.height + 2 * bezel)
    body = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(body).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1),
                                           radius=bezel * 3, fill=(18, 18, 20, 255))
    body.paste(screen, (bezel, bezel))
    return body


def _background(frame: tuple[int, int], rng: random.Random) -> Image.Image:
    # A table top: a soft gradient with coarse texture, so the decoder sees
    # edges that are not the code. Built small and scaled up: 12 MP of
    # per-pixel work would make the set too slow for a unit test.
    base = tuple(rng.randint(90, 200) for _ in range(3))
    small = Image.new("RGB", (8, 6), base)
    for x in range(8):
        for y in range(6):
            small.putpixel((x, y), tuple(max(0, min(255, c + rng.randint(-40, 40))) for c in base))
    rough = (frame[0] // 6, frame[1] // 6)
    grain = Image.merge("RGB", (_noise(rough, 18, rng),) * 3)
    textured = ImageChops.add(small.resize(rough, Image.Resampling.BICUBIC), grain, offset=-128)
    return textured.resize(frame, Image.Resampling.BILINEAR)


Box = tuple[int, int, int, int]


def _place(
    phone: Image.Image, frame: tuple[int, int], cover: float, angle: float, tilt: float,
    rng: random.Random,
) -> tuple[Image.Image, Box, float]:
    """The phone warped into a scene; also its bounding box and mean scale."""
    scale = frame[1] * cover / phone.height
    half_w, half_h = phone.width * scale / 2, phone.height * scale / 2
    slack_x = max(0.0, frame[0] / 2 - half_w * 1.25)
    slack_y = max(0.0, frame[1] / 2 - half_h * 1.25)
    cx = frame[0] / 2 + rng.uniform(-slack_x, slack_x) * 0.8
    cy = frame[1] / 2 + rng.uniform(-slack_y, slack_y) * 0.8
    rad = math.radians(angle)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        # Keystone: move each corner along its own diagonal by a random share.
        jitter = 1 + rng.uniform(-tilt, tilt)
        x, y = sx * half_w * jitter, sy * half_h * jitter
        corners.append((cx + x * math.cos(rad) - y * math.sin(rad),
                        cy + x * math.sin(rad) + y * math.cos(rad)))
    box = _clip_box(corners, frame)
    # Warp only into the phone's bounding box; the rest is background.
    local = [(x - box[0], y - box[1]) for x, y in corners]
    source = [(0, 0), (phone.width, 0), (phone.width, phone.height), (0, phone.height)]
    warped = phone.transform((box[2] - box[0], box[3] - box[1]), Image.Transform.PERSPECTIVE,
                             _perspective_coefficients(local, source), Image.Resampling.BICUBIC)
    scene = _background(frame, rng)
    scene.paste(warped, box[:2], warped)
    return scene, box, scale


def _clip_box(points: list[Point], frame: tuple[int, int]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (max(0, int(min(xs)) - 4), max(0, int(min(ys)) - 4),
            min(frame[0], int(max(xs)) + 5), min(frame[1], int(max(ys)) + 5))


def _in_box(scene: Image.Image, box: Box, image_filter: ImageFilter.Filter) -> Image.Image:
    # Filters cost per pixel; only the phone's region matters to a decoder.
    scene.paste(scene.crop(box).filter(image_filter), box[:2])
    return scene


def _perspective_coefficients(dst: list[Point], src: list[Point]) -> list[float]:
    """Pillow's 8 PERSPECTIVE coefficients mapping output `dst` onto input `src`."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    return _solve(rows)


def _solve(rows: list[list[float]]) -> list[float]:
    # Gauss-Jordan with partial pivoting on an augmented 8x9 matrix.
    n = len(rows)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        rows[col] = [value / lead for value in rows[col]]
        for r in range(n):
            if r != col and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return [row[n] for row in rows]


def _glare(scene: Image.Image, box: Box, rng: random.Random, strength: float) -> Image.Image:
    # A ceiling light reflected in the screen: a white blob fading outwards,
    # falling somewhere on the phone, often right across the code.
    size = min(box[2] - box[0], box[3] - box[1])
    radius = max(8, int(size * rng.uniform(0.3, 0.55)))
    blob = ImageOps.invert(Image.radial_gradient("L")).resize((2 * radius, 2 * radius))
    blob = blob.point(lambda v: int(v * strength))
    mask = Image.new("L", scene.size, 0)
    cx = int(box[0] + (box[2] - box[0]) * rng.uniform(0.3, 0.7))
    cy = int(box[1] + (box[3] - box[1]) * rng.uniform(0.35, 0.65))
    mask.paste(blob, (cx - radius, cy - radius))
    return Image.composite(Image.new("RGB", scene.size, (255, 255, 250)), scene, mask)


def _low_light(scene: Image.Image, rng: random.Random, level: float, noise: float) -> Image.Image:
    dim = scene.point(lambda v: int(v * level) + 4)
    # Sensor noise from one tile repeated: per-pixel noise over 12 MP would
    # dominate the generator's run time, and a decoder cannot exploit it.
    tile = Image.merge("RGB", (_noise((509, 503), noise, rng),) * 3)
    grain = Image.new("RGB", scene.size)
    for x in range(0, scene.width, tile.width):
        for y in range(0, scene.height, tile.height):
            grain.paste(tile, (x, y))
    return ImageChops.add(dim, grain, offset=-128)


def _noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Zero-mean noise around 128 with standard deviation `sigma`, from `rng`.

    Image.effect_noise would be simpler but draws from C's rand(), which
    no seed reaches: the set would differ on every run.
    """
    uniform = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    spread = sigma / 73.9          # the standard deviation of uniform 0..255
    return uniform.point(lambda v: int(128 + (v - 127.5) * spread))


def _encode(image: Image.Image, fmt: str, quality: int = 85, exif_rotated: bool = False) -> bytes:
    out = io.BytesIO()
    if exif_rotated:
        # As a phone held sideways saves it: pixels in sensor orientation and
        # an EXIF tag telling viewers to turn the picture 90 degrees right.
        exif = Image.Exif()
        exif[0x0112] = 6
        image.transpose(Image.Transpose.ROTATE_90).save(out, fmt, quality=quality, exif=exif)
    elif fmt == "JPEG":
        image.save(out, fmt, quality=quality)
    else:
        image.save(out, fmt)
    return out.getvalue()
