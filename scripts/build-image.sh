#!/usr/bin/env bash
# Builds the netcost-agent OCI image on this machine without pulling anything from a container
# registry: a Debian 12 root file system made from Debian packages by mmdebstrap (iptables, nftables,
# ipset, ca-certificates), a Java runtime cut down by jlink to the modules netcost uses
# (agent/image/jlink-modules.txt) with its base class-data sharing archive, the shaded jar, its
# CycloneDX SBOM and the jar's own AppCDS archive (/opt/netcost/netcost.jsa, recorded in the image by
# one training run with the image's JVM), assembled with buildah from scratch. The image runs as the non-root user 65532 (the webhook); the chart runs the node agent as
# root with only NET_ADMIN and NET_RAW. agent/Dockerfile builds the same image where a registry is at hand.
#
# Prints the image reference as its last line, e.g. localhost/netcost-agent:0.1.0-SNAPSHOT.
#
# Environment:
#   NETCOST_IMAGE          image name (default localhost/netcost-agent); the tag is the project version
#   NETCOST_IMAGE_ARCH     Debian architecture to build for (default: this machine's, e.g. amd64, arm64).
#                          Another architecture needs qemu-user-static + binfmt for mmdebstrap's
#                          maintainer scripts; its JDK's jmods are extracted from Debian's package.
#   NETCOST_JMODS          jmods directory of a JDK 17 of the target architecture (default: this JDK's
#                          for the native architecture); its version must be this jlink's
#   NETCOST_DEBIAN_MIRROR  Debian mirror (default http://deb.debian.org/debian)
# Needs root, buildah, mmdebstrap, a JDK 17 (jlink) and Maven; scripts/install-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/podman-opts.sh
. scripts/podman-opts.sh

