#!/usr/bin/env bash
# The whole test suite: unit tests, property tests, and integration tests (*IT) against real
# Prometheus and VictoriaMetrics started on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp verify "$@"
