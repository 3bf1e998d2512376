#!/usr/bin/env python3
"""Run `paper2d --quick` into a temporary folder and check its output: every
expected file exists, every PNG decodes (signature, chunk CRCs, IHDR, IDAT
inflating to height * (1 + width * bytes per pixel)), every SVG parses,
report.html links every figure and states the numbers of summary.json, the
data set loads with numpy when it is installed, and the stack file has a
valid checksum.

Usage: test_paper2d.py PATH/TO/paper2d"""
import html.parser
import json
import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

LEVELS = 3
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples a pixel


def expected_files():
    names = ["report.html", "summary.json", "dataset.npy", "stack.rgrbm",
             "reconstructions.png", "training_curves.svg"]
    for level in range(1, LEVELS + 1):
        names += ["receptive_fields_level%d.png" % level, "magnetization_level%d.svg" % level]
    for layer in range(LEVELS):
        names += ["stack_%s_%d.npy" % (kind, layer)
                  for kind in ("weights", "visible_bias", "hidden_bias")]
    return names


def png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "bad PNG signature"
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, "CRC mismatch in chunk %r" % kind
        yield kind, body
        pos += 12 + length
        if kind == b"IEND":
            assert pos == len(data), "bytes after IEND"
            return
    raise AssertionError("no IEND chunk")


def check_png(path):
    chunks = list(png_chunks(open(path, "rb").read()))
    assert chunks[0][0] == b"IHDR", "IHDR is not the first chunk"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert width > 0 and height > 0 and depth == 8 and interlace == 0, (width, height, depth)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    expected = height * (1 + width * CHANNELS[colour])
    assert len(raw) == expected, "IDAT inflates to %d bytes, expected %d" % (len(raw), expected)
    return width, height


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets = set()
        self.images = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.add(attrs["src"])
        if tag == "a" and "href" in attrs:
            self.targets.add(attrs["href"])


def check_report(out):
    text = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    links = Links()
    links.feed(text)
    figures = {n for n in expected_files() if n.endswith((".png", ".svg"))}
    assert figures <= links.images, "figures not shown: %s" % (figures - links.images)
    for target in links.images | links.targets:
        assert os.path.isfile(os.path.join(out, target)), "report links missing " + target
    summary = json.load(open(os.path.join(out, "summary.json")))
    for key in ("tau_abs_m", "tau_energy"):
        assert "'%s'>%s<" % (key, summary[key]) in text, key
    assert "'spacing'>%d<" % summary["spacing"] in text
    assert len(summary["levels"]) == LEVELS
    for lv in summary["levels"]:
        for key in ("gyration", "block_gyration", "block_fraction", "agreement",
                    "agreement_far", "learned_abs_m", "majority_abs_m"):
            assert lv[key] in text, "level %d %s = %s not in the report" % (lv["level"], key, lv[key])
        assert lv["b"] == 2 ** lv["level"]
        assert float(lv["gyration"]) > 0
        assert 0 < float(lv["block_fraction"]) <= 1
        assert 0 <= float(lv["agreement"]) <= 1 and 0 <= float(lv["agreement_far"]) <= 1
    return summary


def check_npy(out, samples):
    try:
        import numpy
    except ImportError:
        print("numpy not installed: .npy contents not checked")
        return
    data = numpy.load(os.path.join(out, "dataset.npy"))
    assert data.dtype == numpy.int8 and data.ndim == 3 and data.shape[0] == samples, data.shape
    assert set(numpy.unique(data)) <= {-1, 1}
    w = numpy.load(os.path.join(out, "stack_weights_0.npy"))
    assert w.dtype == numpy.float32 and w.shape == (data.shape[1] * data.shape[2], w.shape[1])
    assert numpy.isfinite(w).all()


def check_stack(out):
    data = open(os.path.join(out, "stack.rgrbm"), "rb").read()
    assert data[:8] == b"RGRBMSTK", "bad stack magic"
    assert zlib.crc32(data[:-4]) == int.from_bytes(data[-4:], "little"), "stack CRC mismatch"
    nlevels, = struct.unpack("<I", data[16:20])
    assert nlevels == LEVELS + 1


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        run = subprocess.run([exe, "--quick", "--out", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=280)
        sys.stdout.write(run.stdout)
        sys.stderr.write(run.stderr)
        assert run.returncode == 0, "paper2d exited with %d" % run.returncode
        assert "\r" not in run.stdout, "progress bar drawn although stdout is not a terminal"
        assert "wall time" in run.stdout
        for name in expected_files():
            assert os.path.isfile(os.path.join(out, name)), "missing " + name
        for name in expected_files():
            path = os.path.join(out, name)
            if name.endswith(".png"):
                check_png(path)
            elif name.endswith(".svg"):
                assert ET.parse(path).getroot().tag.endswith("svg"), name
        summary = check_report(out)
        check_npy(out, summary["samples"])
        check_stack(out)
        bad = subprocess.run([exe, "--no-such-option"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        assert bad.returncode != 0 and bad.stderr, "a bad option must fail with a message"
        help_text = subprocess.run([exe, "--help"], stdout=subprocess.PIPE, text=True).stdout
        for option in ("--out", "--quick", "--seed", "--epochs", "--samples", "--threads"):
            assert option in help_text, option
    print("paper2d --quick: all outputs present and valid")


if __name__ == "__main__":
    main()
