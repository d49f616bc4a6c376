"""Add up the JUnit reports of every suite and print one closing line: 'N passed, N failed, N skipped'."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

total = failed = skipped = 0
for report in sorted(Path(sys.argv[1]).glob("*.xml")):
    for suite in ET.parse(report).getroot().iter("testsuite"):
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
print(f"tiepdan: {total - failed - skipped} passed, {failed} failed, {skipped} skipped")
