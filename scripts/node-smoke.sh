#!/usr/bin/env bash
# The node agent's smoke test, which scripts/test-image.sh runs with the agent inside its container
# (the cost demo is `./netcost demo`, docs/demo.md): builds a small "node" out of network namespaces —
# two pods (checkout 10.0.1.17, cart 10.0.2.18) routed by a node namespace to a host in another zone (10.1.5.5) and to an "internet"
# host (203.0.113.10, a documentation address that exists only inside the namespaces) — runs the node
# agent with the iptables exporter inside the node namespace, sends known traffic, and prints the
# per-pod series. Everything it creates is removed on exit; the host's own rules are never touched.
# Needs root and a built agent jar (mvn -B package -DskipTests). --check: also verify the figures.
# NETCOST_DEMO_BACKEND=legacy|nft|save picks iptables.backend (default auto: nft when nft is installed).
# NETCOST_DEMO_IMAGE=<image> runs the agent from that container image (podman) inside the node
# namespace, as root with NET_ADMIN and NET_RAW only, instead of ./netcost (scripts/test-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true

P="ncsmoke$$"
AGENT_PID=""
LISTENERS=()
NAMES=(node checkout cart zoneb inet)
cleanup() {
    # Listeners still waiting (the demo failed before sending): a deleted namespace would not end them.
    # Only those still running as this shell's jobs, so a reused PID is never hit.
    local running=" $(jobs -pr | tr '\n' ' ') "
    for pid in "${LISTENERS[@]}"; do
        if [[ $running == *" $pid "* ]]; then kill "$pid" 2>/dev/null || true; fi
    done
    if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
        kill -TERM "$AGENT_PID"
        wait "$AGENT_PID" || true
    fi
    if [ -n "${NETCOST_DEMO_IMAGE:-}" ]; then
        podman "${PODMAN_GLOBAL[@]}" rm -f -t 0 "$P-agent" >/dev/null 2>&1 || true
    fi
    for n in "${NAMES[@]}"; do ip netns del "$P-$n" 2>/dev/null || true; done
}
trap cleanup EXIT

ns() { ip netns exec "$P-$1" "${@:2}"; }
fail() { echo "node-smoke: $*" >&2; exit 1; }
# await SECONDS DESCRIPTION COMMAND...: polls the command until it succeeds.
await() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
        if [ -n "$AGENT_PID" ] && ! kill -0 "$AGENT_PID" 2>/dev/null; then
            wait "$AGENT_PID" || true
            AGENT_PID=""
            fail "the agent exited (see its output above)"
        fi
        sleep 0.2
    done
}
series() { # series POD DIRECTION CLASS: the bytes counter in the samples file, or empty
    awk -v p="pod=\"$1\"" -v d="direction=\"$2\"" -v c="class=\"$3\"" \
        '/^netcost_pod_network_bytes_total/ && index($0, p) && index($0, d) && index($0, c) { print $2 }' \
        netcost-data/samples.prom 2>/dev/null
}
at_least() { local v; v=$(series "$1" "$2" "$3"); [ -n "$v" ] && awk -v v="$v" -v m="$4" 'BEGIN { exit !(v >= m) }'; }

echo "node-smoke: building network namespaces $P-node, -checkout, -cart, -zoneb, -inet"
for n in "${NAMES[@]}"; do
    ip netns add "$P-$n"
    ns "$n" ip link set lo up
done
ns node sysctl -qw net.ipv4.ip_forward=1
link() { # link NAMESPACE ADDRESS NODE_ADDRESS: a /24 between the node and the namespace
    ip link add "v-$1" netns "$P-node" type veth peer name eth0 netns "$P-$1"
    ns node ip addr add "$3/24" dev "v-$1"
    ns node ip link set "v-$1" up
    ns "$1" ip addr add "$2/24" dev eth0
    ns "$1" ip link set eth0 up
    ns "$1" ip route add default via "$3"
}
link checkout 10.0.1.17 10.0.1.1
link cart 10.0.2.18 10.0.2.1
link zoneb 10.1.5.5 10.1.5.1
link inet 203.0.113.10 203.0.113.1

