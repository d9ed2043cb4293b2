"""Bad and odd image files: one clear error, or a picture with notes saying what was changed."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emoreason.errors import MediaError
from emoreason.images import loading
from emoreason.images.loading import load_image


def _photo(h: int = 120, w: int = 160) -> np.ndarray:
    rng = np.random.default_rng(0)
    base = np.linspace(0, 255, w, dtype=np.float64)[None, :, None].repeat(h, 0).repeat(3, 2)
    return np.clip(base + rng.normal(0, 10, (h, w, 3)), 0, 255).astype(np.uint8)


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose IHDR claims width×height (no pixel data worth decoding)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
                     + chunk(b"IEND", b""))


@pytest.mark.parametrize("name, data, match", [
    ("empty.jpg", b"", "empty"),
    ("noise.jpg", b"this is not an image at all" * 10, "not a readable image"),
])
def test_unusable_files_raise_one_line(tmp_path: Path, name: str, data: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(MediaError, match=match) as info:
        load_image(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not found"):
        load_image(tmp_path / "nope.png")


def test_truncated_jpeg(tmp_path: Path) -> None:
    full = tmp_path / "full.jpg"
    Image.fromarray(_photo()).save(full, quality=90)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    with pytest.raises(MediaError, match="corrupt or truncated"):
        load_image(cut)


def test_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    _png_header_only(path, 12000, 12000)
    with pytest.raises(MediaError, match=r"12000×12000 \(144 MP\).*downscale"):
        load_image(path)


def test_huge_jpeg_is_decoded_at_reduced_scale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.jpg"
    Image.fromarray(_photo(480, 640)).save(path, quality=90)
    monkeypatch.setattr(loading, "MAX_PIXELS", 100_000)
    image = load_image(path, max_side=None)
    assert image.size[0] * image.size[1] <= 100_000 and image.source_size == (640, 480)
    assert any("reduced scale" in n for n in image.notes)


def test_animated_gif_uses_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    frames = [Image.fromarray(np.full((40, 50, 3), v, np.uint8)) for v in (30, 220)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = load_image(path)
    assert image.rgb.mean() < 100  # the dark first frame, not the bright second
    assert any("animated image (2 frames)" in n for n in image.notes)


def test_cmyk_16bit_alpha_and_exif(tmp_path: Path) -> None:
    cmyk = tmp_path / "cmyk.jpg"
    Image.fromarray(_photo()).convert("CMYK").save(cmyk)
    assert any("CMYK" in n for n in load_image(cmyk).notes)

    deep = tmp_path / "deep.png"
    Image.fromarray((np.linspace(0, 65535, 80 * 60).reshape(60, 80)).astype(np.uint16)).save(deep)
    deep_img = load_image(deep)
    assert deep_img.rgb.dtype == np.uint8 and deep_img.rgb.max() > 200
    assert any("16-bit" in n for n in deep_img.notes)

    alpha = tmp_path / "alpha.png"
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[..., 3] = 0  # fully transparent: flattened on white
    Image.fromarray(rgba, "RGBA").save(alpha)
    flat = load_image(alpha)
    assert flat.rgb.min() == 255 and any("transparent" in n for n in flat.notes)

    rotated = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    Image.fromarray(_photo(60, 100)).save(rotated, exif=exif)
    turned = load_image(rotated)
    assert turned.size == (60, 100) and turned.source_size == (60, 100)
    assert any("EXIF orientation 6" in n for n in turned.notes)


def test_downscale_keeps_source_size(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    Image.fromarray(_photo(300, 900)).save(path)
    image = load_image(path, max_side=300)
    assert image.size == (300, 100) and image.source_size == (900, 300) and image.scale == pytest.approx(3.0)
