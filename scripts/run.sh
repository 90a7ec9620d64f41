#!/usr/bin/env bash
# Builds netcost and runs one collection cycle of the node agent in standalone mode (no Kubernetes
# API, no remote-write endpoint): the samples land in netcost-data/samples.prom.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp -q package -DskipTests
./netcost node --config examples/standalone.yaml --once
echo "--- netcost-data/samples.prom"
cat netcost-data/samples.prom
