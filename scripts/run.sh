#!/usr/bin/env bash
# The main job: builds netcost and runs the demo (scripts/demo.sh): the node agent in standalone mode
# (no Kubernetes API, no remote-write endpoint) counting known traffic of two pods in network
# namespaces the demo builds and removes; the samples land in netcost-data/samples.prom.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp -q package -DskipTests
bash scripts/demo.sh
