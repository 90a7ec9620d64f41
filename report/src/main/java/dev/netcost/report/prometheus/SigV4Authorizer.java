package dev.netcost.report.prometheus;

import dev.netcost.core.auth.SigV4Config;
import dev.netcost.core.auth.SigV4RequestSigner;
import dev.netcost.report.ReportException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

/**
 * AWS Signature Version 4 on every query, for Amazon Managed Prometheus: the node agent's signer, with
 * credentials from the AWS SDK's default chain (environment, profile and SSO, web identity, container
 * and instance credentials), optionally exchanged for a role's. Only {@code host} and the
 * {@code x-amz-*} headers are signed, so no header a proxy may rewrite can break the signature.
 */
final class SigV4Authorizer implements RequestAuthorizer {
    private final SigV4RequestSigner signer;

    SigV4Authorizer(SigV4RequestSigner signer) {
        this.signer = signer;
    }

    /** With the default credential chain; no credentials are fetched before the first query. */
    static SigV4Authorizer create(SigV4Config config) {
        return new SigV4Authorizer(SigV4RequestSigner.builder().config(config).sessionName("netcost-report").build());
    }

    @Override
    public void authorize(String method, URI uri, byte[] body, HttpRequest.Builder request) throws ReportException {
        Map<String, String> added;
        try {
            added = signer.sign(method, uri, Map.of(), body, 0, body.length);
        } catch (SigV4RequestSigner.SigningException e) {
            throw ReportException.failure(e.getMessage() + "; where netcost report runs outside a pod: AWS_PROFILE"
                    + " (after `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", e);
        }
        added.forEach(request::setHeader);
    }

    @Override
    public String rejectionAdvice() {
        SigV4Config c = signer.config();
        return "signed as " + signer.identity() + "; possible fixes: allow aps:QueryMetrics on the workspace to that"
                + " identity" + (c.roleArn() == null ? "" : " (the role " + c.roleArn() + ")")
                + ", check that --sigv4-region is the workspace's region, and that this machine's clock is right";
    }

    @Override
    public void close() {
        signer.close();
    }
}