rm -f netcost-data/samples.prom
mkdir -p netcost-data
if [ -n "${NETCOST_DEMO_IMAGE:-}" ]; then
    # shellcheck source=scripts/podman-opts.sh
    . scripts/podman-opts.sh
    echo "node-smoke: starting the node agent from $NETCOST_DEMO_IMAGE in $P-node (root, NET_ADMIN and NET_RAW only)"
    # Already in the node's namespace: no iptables.netns (entering one would need SYS_ADMIN).
    podman "${PODMAN_GLOBAL[@]}" run --rm --name "$P-agent" "${PODMAN_LIMITS[@]}" --network "ns:/run/netns/$P-node" \
        --user 0:0 --cap-drop ALL --cap-add NET_ADMIN --cap-add NET_RAW --read-only --tmpfs /tmp:rw,mode=1777 \
        -e NETCOST_DEMO_NETNS= -v "$PWD/examples:/etc/netcost:ro" -v "$PWD/netcost-data:/netcost-data" --workdir / \
        "$NETCOST_DEMO_IMAGE" node --config /etc/netcost/node-smoke.yaml \
        ${NETCOST_DEMO_BACKEND:+--set "iptables.backend=$NETCOST_DEMO_BACKEND"} &
else
    echo "node-smoke: starting the node agent (examples/node-smoke.yaml, iptables exporter in $P-node)"
    NETCOST_DEMO_NETNS="/run/netns/$P-node" ./netcost node --config examples/node-smoke.yaml \
        ${NETCOST_DEMO_BACKEND:+--set "iptables.backend=$NETCOST_DEMO_BACKEND"} &
fi
AGENT_PID=$!
await 60 "the agent's first cycle with pod counters" at_least checkout-7d9f8b6c5-x2x4q egress cross_zone 0

# Known traffic: checkout sends 5 MB to the other zone and 1 MB to cart; cart sends 2 MB to the internet.
listen() { ns "$1" socat -u "TCP-LISTEN:$2,reuseaddr" GOPEN:/dev/null & LISTENERS+=($!); }
listen zoneb 5001
listen cart 5002
listen inet 5003
await 10 "the listeners" sh -c "ip netns exec $P-zoneb ss -ltn | grep -q :5001 && ip netns exec $P-cart ss -ltn | grep -q :5002 && ip netns exec $P-inet ss -ltn | grep -q :5003"
send() { head -c "$3" /dev/zero | ns "$1" socat -u STDIN "TCP:$2"; }
send checkout 10.1.5.5:5001 5000000
send checkout 10.0.2.18:5002 1000000
send cart 203.0.113.10:5003 2000000
echo "node-smoke: sent 5 MB checkout → other zone, 1 MB checkout → cart, 2 MB cart → internet"

await 30 "the counters to show the traffic" at_least cart-0 egress internet 2000000
await 30 "the counters to show the traffic" at_least checkout-7d9f8b6c5-x2x4q egress cross_zone 5000000
await 30 "the counters to show the traffic" at_least checkout-7d9f8b6c5-x2x4q egress same_zone 1000000
echo "--- netcost_pod_network_bytes_total in netcost-data/samples.prom (bytes > 0)"
grep '^netcost_pod_network_bytes_total' netcost-data/samples.prom | awk '$2 > 0' | sort

kill -TERM "$AGENT_PID"
status=0
wait "$AGENT_PID" || status=$?
AGENT_PID=""
# 143 = 128 + SIGTERM: the JVM's exit status after its shutdown hooks ran on SIGTERM.
[ "$status" = 0 ] || [ "$status" = 143 ] || fail "the agent exited with $status"
echo "node-smoke: agent stopped; iptables.cleanupOnExit removed netcost's rules from $P-node"

if $check; then
    within() { # within POD DIRECTION CLASS PAYLOAD: payload <= bytes <= payload + 10 %
        local v; v=$(series "$1" "$2" "$3")
        awk -v v="$v" -v p="$4" 'BEGIN { exit !(v >= p && v <= p * 1.1) }' \
            || fail "$1 $2 $3: $v bytes, expected $4..$(($4 * 11 / 10))"
    }
    within checkout-7d9f8b6c5-x2x4q egress cross_zone 5000000
    within checkout-7d9f8b6c5-x2x4q egress same_zone 1000000
    within cart-0 ingress same_zone 1000000
    within cart-0 egress internet 2000000
    if ns node nft list ruleset 2>/dev/null | grep -q netcost || ns node iptables-legacy-save 2>/dev/null | grep -q NETCOST \
        || ns node iptables-nft-save 2>/dev/null | grep -q NETCOST; then
        fail "netcost's rules are still in $P-node after cleanupOnExit"
    fi
    echo "node-smoke: check passed"
fi
