package dev.netcost.webhook;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an {@code AdmissionReview} request netcost uses.
 *
 * @param apiVersion {@code admission.k8s.io/v1} or {@code admission.k8s.io/v1beta1}: the answer uses the same
 * @param uid        {@code request.uid}, echoed in the answer
 * @param group      {@code request.kind.group} ("" for the core group)
 * @param kind       {@code request.kind.kind}
 * @param operation  {@code CREATE}, {@code UPDATE}, {@code DELETE} or {@code CONNECT}
 * @param namespace  {@code request.namespace} ("" for cluster-scoped objects)
 * @param name       {@code request.name} (may be "" on CREATE with generateName)
 * @param dryRun     {@code request.dryRun}: answered, never recorded
 * @param object     {@code request.object} (a missing node on DELETE)
 * @param oldObject  {@code request.oldObject} (a missing node on CREATE)
 */
record AdmissionRequest(String apiVersion, String uid, String group, String kind, String operation,
                        String namespace, String name, boolean dryRun, JsonNode object, JsonNode oldObject) {
}
