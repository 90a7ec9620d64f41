#!/usr/bin/env bash
# The main job: installs what netcost needs, builds it, and runs the cost allocation demo
# (`./netcost demo`, docs/demo.md): two nodes in two zones built out of network namespaces, the 2048
# game and a shop behind one shared ALB, a NAT gateway, real node agents, the webhook and Prometheus
# with netcost's cost rules; it ends with netcost report splitting a demo bill between the teams
# (netcost-data/demo-report.html). Extra arguments go to the demo (--check, --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Only what the demo runs: the agent, report and demo jars (not the benchmarks or the chart tests).
mvn -B -ntp -q package -DskipTests -pl agent,report,demo -am
./netcost demo "$@"
