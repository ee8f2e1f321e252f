"""coursetools: instructor tooling (build exercises, release, grade). Never imported by students."""

import sys

# nbformat imports jsonschema, and jsonschema builds about 35 Lark parsers at import time when the
# optional package rfc3987_syntax is installed (JupyterLab's dependencies install it): 3-4 s on a
# slow 2-core machine, paid by every grading worker and every nncourse command. It only checks the
# "iri" string formats, which no notebook schema uses, so the tooling's own processes skip it
# (see python-jsonschema/jsonschema#1428). Students' processes are not affected.
sys.modules.setdefault("rfc3987_syntax", None)
