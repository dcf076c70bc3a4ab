"""Compiles and runs every Swift code block that imports Backprop in README.md and in the
DocC articles, each as the main file of an executable in a new client package that
depends on this package by version, in Swift 6 language mode with warnings as errors.
It tests what is committed (HEAD), as CI's clean clone is.

usage: python3 .ci/check_snippets.py        (from the package root; exits 1 on any failure)
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

root = os.path.abspath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sources = ["README.md"] + sorted(glob.glob("Sources/Backprop/Backprop.docc/*.md"))
snippets = []
for source in sources:
    text = open(os.path.join(root, source)).read()
    for index, block in enumerate(re.findall(r"```swift\n(.*?)```", text, re.S)):
        if "import Backprop" in block:
            snippets.append((f"{os.path.basename(source).split('.')[0]}{index}", source, block))

work = tempfile.mkdtemp(prefix="backprop-snippets-")
# The client depends on Backprop by version, as a client of a published package does: a
# clone of this repository's HEAD, tagged, fetched by URL (so built as a dependency is).
repository = os.path.join(work, "Backprop")
subprocess.run(["git", "clone", "--quiet", root, repository], check=True)
subprocess.run(["git", "-C", repository, "tag", "99.0.0"], check=True)
client = os.path.join(work, "Client")
targets = []
for name, _, code in snippets:
    os.makedirs(os.path.join(client, "Sources", name))
    open(os.path.join(client, "Sources", name, "main.swift"), "w").write(code)
    targets.append(f'        .executableTarget(name: "{name}", dependencies: [.product(name: "Backprop", package: "Backprop")]),')
open(os.path.join(client, "Package.swift"), "w").write(
    "// swift-tools-version: 6.2\nimport PackageDescription\n\n"
    "let package = Package(\n    name: \"Client\",\n"
    "    platforms: [.macOS(.v26)],\n"
    f"    dependencies: [.package(url: \"file://{repository}\", from: \"99.0.0\")],\n"
    "    targets: [\n" + "\n".join(targets) + "\n    ],\n    swiftLanguageModes: [.v6]\n)\n")

# Release: the examples train real models, which a debug build would take minutes over.
command = ["swift", "build", "-c", "release", "--package-path", client, "--scratch-path", os.path.join(work, ".build")]
build = subprocess.run(command + ["-Xswiftc", "-warnings-as-errors"], capture_output=True, text=True)
if build.returncode != 0:
    print(build.stdout[-6000:], build.stderr[-3000:])
    print("snippets: FAILED to build")
    sys.exit(1)
failures = 0
binaries = subprocess.run(command + ["--show-bin-path"], capture_output=True, text=True).stdout.strip()
for name, source, _ in snippets:
    run = subprocess.run([os.path.join(binaries, name)], cwd=work, capture_output=True, text=True, timeout=600)
    status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
    print(f"snippet {name} from {source}: {status}; last line: {run.stdout.strip().splitlines()[-1:]}")
    if run.returncode != 0:
        failures += 1
        print(run.stdout[-2000:], run.stderr[-2000:])
shutil.rmtree(work)
print(f"{len(snippets) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
