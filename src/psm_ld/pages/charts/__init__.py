"""Charts drawn on the server as inline SVG: no chart library, no script, no inline style.

Contract: each builder takes plain numbers and labels (the kinds/ modules read them from the model)
and gives a `Chart` (charts/svg.py): a title, a description that says in words what the picture
shows (screen readers read it: the SVG is role="img", labelled by both), a viewBox and a list of
`Shape`s that templates/charts.html writes out as SVG elements, attribute by attribute, escaped like
any other value; every word comes from the message catalogue (psm_ld.pages.i18n, `t`). Colours come
from classes in static/psm.css (a Content-Security-Policy without 'unsafe-inline' forbids style
attributes), with SVG presentation attributes as the fallback. Every chart sits beside the table
that holds the same figures (the accessible fallback), which the pages keep.

Three charts:
- `bars.declared_vs_present`: per axis, one bar per counted level: filled = in the data, outlined =
  the largest number a source declares, a tick at every other declared number; «non indicato dalle
  fonti» where no source gives a number for that axis;
- `matrix.alignment_matrix`: elements × concepts, one mark per alignment, its basis visible: filled =
  stated by a source, hatched = interpretation of a source's layout, outlined = derived by rule; a
  small grey dot = not stated by the sources; a legend under the grid;
- `bars.compare_editions`: edition by edition, the same bars for axes, strategies and actions (one scale per
  level, said in the description).
"""
