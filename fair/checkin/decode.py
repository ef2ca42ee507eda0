"""Find card QR codes in an uploaded photo (the plain-HTTP fallback scanner).

Pure and synchronous: no Flask. pyzbar and Pillow hold the CPU in C code, so
the caller runs `decode_image` through `eventlet.tpool`; on the event loop a
12 MP photo would freeze every connected phone for up to a second.

zbar reads a clean, upright-enough code in one pass. Phone photos of phone
screens are not clean, so `decode_image` tries a short list of cheap image
variants, cheapest and most often successful first, and stops at the first
variant that yields a code. The order comes from scripts/bench_decode.py.
"""
from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Callable, Iterator

from PIL import Image, ImageChops, ImageFilter, ImageOps, UnidentifiedImageError
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as zbar_decode

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
# What one decode may hold in memory for the decoded picture (a 4000 × 3000 RGB
# photo takes 48 MB); the passes then work on a grey copy of a quarter of that.
MAX_DECODED_BYTES = 64 * 1024 * 1024
# The largest side kept for the full-size passes: a 12 MP photo stays whole,
# anything larger is decoded (JPEG) or reduced (the rest) to about this.
FULL_SIDE = 4096

# zbar is fastest and most reliable when a code's modules are a few pixels
# wide. On the benchmark set 1200 px decoded as many photos as 1600 px in
# three quarters of the time, and more than 2000 px did; smaller codes get
# the larger and full-size passes.
WORKING_SIDE = 1200
# Below this, modules are likely under 2 px and zbar misses finder patterns.
UPSCALE_BELOW = 900

Variant = Callable[[Image.Image, Image.Image], "Image.Image | None"]


def N_(message: str) -> str:
    """Marks a message for the translation catalog; the route translates it (this module has no Flask)."""
    return message


