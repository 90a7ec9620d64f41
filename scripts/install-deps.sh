#!/usr/bin/env bash
# Installs what building, testing and the demo need on Debian 12 (run as root). Idempotent.
# procps: sysctl for the network-namespace tests and the demo; iproute2: ip and ss; socat: test traffic;
# python3-botocore: the independent SigV4 verifier the remote-write tests put in front of their receivers;
# podman, buildah, mmdebstrap, runc: the container image (scripts/build-image.sh, scripts/test-image.sh);
# runc because crun refuses this machine's hybrid cgroup layout.
# chromium (+ a font): the HTML report is opened headless in the report's tests.
# The cost demo (netcost demo) runs on iproute2, nftables, openssl (its webhook's certificates) and prometheus.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(openjdk-17-jdk-headless maven openssl curl ca-certificates
          prometheus victoria-metrics iptables iproute2 nftables libnftables1
          socat ipset procps python3-botocore
          podman buildah mmdebstrap runc conmon containernetworking-plugins
          chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Debian's prometheus and victoria-metrics packages start services on install; the tests start
# their own servers on free ports and need none of them.
for svc in prometheus victoria-metrics; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
