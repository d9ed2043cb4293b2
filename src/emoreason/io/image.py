"""Read still images as RGB arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emoreason.errors import MediaError


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as an RGB uint8 HxWx3 array.

    Raises:
        MediaError: missing, empty or not a decodable image.
    """
    import cv2

    from emoreason.io.probe import check_file

    p = check_file(path)
    data = np.frombuffer(p.read_bytes(), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise MediaError(p, "not a decodable image (corrupt or unsupported format)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
