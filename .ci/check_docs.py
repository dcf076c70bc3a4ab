"""Checks that every public symbol of the Backprop library has a doc comment, on the symbol
graph that `swift package dump-symbol-graph` writes. Members the compiler synthesises
(`hashValue` of an enum, for instance) have no source location and are not counted.

usage: python3 .ci/check_docs.py [SYMBOL_GRAPH_FOLDER]   (exits 1 below 100%)
"""
import glob
import json
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else glob.glob(".build/*/symbolgraph")[0]
graph = json.load(open(f"{folder}/Backprop.symbols.json"))
public = [s for s in graph["symbols"] if s["accessLevel"] in ("public", "open") and "location" in s]
missing = [s for s in public if not s.get("docComment")]
print(f"documentation: {len(public) - len(missing)} of {len(public)} public symbols have a doc comment")
for symbol in missing:
    print(f"  undocumented: {'.'.join(symbol['pathComponents'])} ({symbol['location']['uri'].split('/Sources/')[-1]})")
sys.exit(1 if missing else 0)
