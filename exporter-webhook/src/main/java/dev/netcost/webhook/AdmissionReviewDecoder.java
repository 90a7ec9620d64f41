package dev.netcost.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads {@code AdmissionReview} requests ({@code admission.k8s.io/v1} and {@code v1beta1}, which
 * share their shape) and writes the answer, always {@code allowed: true}, in the version asked.
 *
 * <p>Only what is needed to answer is strict: the JSON must parse, {@code apiVersion} and
 * {@code kind} must name an AdmissionReview and {@code request.uid} must be a non-empty string.
 * Everything else of the wrong type is treated as absent, so that odd objects are allowed, not refused.
 *
 * <p>Only what is answered or recorded is built: the review's own fields and, of {@code object} and
 * {@code oldObject}, the fields the {@link ResourceParser} reads ({@link ResourceParser#recordedFields()}).
 * The rest is tokenized (so it must still be valid JSON) but skipped, which keeps a review of a large
 * object cheap in time and heap.
 */
final class AdmissionReviewDecoder {
    static final String V1 = "admission.k8s.io/v1";
    static final String V1BETA1 = "admission.k8s.io/v1beta1";
    /** Kubernetes objects are shallow; this bounds the parser's recursion on hostile input. */
    static final int MAX_NESTING = 100;

    private final JsonFactory factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();
    private final ObjectMapper mapper = new ObjectMapper(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final TokenFilter reviewFields;

    /** Keeps what {@code objectFields} keeps of {@code object} and {@code oldObject}. */
    AdmissionReviewDecoder(JsonFieldFilter objectFields) {
        JsonFieldFilter request = JsonFieldFilter.builder()
                .all("uid", "operation", "namespace", "name", "dryRun")
                .field("kind", JsonFieldFilter.builder().all("group", "kind").build())
                .field("object", objectFields)
                .field("oldObject", objectFields)
                .build();
        this.reviewFields = JsonFieldFilter.builder().all("apiVersion", "kind").field("request", request).build();
    }

    AdmissionRequest decode(InputStream body) throws MalformedReviewException {
        JsonNode root;
        try (JsonParser p = new FilteringParserDelegate(factory.createParser(body), reviewFields,
                TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
            root = mapper.readTree(p);
        } catch (JsonProcessingException e) {
            throw new MalformedReviewException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedReviewException("cannot read the body: " + e.getMessage(), e);
        }
        return decode(root);
    }

    private static AdmissionRequest decode(JsonNode root) throws MalformedReviewException {
        if (root == null || !root.isObject()) {
            throw new MalformedReviewException("not an AdmissionReview: the body must be a JSON object");
        }
        String apiVersion = root.path("apiVersion").isTextual() ? root.path("apiVersion").textValue() : "";
        if (!apiVersion.equals(V1) && !apiVersion.equals(V1BETA1)) {
            throw new MalformedReviewException("apiVersion must be " + V1 + " or " + V1BETA1 + ", got '"
                    + abbreviate(apiVersion) + "'");
        }
        if (!"AdmissionReview".equals(root.path("kind").textValue())) {
            throw new MalformedReviewException("kind must be AdmissionReview");
        }
        JsonNode req = root.path("request");
        if (!req.isObject()) {
            throw new MalformedReviewException("request is missing or not an object");
        }
        JsonNode uid = req.path("uid");
        if (!uid.isTextual() || uid.textValue().isEmpty()) {
            throw new MalformedReviewException("request.uid is missing or not a string");
        }
        JsonNode kind = req.path("kind");
        return new AdmissionRequest(apiVersion, uid.textValue(), ResourceParser.text(kind.path("group")),
                ResourceParser.text(kind.path("kind")), ResourceParser.text(req.path("operation")),
                ResourceParser.text(req.path("namespace")), ResourceParser.text(req.path("name")),
                req.path("dryRun").asBoolean(false), objectOrMissing(req.path("object")),
                objectOrMissing(req.path("oldObject")));
    }

    private static JsonNode objectOrMissing(JsonNode n) {
        return n.isObject() ? n : MissingNode.getInstance();
    }

    /** {@code {"apiVersion":..., "kind":"AdmissionReview", "response":{"uid":..., "allowed":true}}}. */
    byte[] allowed(String apiVersion, String uid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + uid.length());
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("apiVersion", apiVersion);
            g.writeStringField("kind", "AdmissionReview");
            g.writeObjectFieldStart("response");
            g.writeStringField("uid", uid);
            g.writeBooleanField("allowed", true);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("BUG: writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