class ImageRejected(Exception):
    """The upload cannot be decoded; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, **params: int | str) -> None:
        super().__init__(message % params if params else message)
        self.status = status
        self.message = message   # the catalog's text: the route translates it, then fills `params`
        self.params = params


def decode_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
) -> list[str]:
    """The QR texts found in an image file, deduplicated, in order found.

    Raises ImageRejected(413) for a file over `max_bytes` (checked before
    Pillow sees a byte) or one that would take more than `max_decoded_bytes`
    decoded (checked from its header), and ImageRejected(400) for anything that
    is not a readable image or claims more than `max_pixels` pixels.
    """
    gray = load_grayscale(data, max_bytes=max_bytes, max_pixels=max_pixels, max_decoded_bytes=max_decoded_bytes)
    try:
        for _name, found in _attempts(gray, PASSES):
            if found:
                return found
        return []
    finally:
        gray.close()


def decode_with_passes(
    gray: Image.Image, passes: list[tuple[str, Variant]], working_side: int = WORKING_SIDE
) -> tuple[str, list[str]]:
    """Try `passes` in order on a loaded image; (name of the pass that won, codes).

    For the benchmark, which compares orders; returns ("", []) when none wins.
    """
    for name, found in _attempts(gray, passes, working_side):
        if found:
            return name, found
    return "", []


def _attempts(
    gray: Image.Image, passes: list[tuple[str, Variant]], working_side: int = WORKING_SIDE
) -> Iterator[tuple[str, list[str]]]:
    working = working_copy(gray, working_side)
    for name, make_variant in passes:
        variant = make_variant(gray, working)
        if variant is not None:
            yield name, _zbar(variant)


def load_grayscale(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
) -> Image.Image:
    """Open, bound-check, shrink, upright and flatten an upload to 8-bit grayscale.

    Memory is bounded before a pixel is decompressed: a JPEG is decoded straight
    to grey at the smallest 1/2, 1/4 or 1/8 scale that keeps FULL_SIDE (its
    draft mode), and what the rest would take in memory, from the header, must
    stay under `max_decoded_bytes` (ImageRejected(413) otherwise: a 166 KB
    6320×6320 RGBA PNG once cost 630 MB). Anything larger than FULL_SIDE is
    then reduced before the grey conversion and every pass.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageRejected(400, N_("No image data."))
    if len(data) > max_bytes:
        raise ImageRejected(413, N_("The image is larger than %(mb)d MB."), mb=max_bytes // (1024 * 1024))
    if not data:
        raise ImageRejected(400, N_("The file is empty."))
    opened = None
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below replaces Pillow's global bomb check,
            # whose warning would otherwise be noise in the server log.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = opened = Image.open(io.BytesIO(data))
            if image.format == "JPEG":
                image.draft("L", _draft_size(image.size))
            # The header gives the size before any pixel is decompressed.
            if image.width * image.height > max_pixels:
                raise ImageRejected(400, N_("The image has too many pixels."))
            if decoded_bytes(image) > max_decoded_bytes:
                raise ImageRejected(413, N_("The image is too large to read. Send a smaller photo."))
            image.load()
            image = _shrunk(image)
            image = _upright(image)
            return _to_gray(image)
    except ImageRejected:
        raise
    except UnidentifiedImageError:
        raise ImageRejected(400, N_("The file is not an image.")) from None
    except Image.DecompressionBombError:
        raise ImageRejected(400, N_("The image has too many pixels.")) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        # Pillow plugins raise any of these on malformed or cut-off files.
        raise ImageRejected(400, N_("The image is damaged or truncated.")) from None
    finally:
        if opened is not None:
            opened.close()   # the decoded picture now, not when the GC gets to it


def decoded_bytes(image: Image.Image) -> int:
    """What decoding `image` (as opened, or as drafted) will hold in memory, from its header."""
    return image.width * image.height * _BYTES_PER_PIXEL.get(image.mode, 4)


# Pillow keeps 1, L and P in one byte per pixel, 16-bit greys in two, and
# everything else (RGB too) in four. A palette image is counted as the RGBA
# it becomes on the way to grey.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 4, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    longest = max(size)
    if longest <= FULL_SIDE:
        return size
    return (max(1, size[0] * FULL_SIDE // longest), max(1, size[1] * FULL_SIDE // longest))


def _shrunk(image: Image.Image) -> Image.Image:
    """`image` box-reduced by an integer factor so its longest side is at most FULL_SIDE."""
    factor = -(-max(image.size) // FULL_SIDE)
    if factor < 2:
        return image
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("1", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("L" if image.mode == "1" else "I")
    return image.reduce(factor)


def _upright(image: Image.Image) -> Image.Image:
    try:
        if image.getexif().get(0x0112, 1) == 1:
            return image   # upright already: exif_transpose would still copy every pixel
        return ImageOps.exif_transpose(image)
    except Exception:
        # A malformed EXIF block must not cost us a readable picture: zbar
        # finds codes at any rotation, the tag only helps the preview.
        return image


def _to_gray(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _stretch_wide(image)
    if image.mode == "LAB":
        return image.getchannel("L")            # lightness is the grey image
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode == "La":
        image = image.convert("LA")             # Pillow has no La -> RGBA path
    if image.mode in ("RGBA", "LA", "RGBa", "PA"):
        # A transparent PNG code has dark modules on nothing: flattened on
        # black its modules would vanish, so flatten on white. In grey, with
        # the alpha as the paste mask: three one-byte images, not three RGBA.
        if image.mode not in ("RGBA", "LA"):
            image = image.convert("RGBA")
        flat = Image.new("L", image.size, 255)
        flat.paste(image.convert("L"), (0, 0), image.getchannel("A"))
        return flat
    return image.convert("L")


def _stretch_wide(image: Image.Image) -> Image.Image:
    # Pillow clips 16- and 32-bit samples to 255 when converting to L, which
    # turns most 16-bit images white; scale the actual range to 0..255.
    wide = image.convert("F") if image.mode == "F" else image.convert("I").convert("F")
    low, high = wide.getextrema()
    if high <= low:
        return Image.new("L", image.size, 255)
    scale = 255.0 / (high - low)
    return wide.point(lambda v: (v - low) * scale).convert("L")


def working_copy(gray: Image.Image, side: int = WORKING_SIDE) -> Image.Image:
    """`gray` shrunk so its longest side is at most `side` (itself if already)."""
    longest = max(gray.size)
    if longest <= side:
        return gray
    factor = side / longest
    size = (max(1, round(gray.width * factor)), max(1, round(gray.height * factor)))
    # reduce() first: box-averaging by an integer factor is much faster than
    # a full-size resampling filter and anti-aliases just as well.
    step = int(1 / factor)
    base = gray.reduce(step) if step >= 2 else gray
    return base.resize(size, Image.Resampling.BILINEAR)


def _zbar(image: Image.Image) -> list[str]:
    found: list[str] = []
    for symbol in zbar_decode(image, symbols=[ZBarSymbol.QRCODE]):
        text = _text(symbol.data)
        if text not in found:
            found.append(text)
    return found


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- variants: each takes (full-size gray, working copy), may return None ----

def _plain(full: Image.Image, working: Image.Image) -> Image.Image:
    return working


def _inverted(full: Image.Image, working: Image.Image) -> Image.Image:
    return ImageOps.invert(working)


def _autocontrast(full: Image.Image, working: Image.Image) -> Image.Image:
    return ImageOps.autocontrast(working, cutoff=1)


def _denoised(full: Image.Image, working: Image.Image) -> Image.Image:
    # Low light means high ISO: grain breaks zbar's edge runs; a light blur
    # removes it, and autocontrast then restores the dim code's range.
    return ImageOps.autocontrast(working.filter(ImageFilter.GaussianBlur(1.2)), cutoff=1)


def _sharpened(full: Image.Image, working: Image.Image) -> Image.Image:
    return working.filter(ImageFilter.UnsharpMask(radius=3, percent=200, threshold=0))


def _otsu(full: Image.Image, working: Image.Image) -> Image.Image:
    cut = otsu_threshold(working.histogram())
    return working.point(lambda v: 255 if v > cut else 0)


def _local_threshold(full: Image.Image, working: Image.Image) -> Image.Image:
    return local_threshold(working)


def _local_threshold_inverted(full: Image.Image, working: Image.Image) -> Image.Image:
    return ImageOps.invert(local_threshold(working))


def _full_size(full: Image.Image, working: Image.Image) -> Image.Image | None:
    # Only when the working copy was shrunk: a small code in a big photo
    # may have lost its modules in the downscale.
    return full if full is not working else None


def _larger_local_threshold(full: Image.Image, working: Image.Image) -> Image.Image | None:
    # A middle step before the full 12 MP: most small codes already read at
    # twice the working size, for a third of the full-size pass's cost.
    if max(full.size) <= 2 * max(working.size):
        return None
    return local_threshold(working_copy(full, 2 * max(working.size)))


def _upscaled(full: Image.Image, working: Image.Image) -> Image.Image | None:
    if max(full.size) >= UPSCALE_BELOW:
        return None
    return full.resize((full.width * 2, full.height * 2), Image.Resampling.BICUBIC)


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best splits a 256-bin histogram into two classes."""
    counts = histogram[:256]
    total = sum(counts)
    if total == 0:
        return 127
    sum_all = sum(level * count for level, count in enumerate(counts))
    weight_low = sum_low = 0
    best_level, best_spread = 127, -1.0
    for level, count in enumerate(counts):
        weight_low += count
        if weight_low == 0:
            continue
        weight_high = total - weight_low
        if weight_high == 0:
            break
        sum_low += level * count
        mean_low = sum_low / weight_low
        mean_high = (sum_all - sum_low) / weight_high
        spread = weight_low * weight_high * (mean_low - mean_high) ** 2
        if spread > best_spread:
            best_level, best_spread = level, spread
    return best_level


def local_threshold(gray: Image.Image, offset: int = 6) -> Image.Image:
    """Black where a pixel is darker than its neighbourhood, white elsewhere.

    Unlike one global cut, this survives glare and vignetting that make one
    corner of the code much brighter than the other.
    """
    radius = max(8, min(gray.size) // 40)
    local_mean = gray.filter(ImageFilter.BoxBlur(radius))
    darker_by = ImageChops.subtract(local_mean, gray)        # clipped at 0
    return darker_by.point(lambda v: 0 if v > offset else 255)


# Order measured on tests/photos.py by scripts/bench_decode.py (its greedy
# "new photos per ms" ranking). Binarised images are the cheapest for zbar
# (its scanner meets fewer spurious edges) and decode as many photos as the
# raw one; the inverted threshold reads dark-mode screens for the price of
# one more cheap pass. The costly larger and full-size passes come late,
# rare rescuers last: a photo with no code at all runs every pass.
PASSES: list[tuple[str, Variant]] = [
    ("otsu", _otsu),
    ("local_threshold", _local_threshold),           # blur, glare, vignetting
    ("local_threshold_inverted", _local_threshold_inverted),   # dark-mode screens
    ("plain", _plain),
    ("inverted", _inverted),
    ("denoised", _denoised),                         # low light
    ("larger_local_threshold", _larger_local_threshold),   # small code, big photo
    ("full_size", _full_size),
    ("sharpened", _sharpened),                       # blur
    ("upscaled", _upscaled),                         # thumbnails, tiny crops
]

# Benchmarked but not shipped: zbar thresholds adaptively, so a global
# contrast stretch rescued no photo that the passes above miss.
BENCHMARK_ONLY: list[tuple[str, Variant]] = [("autocontrast", _autocontrast)]

ALL_VARIANTS: list[tuple[str, Variant]] = PASSES + BENCHMARK_ONLY
