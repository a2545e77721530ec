"""The committed icon renders match the SVG, in every size each platform needs."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtSvg import QSvgRenderer

REPO = Path(__file__).resolve().parents[2]
ICONS = REPO / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _render(size: int) -> QImage:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "render_icons", REPO / "packaging" / "render_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render(QSvgRenderer(str(ICONS / "news-annotator.svg")), size)


@pytest.mark.parametrize("size", SIZES)
def test_each_png_is_the_svg_rendered_at_its_size(qapp, size):
    committed = QImage(str(ICONS / "hicolor" / f"{size}x{size}" / "apps" / "news-annotator.png"))
    assert (committed.width(), committed.height()) == (size, size)
    assert committed.hasAlphaChannel()
    fresh = _render(size).convertToFormat(QImage.Format.Format_ARGB32)
    committed = committed.convertToFormat(QImage.Format.Format_ARGB32)
    # Anti-aliasing may differ by a shade between Qt versions; the picture may not.
    total = 0
    for y in range(size):
        for x in range(size):
            a, b = committed.pixelColor(x, y), fresh.pixelColor(x, y)
            total += sum(abs(p - q) for p, q in zip(a.getRgb(), b.getRgb(), strict=True))
    assert total / (size * size * 4) < 2.0, "re-run packaging/render_icons.py and commit the PNGs"


def test_windows_icon_holds_every_size_as_png(qapp):
    data = (REPO / "packaging" / "windows" / "news-annotator.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, 7)
    reader = QImageReader(str(REPO / "packaging" / "windows" / "news-annotator.ico"))
    sizes = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        sizes.append(reader.read().width())
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_macos_icon_holds_every_size(qapp):
    path = REPO / "packaging" / "macos" / "news-annotator.icns"
    data = path.read_bytes()
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    reader = QImageReader(str(path))
    sizes = set()
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        sizes.add(reader.read().width())
    assert sizes == {16, 32, 64, 128, 256, 512, 1024}
