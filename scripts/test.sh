#!/usr/bin/env bash
# The whole test suite: unit tests, property tests, and integration tests (*IT) against real
# Prometheus and VictoriaMetrics started on free loopback ports and the real kernel in network
# namespaces; then the cost allocation demo with every figure checked (`netcost demo --check`); then
# the container image, built here (scripts/build-image.sh) and run under podman (scripts/test-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp verify "$@"
./netcost demo --check
bash scripts/test-image.sh
