#!/usr/bin/python3
"""Golden for the saliency overlay's colour map: matplotlib's 'inferno' at every 8-bit heat level.

Run:  /usr/bin/python3 scripts/golden_heat_colours.py
Writes tests/fixtures/golden/heat_colours.json, read by tests/ui/heatColours.test.ts: for each heat value
v = 0..255, inferno(v / 255) as 8-bit RGB (rounded). The page draws the map from 33 of these colours (every 8th
level and the last) joined linearly (src/ui/view/heatColours.ts); the test bounds that approximation's error.
"""
import json
import os

import matplotlib
from matplotlib import colormaps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'golden', 'heat_colours.json')

inferno = colormaps['inferno']
rgb = [[int(round(c * 255)) for c in inferno(v / 255)[:3]] for v in range(256)]
with open(OUT, 'w') as f:
    json.dump({'source': f'matplotlib {matplotlib.__version__} colormaps["inferno"](v / 255), 8-bit RGB', 'rgb': rgb}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {OUT}')
