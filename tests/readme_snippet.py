#!/usr/bin/env python3
"""Usage: readme_snippet.py README.md BUILDDIR CC [SANITIZE_FLAG]

README's "Using it" example compiles and runs as it stands: takes the first
```c block of the "## Using it" section (fails if the section or the block is
missing), compiles it as a complete program with -Werror against the build
tree (build/meson-uninstalled/rgrbm-uninstalled.pc), and runs it in a
temporary directory, which it must leave with exit status 0.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile


def using_it_block(readme):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^## Using it\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not section:
        sys.exit(f"{readme}: no '## Using it' section")
    block = re.search(r"^```c\n(.*?)^```", section.group(1), re.M | re.S)
    if not block:
        sys.exit(f"{readme}: the 'Using it' section has no ```c block")
    return block.group(1)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    readme, build, cc = sys.argv[1:4]
    sanitize = sys.argv[4].split() if len(sys.argv) == 5 else []
    code = using_it_block(readme)
    if not re.search(r"\bint\s+main\s*\(", code):
        sys.exit("README's 'Using it' block is not a complete program (no main): "
                 "a reader copying it must be able to compile it as it stands")
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(build, "meson-uninstalled"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "rgrbm-uninstalled"], env=env,
                           check=True, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "using_it.c")
        exe = os.path.join(tmp, "using_it")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        command = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", *sanitize,
                   "-o", exe, src, *shlex.split(flags)]
        print(" ".join(command))
        subprocess.run(command, check=True)
        run_env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(build, "lib"))
        result = subprocess.run([exe], cwd=tmp, env=run_env)
        if result.returncode != 0:
            sys.exit(f"README's 'Using it' program exited with status {result.returncode}")
    print("README's 'Using it' program compiles and runs")


if __name__ == "__main__":
    main()
