"""The README's Python lines run as pasted (from the repository root)."""
import os
import re

from conftest import ROOT


def test_readme_python_block():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    part = text[text.index("## From Python"):]
    code = re.search(r"```python\n(.*?)```", part, re.S).group(1)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope = {}
        exec(compile(code, "README.md (From Python)", "exec"), scope)
    finally:
        os.chdir(cwd)
    assert scope["Z"].shape == (len(scope["kv"]), 10)
    assert scope["I"].shape == (2, 2)
