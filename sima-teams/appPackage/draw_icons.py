#!/usr/bin/env python3
"""Draws the app package's icons with the standard library only.

color.png (192x192): a white warning sign on SIMA red, inside the central
96x96 area Teams asks for. outline.png (32x32): the same sign in white on a
transparent background, the exclamation mark cut out.

Run from anywhere: python3 sima-teams/appPackage/draw_icons.py
"""

import os
import struct
import zlib

RED = (0xC6, 0x28, 0x28)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # sub-pixels per side, for smooth edges


def inside_triangle(x, y):
    """The warning sign's triangle, in a unit square."""
    (ax, ay), (bx, by), (cx, cy) = (0.5, 0.08), (0.96, 0.9), (0.04, 0.9)

    def side(px, py, qx, qy):
        return (x - qx) * (py - qy) - (px - qx) * (y - qy)

    d1, d2, d3 = side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
    negative = d1 < 0 or d2 < 0 or d3 < 0
    positive = d1 > 0 or d2 > 0 or d3 > 0
    return not (negative and positive)


def inside_mark(x, y):
    """The exclamation mark: a bar and a dot."""
    bar = 0.445 <= x <= 0.555 and 0.34 <= y <= 0.66
    dot = (x - 0.5) ** 2 + (y - 0.77) ** 2 <= 0.062 ** 2
    return bar or dot


def sign_coverage(x, y, size):
    """How much of pixel (x, y) of a `size` square the sign (triangle minus mark) covers."""
    hits = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            u = (x + (sx + 0.5) / SAMPLES) / size
            v = (y + (sy + 0.5) / SAMPLES) / size
            if inside_triangle(u, v) and not inside_mark(u, v):
                hits += 1
    return hits / (SAMPLES * SAMPLES)


def png(width, height, pixels):
    """An RGBA PNG of `pixels` (rows of (r, g, b, a))."""
    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in pixels)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def color_icon(size=192, inner=96):
    offset = (size - inner) // 2
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            a = 0.0
            if offset <= x < offset + inner and offset <= y < offset + inner:
                a = sign_coverage(x - offset, y - offset, inner)
            row.append(tuple(round(r + (w - r) * a) for r, w in zip(RED, WHITE)) + (255,))
        rows.append(row)
    return png(size, size, rows)


def outline_icon(size=32):
    rows = [[WHITE + (round(255 * sign_coverage(x, y, size)),) for x in range(size)] for y in range(size)]
    return png(size, size, rows)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "color.png"), "wb") as f:
        f.write(color_icon())
    with open(os.path.join(here, "outline.png"), "wb") as f:
        f.write(outline_icon())
