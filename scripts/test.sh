#!/usr/bin/env bash
# The whole test suite: unit tests, property tests, and integration tests (*IT) against real
# Prometheus and VictoriaMetrics started on free loopback ports and the real kernel in network
# namespaces; then the demo, checked, on the nft and the legacy backend; then the container image,
# built here (scripts/build-image.sh) and run under podman (scripts/test-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp verify "$@"
bash scripts/demo.sh --check
NETCOST_DEMO_BACKEND=legacy bash scripts/demo.sh --check
bash scripts/test-image.sh
