"""Checks `backprop export` and `backprop import` against the real consumers of each format.

usage: python3 Tests/export/check.py BACKPROP_BINARY      needs: onnx onnxruntime safetensors torch numpy

A model trained with a standardisation (and one without) is exported to every format, and
each format's own consumer computes the probabilities of 100,000 points, compared with
`backprop predict`'s:
- ONNX: onnx.checker.check_model(full_check=True), then onnxruntime; float64 to 1e-12,
  float32 to 1e-6.
- safetensors: torch's load_state_dict into nn.Sequential, the standardisation applied as
  the file's metadata says; to 1e-12.
- C header: compiled with cc -std=c99 -Wall -Wextra -Werror -pedantic; to 4 ulp.
- Swift file: compiled in Swift 6 mode, warnings as errors; to 4 ulp.
- import: a state_dict written by torch (float64 and float32), imported and exported
  again, gives back the same tensors.
Exits 1 on any difference beyond its tolerance; prints the worst of each.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

backprop = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="backprop-export-")
failures = []


def run(*args, **kwargs):
    subprocess.run([str(a) for a in args], check=True, cwd=work, **kwargs)


def check(name, worst, tolerance, unit=""):
    verdict = "ok" if worst <= tolerance else "FAILED"
    print(f"{name}: worst difference {worst:.3g}{unit} (tolerance {tolerance:g}{unit}): {verdict}")
    if worst > tolerance:
        failures.append(name)


def ulps(a, b):
    """The distance in units in the last place between float64 arrays of one sign."""
    ia, ib = a.view(np.int64), b.view(np.int64)
    return np.abs(ia - ib).max()


rng = np.random.default_rng(7)
points = np.column_stack([rng.normal(0.5, 1.5, 100_000), rng.normal(0.25, 1.0, 100_000)]).astype("<f8")
np.save(os.path.join(work, "points.npy"), points)

for variant, options in [("standardised", []), ("raw", ["--no-standardize"])]:
    model = f"{variant}.json"
    run(backprop, "train", "--samples", "1000", "--epochs", "30", "--quiet", "--save", model, *options)
    run(backprop, "predict", "--model", model, "--data", "points.npy", "--output", f"{variant}.csv")
    expected = np.loadtxt(os.path.join(work, f"{variant}.csv"), delimiter=",", skiprows=1, usecols=0)

    # ONNX, float64 and float32.
    import onnx
    import onnxruntime
    for precision, flag, tolerance in [("float64", [], 1e-12), ("float32", ["--float32"], 1e-6)]:
        path = os.path.join(work, f"{variant}-{precision}.onnx")
        run(backprop, "export", model, path, *flag)
        onnx.checker.check_model(onnx.load(path), full_check=True)
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        x = points if precision == "float64" else points.astype(np.float32)
        got = session.run(["probability"], {"x": x})[0][:, 0].astype(np.float64)
        check(f"{variant} onnx {precision} (onnxruntime)", np.abs(got - expected).max(), tolerance)

    # safetensors into torch.
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file
    path = os.path.join(work, f"{variant}.safetensors")
    run(backprop, "export", model, path)
    tensors = load_file(path)
    with safe_open(path, framework="pt") as file:
        metadata = file.metadata()
    network = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 5), torch.nn.Sigmoid(),
                                  torch.nn.Linear(5, 1), torch.nn.Sigmoid()).double()
    network.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("standardization.")}, strict=True)
    x = torch.from_numpy(points)
    if "standardization" in metadata:
        x = (x - tensors["standardization.mean"]) / tensors["standardization.std"]
    elif "standardization.mean" in tensors:
        failures.append(f"{variant} safetensors: standardisation tensors without metadata")
    with torch.no_grad():
        got = network(x)[:, 0].numpy()
    check(f"{variant} safetensors (torch)", np.abs(got - expected).max(), 1e-12)

    # C header and Swift file, on the points in binary.
    points.tofile(os.path.join(work, "points.bin"))
    run(backprop, "export", model, f"{variant}.h", "--name", "moons")
    with open(os.path.join(work, f"{variant}-main.c"), "w") as main:
        main.write(f'#include <stdio.h>\n#include "{variant}.h"\n'
                   "int main(void) {\n    double x[2];\n    FILE *in = fopen(\"points.bin\", \"rb\");\n"
                   "    if (!in) return 1;\n"
                   "    while (fread(x, sizeof x, 1, in) == 1) printf(\"%a\\n\", moons_probability(x[0], x[1]));\n"
                   "    return fclose(in);\n}\n")
    run("cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", f"{variant}-main.c", "-o", f"{variant}-c", "-lm")
    out = subprocess.run([os.path.join(work, f"{variant}-c")], cwd=work, check=True, capture_output=True, text=True).stdout
    got = np.array([float.fromhex(line) for line in out.split()])
    check(f"{variant} C header", ulps(got, expected), 4, " ulp")

    run(backprop, "export", model, f"{variant}.swift", "--name", "two_moons")
    os.makedirs(os.path.join(work, f"{variant}-app"), exist_ok=True)
    with open(os.path.join(work, f"{variant}-app", "main.swift"), "w") as main:
        main.write("import Foundation\nlet data = FileManager.default.contents(atPath: \"points.bin\")!\n"
                   "let values = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }\n"
                   "let model = TwoMoons()\nvar out = \"\"\n"
                   "for i in stride(from: 0, to: values.count, by: 2) {\n"
                   "    out += String(model.probability(x0: values[i], x1: values[i + 1]).bitPattern) + \"\\n\"\n}\n"
                   "print(out, terminator: \"\")\n")
    run("swiftc", "-O", "-swift-version", "6", "-warnings-as-errors", f"{variant}.swift", f"{variant}-app/main.swift",
        "-o", f"{variant}-swift")
    out = subprocess.run([os.path.join(work, f"{variant}-swift")], cwd=work, check=True, capture_output=True, text=True).stdout
    got = np.array([int(line) for line in out.split()], dtype=np.uint64).view(np.float64)
    check(f"{variant} Swift file", ulps(got, expected), 4, " ulp")

# A state_dict written by torch, float64 and float32, with and without a standardisation:
# imported, exported again, the same tensors.
import torch
from safetensors.torch import load_file, save_file
torch.manual_seed(3)
for dtype in [torch.float64, torch.float32]:
    for standardized in [False, True]:
        network = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 5), torch.nn.Sigmoid(),
                                      torch.nn.Linear(5, 1), torch.nn.Sigmoid()).to(dtype)
        state = {k: v.contiguous() for k, v in network.state_dict().items()}
        if standardized:
            state["standardization.mean"] = torch.tensor([0.5, -1.25], dtype=dtype)
            state["standardization.std"] = torch.tensor([2.0, 0.75], dtype=dtype)
        name = f"torch-{str(dtype)[6:]}-{'std' if standardized else 'raw'}"
        save_file(state, os.path.join(work, f"{name}.safetensors"))
        run(backprop, "import", f"{name}.safetensors", f"{name}.json")
        run(backprop, "export", f"{name}.json", f"{name}-again.safetensors")
        again = load_file(os.path.join(work, f"{name}-again.safetensors"))
        same = set(again) == set(state) and all(torch.equal(again[k], state[k].double()) for k in state)
        print(f"import {name}: exported again, {'the same tensors' if same else 'OTHER TENSORS'}")
        if not same:
            failures.append(f"import {name}")
        # The same state_dict as np.savez writes it: the same model file.
        np.savez(os.path.join(work, f"{name}.npz"), **{k: v.numpy() for k, v in state.items()})
        run(backprop, "import", f"{name}.npz", f"{name}-npz.json")
        same = open(os.path.join(work, f"{name}-npz.json")).read() == open(os.path.join(work, f"{name}.json")).read()
        print(f"import {name}.npz: {'the model of the safetensors file' if same else 'ANOTHER MODEL'}")
        if not same:
            failures.append(f"import {name}.npz")

# The Python and C examples of the DocC article, run on a model exported as they expect.
import re
article = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "Backprop", "Backprop.docc",
                            "UsingATrainedModelElsewhere.md")).read()
for name, options in [("model.onnx", []), ("model.safetensors", []), ("moons.h", ["--name", "moons"])]:
    run(backprop, "export", "standardised.json", name, *options)
for index, block in enumerate(re.findall(r"```python\n(.*?)```", article, re.S)):
    result = subprocess.run([sys.executable, "-c", block], cwd=work, capture_output=True, text=True)
    print(f"article's python example {index}: {'ok' if result.returncode == 0 else 'FAILED'}: {result.stdout.strip()}")
    if result.returncode != 0:
        print(result.stderr[-2000:])
        failures.append(f"python example {index}")
for index, block in enumerate(re.findall(r"```c\n(.*?)```", article, re.S)):
    open(os.path.join(work, f"example{index}.c"), "w").write(block)
    compiled = subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", f"example{index}.c",
                               "-o", f"example{index}", "-lm"], cwd=work, capture_output=True, text=True)
    result = compiled if compiled.returncode else subprocess.run([os.path.join(work, f"example{index}")], cwd=work,
                                                                   capture_output=True, text=True)
    print(f"article's C example {index}: {'ok' if result.returncode == 0 else 'FAILED'}: {result.stdout.strip()}")
    if result.returncode != 0:
        print(result.stderr[-2000:])
        failures.append(f"C example {index}")

if failures:
    print("export checks FAILED:", ", ".join(failures))
    sys.exit(1)
print("export checks: all passed")
