package dev.netcost.report.prometheus;

import dev.netcost.core.auth.CredentialFile;
import dev.netcost.report.ReportException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;

/** {@code Authorization: Bearer <token>}, the token read from a file (re-read when it changes). */
final class BearerTokenAuthorizer implements RequestAuthorizer {
    private final CredentialFile token;

    BearerTokenAuthorizer(Path file) {
        this.token = new CredentialFile(file);
    }

    @Override
    public void authorize(String method, URI uri, byte[] body, HttpRequest.Builder request) throws ReportException {
        request.setHeader("Authorization", "Bearer " + RequestAuthorizer.secret(token));
    }

    @Override
    public void rejected() {
        token.invalidate();
    }
}