name=${NETCOST_IMAGE:-localhost/netcost-agent}
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
arch=${NETCOST_IMAGE_ARCH:-$(dpkg --print-architecture)}
mirror=${NETCOST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security
[ -n "$version" ] || { echo "build-image: cannot read the project version from pom.xml" >&2; exit 1; }
ref="$name:$version"

log() { echo "build-image: $*" >&2; }

jar=agent/target/netcost-agent.jar
sbom=agent/target/netcost-agent.cdx.json
if [ ! -f "$jar" ] || [ ! -f "$sbom" ] || [ -n "$(find agent-core agent exporter-* -name '*.java' -path '*/src/main/*' -newer "$jar" -print -quit)" ]; then
    log "building the agent jar and its SBOM (mvn package -pl agent -am)"
    mvn -B -ntp -q package -DskipTests -pl agent -am >&2
fi

work=$(mktemp -d /tmp/netcost-image.XXXXXX)
ctr=""
cleanup() {
    [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# 1. The root file system: Debian's essential set plus what the exporters run, no docs or man pages
#    (copyright files stay), a user for the webhook, and the CA bundle for the Java trust store.
log "root file system: Debian 12 ($arch) from $mirror"
# merged-usr hook: /usr merged without the usrmerge package (which would pull in perl); no Recommends.
mmdebstrap --quiet --variant=essential --architectures="$arch" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --aptopt='APT::Install-Recommends "false"' \
    --include=iptables,nftables,libnftables1,ipset,ca-certificates,zlib1g,libstdc++6 \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='echo "netcost:x:65532:65532:netcost:/nonexistent:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    --customize-hook='echo "netcost:x:65532:" >> "$1/etc/group"' \
    --customize-hook='mkdir -p "$1/etc/netcost" "$1/var/lib/netcost" && chown 65532:65532 "$1/var/lib/netcost"' \
    --customize-hook="cp \"\$1/etc/ssl/certs/ca-certificates.crt\" '$work/ca-certificates.crt'" \
    --customize-hook='rm -rf "$1"/var/cache/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
    bookworm "$work/rootfs.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" >&2

# 2. The Java runtime: jlink from this JDK, with the target architecture's jmods.
jmods=${NETCOST_JMODS:-}
if [ -z "$jmods" ]; then
    if [ "$arch" = "$(dpkg --print-architecture)" ]; then
        jmods="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")/jmods"
    else
        log "extracting openjdk-17-jdk-headless:$arch for its jmods"
        mmdebstrap --quiet --variant=extract --architectures="$arch" --include=openjdk-17-jdk-headless \
            bookworm "$work/jdk-$arch" "deb $mirror bookworm main" "deb $security bookworm-security main" >&2
        jmods="$work/jdk-$arch/usr/lib/jvm/java-17-openjdk-$arch/jmods"
    fi
fi
[ -f "$jmods/java.base.jmod" ] || { echo "build-image: no java.base.jmod in $jmods (set NETCOST_JMODS)" >&2; exit 1; }
log "Java runtime: jlink $(paste -sd, agent/image/jlink-modules.txt)"
jlink --module-path "$jmods" --add-modules "$(paste -sd, agent/image/jlink-modules.txt)" \
    --strip-debug --no-man-pages --no-header-files --compress=2 --generate-cds-archive --output "$work/jre"
# Debian's JDK links lib/security/cacerts to /etc/ssl/certs/java; the image has its own from ca-certificates.
rm -f "$work/jre/lib/security/cacerts"
# The base archive for compressed oops is the one used: the agent's heap is far below 32 GiB.
rm -f "$work/jre/lib/server/classes_nocoops.jsa"
java agent/image/CaCerts.java "$work/ca-certificates.crt" "$work/jre/lib/security/cacerts" >&2

# 3. The image, from scratch.
log "assembling $ref with buildah"
ctr=$(buildah from --quiet scratch)
buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
buildah copy --quiet "$ctr" "$work/jre" /opt/java >/dev/null
buildah copy --quiet "$ctr" "$jar" /opt/netcost/netcost-agent.jar >/dev/null
buildah copy --quiet "$ctr" "$sbom" /opt/netcost/netcost-agent.cdx.json >/dev/null
# The jar's class-data sharing archive, recorded with the image's own JVM (an archive matches only the
# JVM build and the jar it was made with): one `netcost node --once` run of agent/src/cds/training.yaml,
# with the entrypoint's collector, no network but loopback. The chart uses it (nodeAgent.sharedArchive).
log "class-data sharing archive: one training run in the image"
sed 's#^localFile: .*#localFile: {path: /tmp/cds-training/samples.prom}#' agent/src/cds/training.yaml > "$work/cds-training.yaml"
buildah copy --quiet "$ctr" "$work/cds-training.yaml" /opt/netcost/cds-training.yaml >/dev/null
buildah run "${PODMAN_GLOBAL[@]}" --network none "$ctr" -- /opt/java/bin/java -XX:ArchiveClassesAtExit=/opt/netcost/netcost.jsa -Xshare:auto \
    -XX:+UseSerialGC -jar /opt/netcost/netcost-agent.jar node --config /opt/netcost/cds-training.yaml --once \
    > "$work/cds-training.log" 2>&1 || true # exits 1: the training's kubelet is refused on purpose
buildah run "${PODMAN_GLOBAL[@]}" --network none "$ctr" -- sh -c 'rm -rf /tmp/cds-training /opt/netcost/cds-training.yaml; test -s /opt/netcost/netcost.jsa' \
    || { cat "$work/cds-training.log" >&2; echo "build-image: no class-data sharing archive was written" >&2; exit 1; }
buildah config \
    --os linux --arch "$arch" \
    --env PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env JAVA_HOME=/opt/java \
    --user 65532:65532 --workingdir / \
    --entrypoint '["java", "-XX:MaxRAMPercentage=60", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/netcost/netcost-agent.jar"]' \
    --cmd '["node", "--config", "/etc/netcost/netcost.yaml"]' \
    --label org.opencontainers.image.title=netcost-agent \
    --label org.opencontainers.image.version="$version" \
    --label org.opencontainers.image.description="netcost node agent and admission webhook" \
    --label org.opencontainers.image.base.name="debian:bookworm (mmdebstrap, essential)" \
    --label dev.netcost.sbom=/opt/netcost/netcost-agent.cdx.json \
    "$ctr"
buildah commit --quiet --format oci --rm "$ctr" "$ref" >/dev/null
ctr=""
log "built $ref ($(podman image inspect --format '{{.Size}}' "$ref" 2>/dev/null || echo '?') bytes)"
echo "$ref"
