#!/usr/bin/env python3
"""Saves a PNG screenshot of an X display (xwd's dump converted with the standard library).

Usage: x11_screenshot.py DISPLAY OUT.png
"""
import struct
import subprocess
import sys
import zlib


def xwd_to_rgb(data: bytes):
    header = struct.unpack(">25I", data[:100])
    header_size, width, height = header[0], header[4], header[5]
    byte_order, bits_per_pixel, bytes_per_line, ncolors = header[7], header[11], header[12], header[19]
    if bits_per_pixel not in (24, 32):
        raise SystemExit(f"unsupported xwd depth: {bits_per_pixel} bits per pixel")
    step = bits_per_pixel // 8
    pixels = data[header_size + ncolors * 12:]
    rows = []
    for y in range(height):
        line = pixels[y * bytes_per_line: y * bytes_per_line + width * step]
        rgb = bytearray(width * 3)
        if byte_order == 0:  # LSBFirst: B G R [X]
            rgb[0::3], rgb[1::3], rgb[2::3] = line[2::step], line[1::step], line[0::step]
        else:  # MSBFirst: [X] R G B
            off = step - 3
            rgb[0::3], rgb[1::3], rgb[2::3] = line[off::step], line[off + 1::step], line[off + 2::step]
        rows.append(b"\x00" + bytes(rgb))
    return width, height, b"".join(rows)


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    display, out = sys.argv[1], sys.argv[2]
    dump = subprocess.run(["xwd", "-root", "-silent", "-display", display], check=True, capture_output=True).stdout
    with open(out, "wb") as f:
        f.write(png(*xwd_to_rgb(dump)))


if __name__ == "__main__":
    main()
