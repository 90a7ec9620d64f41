#!/usr/bin/env bash
# Tests the container image under podman (rootful), the way the chart runs it:
#   1. `version` answers, as the image's non-root user; the class-data sharing archive maps;
#   2. `netcost webhook` serves TLS (a SEC1 ECDSA key, as cert-manager writes by default) with a
#      read-only root file system, as user 65532 with no capability, and answers a real AdmissionReview;
#   3. `netcost node` in the demo's node namespace with only NET_ADMIN and NET_RAW counts real traffic
#      (scripts/node-smoke.sh --check with NETCOST_DEMO_IMAGE).
# Every container runs in a network namespace this script creates (or with no network), so podman
# never touches the host's network or firewall. Usage: test-image.sh [IMAGE] (default: build it).
# Prints "N passed, N failed" last; exits non-zero when a test failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/podman-opts.sh
. scripts/podman-opts.sh

image=${1:-}
if [ -z "$image" ]; then
    image=$(bash scripts/build-image.sh | tail -1)
fi
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
P="ncimg$$"
work=$(mktemp -d /tmp/netcost-image-test.XXXXXX)
passed=0
failed=0
cleanup() {
    podman "${PODMAN_GLOBAL[@]}" rm -f -t 0 "$P-webhook" >/dev/null 2>&1 || true
    ip netns del "$P-wh" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "test-image: PASS $*"; passed=$((passed + 1)); }
ko() { echo "test-image: FAIL $*" >&2; failed=$((failed + 1)); }
await() { # await SECONDS COMMAND...
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.5
    done
}

echo "test-image: testing $image ($(podman "${PODMAN_GLOBAL[@]}" image inspect --format '{{.Size}}' "$image") bytes)"

# 1. version, as the image's own (non-root) user, with no network at all.
out=$(podman "${PODMAN_GLOBAL[@]}" run "${PODMAN_RUN[@]}" --network none "$image" version 2>&1) || true
if [[ $out == *"$version"* ]]; then ok "version: $out"; else ko "version printed: $out"; fi
user=$(podman "${PODMAN_GLOBAL[@]}" image inspect --format '{{.Config.User}}' "$image")
if [ "$user" = "65532:65532" ]; then ok "image user is $user"; else ko "image user is '$user', expected 65532:65532"; fi
# The class-data sharing archive the chart points at (nodeAgent.sharedArchive) maps with the image's
# JVM and jar: -Xshare:on refuses to start otherwise, where the chart's -Xshare:auto would quietly not use it.
out=$(podman "${PODMAN_GLOBAL[@]}" run "${PODMAN_RUN[@]}" --network none --entrypoint java "$image" \
    -Xshare:on -XX:SharedArchiveFile=/opt/netcost/netcost.jsa -XX:+UseSerialGC -Xlog:cds=info \
    -jar /opt/netcost/netcost-agent.jar version 2>&1) || true
if [[ $out == *"$version"* ]] && [[ $out == *"/opt/netcost/netcost.jsa"* ]]; then
    ok "class-data sharing archive /opt/netcost/netcost.jsa maps (-Xshare:on)"
else
    ko "class-data sharing archive does not map: $(echo "$out" | tail -3)"
fi

# 2. The webhook: TLS with a SEC1 EC key, read-only root, non-root, no capabilities.
ip netns add "$P-wh"
ip netns exec "$P-wh" ip link set lo up
mkdir -p "$work/wh/tls"
openssl ecparam -name prime256v1 -genkey -noout -out "$work/ca.key" 2>/dev/null
openssl req -x509 -new -key "$work/ca.key" -subj "/CN=netcost image test CA" -days 1 -out "$work/ca.crt" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$work/wh/tls/tls.key" 2>/dev/null
openssl req -new -key "$work/wh/tls/tls.key" -subj "/CN=netcost-webhook" -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:netcost-webhook.netcost-system.svc\nextendedKeyUsage=serverAuth\n' > "$work/ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
    -extfile "$work/ext" -out "$work/wh/tls/tls.crt" 2>/dev/null
