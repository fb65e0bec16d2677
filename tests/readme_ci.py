#!/usr/bin/python3
"""readme_ci.py BOOTLENS SARIFDIR — the README's GitHub Actions example, tested:
its YAML parses and has the steps it promises (checkout, install, build,
lint, upload-sarif with if: always() on the lint's -o file); its install step
installs exactly the build packages of scripts/install-deps.sh; and its lint
step's command line runs verbatim (sh -e -c, as GitHub runs a step) in a
workspace laid out as the README says: bootlens/build/bootlens, a customer
hive at ci/SYSTEM, the driver at driver/mydriver.inf.  With the seed case's
INF it must exit 1 and still write the SARIF; with the fixed INF, exit 0.
The workspaces are made under build/readme-ci; the SARIF files are copied
to SARIFDIR for tests/sarif.sh to validate."""
import os
import re
import shutil
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    print(f"readme_ci: FAIL: {msg}")
    sys.exit(1)


def workflow():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- lint in CI: begin -->(.*?)<!-- lint in CI: end -->", text, re.S)
    if not m:
        fail("README.md has no lint-in-CI markers")
    y = re.search(r"```yaml\n(.*?)```", m.group(1), re.S)
    if not y:
        fail("no yaml block between the markers")
    return yaml.safe_load(y.group(1))


def main():
    bootlens, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    wf = workflow()
    job = next(iter(wf["jobs"].values()))
    steps = job["steps"]
    if "security-events" not in wf.get("permissions", {}):
        fail("the workflow lacks permissions: security-events: write (upload-sarif needs it)")
    if not steps[0].get("uses", "").startswith("actions/checkout@"):
        fail("the first step is not actions/checkout")
    runs = [s["run"] for s in steps if "run" in s]
    install = next((r for r in runs if "apt-get install" in r), None)
    lint = [r for r in runs if "bootlens lint" in r]
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    if not install or len(lint) != 1 or len(upload) != 1:
        fail("expected one install step, one lint step and one upload-sarif step")
    if str(upload[0].get("if", "")).replace(" ", "") != "always()":
        fail("upload-sarif must run if: always() (annotate even when the lint fails the job)")
    # The install step names exactly the packages the build needs.
    deps = open(os.path.join(ROOT, "scripts/install-deps.sh"), encoding="utf-8").read()
    build = set(re.search(r'^build="([^"]*)"', deps, re.M).group(1).split())
    joined = install.replace("\\\n", " ")  # shell line continuations
    line = next(l for l in joined.splitlines() if "apt-get install" in l)
    named = {w for w in line.split() if not w.startswith("-") and w not in ("apt-get", "install")}
    if named != build:
        fail(f"README installs {sorted(named)}, the build needs {sorted(build)} (scripts/install-deps.sh)")
    cmd = lint[0].strip()
    m = re.search(r"-o\s+(\S+)", cmd)
    if not m or upload[0]["with"]["sarif_file"] != m.group(1):
        fail("upload-sarif's sarif_file is not the lint step's -o file")
    sarif_name = m.group(1)

    os.makedirs(out, exist_ok=True)
    for inf, want in (("dlpflt-late.inf", 1), ("dlpflt-early.inf", 0)):
        ws = os.path.join(ROOT, "build/readme-ci", inf.split(".")[0])
        shutil.rmtree(ws, ignore_errors=True)
        for d in ("bootlens/build", "ci", "driver"):
            os.makedirs(os.path.join(ws, d))
        os.symlink(bootlens, os.path.join(ws, "bootlens/build/bootlens"))
        shutil.copy(os.path.join(ROOT, "build/test_hives/vmware-tools-baseline.hiv"), os.path.join(ws, "ci/SYSTEM"))
        shutil.copy(os.path.join(ROOT, "test_infs", inf), os.path.join(ws, "driver/mydriver.inf"))
        p = subprocess.run(["sh", "-e", "-c", cmd], cwd=ws, capture_output=True, text=True)
        if p.returncode != want:
            fail(f"`{cmd}` with {inf}: exit {p.returncode}, expected {want}: {p.stderr.strip()}")
        log = os.path.join(ws, sarif_name)
        if not os.path.getsize(log):
            fail(f"`{cmd}` with {inf} wrote no {sarif_name}")
        if want and '"uri":\t"driver/mydriver.inf"' not in open(log, encoding="utf-8").read():
            fail("the SARIF does not point at driver/mydriver.inf, relative to the workspace")
        shutil.copy(log, os.path.join(out, f"readme-{inf.split('.')[0]}.sarif"))
    print(f"readme_ci: the README's workflow checks out; `{cmd}` ran as written (exit 1 and 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
