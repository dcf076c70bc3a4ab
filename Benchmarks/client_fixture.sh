#!/usr/bin/env bash
# Builds Benchmarks/ClientFixture as a client does: Backprop as a dependency by version (a
# clone of this repository's HEAD, tagged, fetched by URL) and a plain `swift build -c
# release`; then runs it side by side with this package's own `backprop bench`, alternating,
# ROUNDS times (5 by default), and prints the medians and their ratio. Fails when the client
# runs other kernels than the package's own build, or at under 0.75 of its speed (a copy
# without the native kernels runs at about 0.4; the noise of a shared machine stays well
# inside that margin).
#
# usage: Benchmarks/client_fixture.sh [BACKPROP]   (default .build/release/backprop)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
backprop=$(realpath "${1:-"$root/.build/release/backprop"}")
rounds=${ROUNDS:-5}
[[ -x $backprop ]] || { echo "client_fixture.sh: no executable at $backprop; run 'swift build -c release' first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$root" "$work/Backprop"
git -C "$work/Backprop" tag 99.0.0
cp -r "$root/Benchmarks/ClientFixture" "$work/Client"
cat > "$work/Client/Package.swift" <<MANIFEST
// swift-tools-version: 6.2
import PackageDescription
let package = Package(
    name: "ClientFixture", platforms: [.macOS(.v26)],
    dependencies: [.package(url: "file://$work/Backprop", from: "99.0.0")],
    targets: [.executableTarget(name: "ClientFixture", dependencies: [.product(name: "Backprop", package: "Backprop")])])
MANIFEST
swift build -c release --package-path "$work/Client" > /dev/null
client="$work/Client/.build/release/ClientFixture"
for round in $(seq "$rounds"); do
    echo "client $("$client" 256)"
    echo "own $("$backprop" bench --batch-size 256 --json | sed 's/.*"kernel":"\([^"]*\)".*"samples_per_second":\([0-9.e+]*\).*/\1 \2/')"
done | python3 -c "
import statistics, sys
rates, kernels = {'client': [], 'own': []}, {}
for line in sys.stdin:
    who, kernel, rate = line.split()
    kernels[who] = kernel
    rates[who].append(float(rate) / (1e6 if who == 'own' else 1))
client, own = statistics.median(rates['client']), statistics.median(rates['own'])
print(f'client fixture: {client:.1f} M samples/s ({kernels[\"client\"]} kernels), own build {own:.1f} ({kernels[\"own\"]}): {client / own:.2f}x, medians of {len(rates[\"own\"])} alternating rounds')
sys.exit(0 if kernels['client'] == kernels['own'] and client / own >= 0.75 else 1)
"
