package dev.netcost.core.k8s;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the workload owning a pod from the pod alone (its controller owner reference and labels), so
 * that no ReplicaSet or Job has to be watched. The rules are documented in docs/metadata.md.
 */
final class WorkloadResolver {
    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** CronJob-created Jobs are named {@code <cronjob>-<scheduled time in minutes since the epoch>}. */
    private static final Pattern CRONJOB_JOB = Pattern.compile("(.+)-(\\d{8,10})");
    /** 2015-01-01T00:00Z in minutes: before CronJobs existed, so smaller numbers are not schedule times. */
    static final long EARLIEST_SCHEDULE_MINUTE = Instant.parse("2015-01-01T00:00:00Z").getEpochSecond() / 60;

    private WorkloadResolver() {
    }

    /** A pod's workload: the {@code workload} and {@code workload_kind} labels. */
    record Workload(String name, String kind) {
    }

    /**
     * @param podName   the pod's name
     * @param labels    the pod's labels
     * @param ownerKind the kind of the pod's controller owner reference (or its first one), null if none
     * @param ownerName that owner's name
     * @param nodeName  the pod's node, for static (mirror) pods
     * @param now       the current time: a CronJob schedule time lies before it
     */
    static Workload resolve(String podName, Map<String, String> labels, String ownerKind, String ownerName,
                            String nodeName, Instant now) {
        if (ownerKind == null || ownerKind.isEmpty() || ownerName == null || ownerName.isEmpty()) {
            return new Workload(podName, "Pod");
        }
        switch (ownerKind) {
            case "ReplicaSet" -> {
                String hash = labels.get(POD_TEMPLATE_HASH);
                if (hash != null && !hash.isEmpty() && ownerName.length() > hash.length() + 1
                        && ownerName.endsWith("-" + hash)) {
                    return new Workload(ownerName.substring(0, ownerName.length() - hash.length() - 1), "Deployment");
                }
                return new Workload(ownerName, "ReplicaSet");
            }
            case "Job" -> {
                Matcher m = CRONJOB_JOB.matcher(ownerName);
                if (m.matches()) {
                    long minute = Long.parseLong(m.group(2));
                    if (minute >= EARLIEST_SCHEDULE_MINUTE && minute <= now.getEpochSecond() / 60 + 1) {
                        return new Workload(m.group(1), "CronJob");
                    }
                }
                return new Workload(ownerName, "Job");
            }
            case "Node" -> {
                // A static pod's mirror: the kubelet names it <manifest name>-<node name>.
                String suffix = "-" + nodeName;
                String name = nodeName != null && !nodeName.isEmpty() && podName.length() > suffix.length()
                        && podName.endsWith(suffix) ? podName.substring(0, podName.length() - suffix.length()) : podName;
                return new Workload(name, "Pod");
            }
            default -> {
                return new Workload(ownerName, ownerKind);
            }
        }
    }
}
