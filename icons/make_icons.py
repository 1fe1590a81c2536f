#!/usr/bin/env python3
"""Draws the Tokenwatch app icons (RGBA PNGs) with the standard library only.

A rounded dark-teal square holding a light "eye" whose iris is a small radar
(ring, sweep wedge and pupil). Edges are anti-aliased by supersampling.

    python3 icons/make_icons.py      # writes the PNGs next to this script
"""

import math
import os
import struct
import zlib

OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# (file name, pixel size, supersampling factor per axis)
TARGETS = [
    ("32x32.png", 32, 8),
    ("128x128.png", 128, 5),
    ("128x128@2x.png", 256, 4),
    ("icon.png", 512, 3),
]

BG_TOP = (18, 94, 104)  # dark teal, top-left
BG_BOTTOM = (8, 52, 62)  # darker teal, bottom-right
INK = (226, 250, 246)  # light mint for the mark
SWEEP = (94, 214, 196)  # radar sweep, brighter teal


def rounded_square_sdf(x, y, half, radius):
    """Signed distance to a rounded square centred at the origin."""
    qx = abs(x) - (half - radius)
    qy = abs(y) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - radius


def eye_geometry(w, h):
    """Two circles whose intersection is an almond of half-width w, half-height h."""
    radius = (w * w / h + h) / 2.0
    offset = (w * w / h - h) / 2.0
    return radius, offset


def sample(u, v):
    """Colour (r, g, b, a) at a point in unit coordinates, u, v in [-1, 1]."""
    # Background: rounded square with a small margin.
    if rounded_square_sdf(u, v, 0.92, 0.36) > 0.0:
        return (0.0, 0.0, 0.0, 0.0)
    t = min(max((u + v + 1.84) / 3.68, 0.0), 1.0)
    col = [BG_TOP[i] + (BG_BOTTOM[i] - BG_TOP[i]) * t for i in range(3)]

    # Eye outline: stroked almond.
    eye_r, eye_d = eye_geometry(0.70, 0.40)
    d_eye = max(math.hypot(u, v - eye_d), math.hypot(u, v + eye_d)) - eye_r
    inside_eye = d_eye < 0.0
    if abs(d_eye) < 0.055:
        return (*INK, 255.0)

    if inside_eye:
        dist = math.hypot(u, v)
        iris_r = 0.30
        # Radar sweep: a wedge trailing the hand clockwise inside the iris.
        if dist < iris_r:
            angle = math.degrees(math.atan2(-v, u)) % 360.0
            hand = 45.0
            behind = (hand - angle) % 360.0
            if behind < 70.0:
                k = 1.0 - behind / 70.0
                col = [col[i] + (SWEEP[i] - col[i]) * (0.75 * k) for i in range(3)]
        # Iris ring.
        if abs(dist - iris_r) < 0.045:
            return (*INK, 255.0)
        # Radar hand from the centre towards the sweep's leading edge.
        if dist < iris_r:
            hx, hy = math.cos(math.radians(45.0)), -math.sin(math.radians(45.0))
            along = u * hx + v * hy
            across = abs(-u * hy + v * hx)
            if 0.0 < along < iris_r and across < 0.022:
                return (*INK, 255.0)
        # Pupil.
        if dist < 0.095:
            return (*INK, 255.0)

    return (col[0], col[1], col[2], 255.0)


def render(size, ss):
    """Rows of RGBA bytes, each pixel the average of ss*ss samples."""
    rows = []
    inv = 1.0 / (size * ss)
    n = float(ss * ss)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            r = g = b = a = 0.0
            for sy in range(ss):
                v = ((py * ss + sy + 0.5) * inv) * 2.0 - 1.0
                for sx in range(ss):
                    u = ((px * ss + sx + 0.5) * inv) * 2.0 - 1.0
                    cr, cg, cb, ca = sample(u, v)
                    # Premultiply so transparent samples do not darken edges.
                    r += cr * ca
                    g += cg * ca
                    b += cb * ca
                    a += ca
            if a > 0.0:
                row += bytes((round(r / a), round(g / a), round(b / a), round(a / n)))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return rows


def png_bytes(size, rows):
    """An 8-bit RGBA PNG (colour type 6), unfiltered rows."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main():
    for name, size, ss in TARGETS:
        path = os.path.join(OUT_DIR, name)
        with open(path, "wb") as f:
            f.write(png_bytes(size, render(size, ss)))
        print(f"wrote {path} ({size}x{size})")


if __name__ == "__main__":
    main()
