# Options every podman call of the scripts uses (sourced). This sandbox, like CI's machine, has a
# hybrid cgroup v1/v2 layout that crun refuses ("cgroups in hybrid mode not supported"), so runc runs
# the containers; and no CAP_SYS_RESOURCE, so the containers' open-file and process limits are set
# below the hard limits instead of podman's defaults (1048576), which setrlimit would refuse.
# Containers never use podman's default network (its CNI bridge adds host firewall rules): each
# call gives --network none or a namespace of its own, and scripts/containers.conf makes "none" the
# default should one forget.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf}"
# shellcheck disable=SC2034
PODMAN_GLOBAL=(--runtime runc)
PODMAN_LIMITS=(--ulimit nofile=16384:16384 --ulimit nproc=16384:16384)
PODMAN_RUN=(--rm "${PODMAN_LIMITS[@]}")
