"""Read a still image safely: header checks before decoding, odd modes normalised, notes kept.

What can go wrong with a photo and what happens:

* missing, empty, a folder, unreadable → :class:`~emoreason.errors.MediaError` (one line);
* not an image, corrupt or truncated data → ``MediaError`` (Pillow's own message, shortened);
* huge: the header's size is read first; a JPEG is decoded straight at 1/2, 1/4 or 1/8 scale
  (libjpeg's DCT scaling, never the full-size bitmap); any other format over
  :data:`MAX_PIXELS` is refused before decoding;
* animated (GIF, APNG, WebP): the first frame is used and a note says so;
* CMYK, 16-bit, palette, grey or alpha images become 8-bit RGB (alpha flattened on white),
  and EXIF orientation is applied; each such step is noted.

The analysed picture is downscaled to ``max_side`` pixels; :attr:`LoadedImage.scale` maps its
pixels back to the source's (display-oriented) pixels.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoreason.errors import MediaError

#: Largest image decoded at full size (pixels); a bigger JPEG is decoded at a reduced scale.
MAX_PIXELS = 40_000_000
#: Longer side of the picture the analysis runs on.
DEFAULT_MAX_SIDE = 1280


@dataclass
class LoadedImage:
    """An RGB uint8 picture ready for analysis, and how it was obtained."""

    path: Path
    rgb: np.ndarray
    source_size: tuple[int, int]  # (width, height) after EXIF orientation, pixels
    format: str
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the analysed picture."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])

    @property
    def scale(self) -> float:
        """Source pixels per analysed pixel."""
        return self.source_size[0] / max(self.size[0], 1)


def _open(path: Path) -> object:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # the size is checked by _reduce_huge, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise MediaError(path, f"image refused as too large to decode safely ({exc})") from None
    except UnidentifiedImageError:
        raise MediaError(path, "not a readable image (unknown format or corrupt header)") from None
    except (OSError, ValueError) as exc:
        raise MediaError(path, f"cannot open image ({exc})") from None


def _reduce_huge(img: object, path: Path, notes: list[str]) -> None:
    """Refuse or draft-decode an image whose header says it is over :data:`MAX_PIXELS`."""
    w, h = img.size  # type: ignore[attr-defined]
    if w * h <= MAX_PIXELS:
        return
    if img.format == "JPEG":  # type: ignore[attr-defined]
        # draft() picks the largest 1/2^k scale that stays at or above the requested size; asking
        # for half the target size lands within a factor of two under the pixel limit
        f = (MAX_PIXELS / (w * h)) ** 0.5 / 2
        img.draft("RGB", (max(1, int(w * f)), max(1, int(h * f))))  # type: ignore[attr-defined]
        dw, dh = img.size  # type: ignore[attr-defined]
        if dw * dh <= MAX_PIXELS:
            notes.append(f"huge image ({w}×{h}): decoded at reduced scale {dw}×{dh}")
            return
    raise MediaError(
        path, f"image is {w}×{h} ({w * h / 1e6:.0f} MP), over the {MAX_PIXELS / 1e6:.0f} MP limit; "
        "downscale it first (e.g. to 4000 px on the longer side)",
    )


def _to_rgb(img: object, notes: list[str]) -> object:
    """8-bit RGB version of `img`, noting every conversion that changes what is seen."""
    from PIL import Image

    mode = img.mode  # type: ignore[attr-defined]
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        notes.append(f"{'16' if top > 255 else '32'}-bit grey image scaled to 8 bits")
        return Image.fromarray(np.clip(arr / top * 255.0, 0, 255).astype(np.uint8)).convert("RGB")
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        notes.append("floating-point image rescaled to 8 bits")
        return Image.fromarray(((arr - lo) / max(hi - lo, 1e-9) * 255).astype(np.uint8)).convert("RGB")
    if mode == "P" and "transparency" in img.info:  # type: ignore[attr-defined]
        img, mode = img.convert("RGBA"), "RGBA"  # type: ignore[attr-defined]
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")  # type: ignore[attr-defined]
        if np.asarray(rgba)[..., 3].min() < 255:
            notes.append("transparent areas flattened on white")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode == "CMYK":
        notes.append("CMYK image converted to RGB")
    elif mode in ("L", "1"):
        notes.append("greyscale image: colour statistics are not meaningful")
    return img.convert("RGB") if mode != "RGB" else img  # type: ignore[attr-defined]


def load_image(path: str | Path, *, max_side: int | None = DEFAULT_MAX_SIDE) -> LoadedImage:
    """Read `path` as an RGB picture for analysis (see the module docstring for bad input).

    Raises:
        MediaError: missing, empty, not an image, corrupt, truncated or too large.
    """
    from PIL import Image, ImageOps

    from emoreason.io.probe import check_file

    p = check_file(path)
    notes: list[str] = []
    img = _open(p)
    fmt = str(img.format or p.suffix.lstrip(".")).lower()
    frames = int(getattr(img, "n_frames", 1) or 1)
    if frames > 1:
        notes.append(f"animated image ({frames} frames): only the first frame was read")
    header = img.size
    _reduce_huge(img, p, notes)
    orientation = 1
    try:
        img.load()
        orientation = img.getexif().get(0x0112, 1)
        if orientation not in (None, 1):
            img = ImageOps.exif_transpose(img)
            notes.append(f"EXIF orientation {orientation} applied")
        rgb_img = _to_rgb(img, notes)
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data (Pillow raises these)
        reason = str(exc).split("\n")[0] or type(exc).__name__
        raise MediaError(p, f"image data is corrupt or truncated ({reason})") from None
    except Image.DecompressionBombError as exc:
        raise MediaError(p, f"image refused: {exc}") from None
    source_size = (int(header[1]), int(header[0])) if orientation in (5, 6, 7, 8) else (int(header[0]), int(header[1]))
    if max_side and max(rgb_img.size) > max_side:
        ratio = max_side / max(rgb_img.size)
        rgb_img = rgb_img.resize(
            (max(1, round(rgb_img.size[0] * ratio)), max(1, round(rgb_img.size[1] * ratio))), Image.Resampling.LANCZOS
        )
    rgb = np.ascontiguousarray(np.asarray(rgb_img, dtype=np.uint8))
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < 8:
        raise MediaError(p, f"image too small to analyse ({rgb.shape[1]}×{rgb.shape[0]} px)")
    return LoadedImage(path=p, rgb=rgb, source_size=source_size, format=fmt, notes=notes)