chmod 0644 "$work/wh/tls/tls.key" # readable by uid 65532 in the container, as a Secret volume would be
cat > "$work/wh/netcost.yaml" <<'EOF'
nodeName: image-test
kubernetes: {enabled: false}
externalLabels: {cluster: image-test}
localFile: {path: /var/lib/netcost/samples.prom}
debug: {listen: "0.0.0.0:9819", pagesLoopbackOnly: true}
webhook:
  listen: "0.0.0.0:8443"
  tlsCertFile: /etc/netcost/tls/tls.crt
  tlsKeyFile: /etc/netcost/tls/tls.key
EOF
if grep -q "BEGIN EC PRIVATE KEY" "$work/wh/tls/tls.key"; then ok "test key is SEC1 (EC PRIVATE KEY)"; else ko "test key is not SEC1"; fi
podman "${PODMAN_GLOBAL[@]}" run -d --name "$P-webhook" "${PODMAN_LIMITS[@]}" \
    --network "ns:/run/netns/$P-wh" --read-only --user 65532:65532 --cap-drop ALL \
    --security-opt no-new-privileges --tmpfs /tmp:rw,mode=1777 --tmpfs /var/lib/netcost:rw,mode=1777 \
    -v "$work/wh:/etc/netcost:ro" "$image" webhook --config /etc/netcost/netcost.yaml >/dev/null
https() { ip netns exec "$P-wh" curl -sS --fail --max-time 5 --cacert "$work/ca.crt" "$@"; }
if await 90 https https://127.0.0.1:8443/healthz; then
    ok "webhook serves TLS on 8443 with a SEC1 key"
    review=$(https -X POST -H 'Content-Type: application/json' \
        --data-binary @exporter-webhook/src/test/resources/fixtures/ingress-2048-create-v1.json \
        https://127.0.0.1:8443/validate || true)
    if [[ $review == *'"allowed":true'* && $review == *'705ab4f5-6393-11e8-b7cc-42010a800002'* ]]; then
        ok "webhook answers a real AdmissionReview: allowed, same uid"
    else
        ko "AdmissionReview answer: $review"
    fi
else
    ko "webhook never served https://127.0.0.1:8443/healthz; its log:"
    podman "${PODMAN_GLOBAL[@]}" logs "$P-webhook" 2>&1 | tail -30 >&2 || true
fi
ids=$(podman "${PODMAN_GLOBAL[@]}" exec "$P-webhook" sh -c 'id -u; id -g; grep CapEff /proc/1/status' 2>&1 || true)
if [[ $ids == $'65532\n65532\nCapEff:\t0000000000000000' ]]; then ok "webhook runs as 65532:65532 with no capability"; else ko "webhook identity: $ids"; fi
if podman "${PODMAN_GLOBAL[@]}" exec "$P-webhook" sh -c 'touch /opt/netcost/x' >/dev/null 2>&1; then
    ko "the root file system is writable"
else
    ok "root file system is read-only"
fi
debug=$(ip netns exec "$P-wh" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9819/debug/config || true)
if [ "$debug" = 200 ]; then ok "debug pages answer loopback clients"; else ko "/debug/config from loopback: $debug"; fi
podman "${PODMAN_GLOBAL[@]}" stop -t 20 "$P-webhook" >/dev/null
status=$(podman "${PODMAN_GLOBAL[@]}" inspect --format '{{.State.ExitCode}}' "$P-webhook")
if [ "$status" = 0 ] || [ "$status" = 143 ]; then ok "webhook stops on SIGTERM (exit $status)"; else ko "webhook exit status $status"; fi

# 3. The node agent counting real traffic in the demo's namespaces, with NET_ADMIN and NET_RAW only.
if NETCOST_DEMO_IMAGE="$image" bash scripts/node-smoke.sh --check; then
    ok "node agent in a network namespace with NET_ADMIN+NET_RAW counts the demo's traffic (nft)"
else
    ko "demo with the image (nft)"
fi
if NETCOST_DEMO_IMAGE="$image" NETCOST_DEMO_BACKEND=legacy bash scripts/node-smoke.sh --check; then
    ok "node agent in a network namespace with NET_ADMIN+NET_RAW counts the demo's traffic (legacy)"
else
    ko "demo with the image (legacy)"
fi

echo "image: $passed passed, $failed failed"
[ "$failed" = 0 ]
