"""Print pip constraints pinning numpy and the test extra to their oldest
declared release series: "name>=X.Y" becomes "name~=X.Y.0" (the latest patch
release of X.Y), so CI tests the floors pyproject.toml promises. pytest and
hypothesis are tools, not dependencies, and stay at their latest."""

import re
import sys
import tomllib

TOOLS = ("pytest", "hypothesis")

with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)["project"]
for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
    name, floor = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
    if name not in TOOLS:
        print(f"{name}~={floor}" if floor.count(".") >= 2 else f"{name}~={floor}.0")
