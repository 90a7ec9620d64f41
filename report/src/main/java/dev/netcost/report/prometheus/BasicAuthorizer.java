package dev.netcost.report.prometheus;

import dev.netcost.core.auth.CredentialFile;
import dev.netcost.report.ReportException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/** HTTP basic auth: a user name and a password read from a file (re-read when it changes). */
final class BasicAuthorizer implements RequestAuthorizer {
    private final String username;
    private final CredentialFile password;

    BasicAuthorizer(String username, Path passwordFile) {
        this.username = username;
        this.password = new CredentialFile(passwordFile);
    }

    @Override
    public void authorize(String method, URI uri, byte[] body, HttpRequest.Builder request) throws ReportException {
        String pair = username + ":" + RequestAuthorizer.secret(password);
        request.setHeader("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void rejected() {
        password.invalidate();
    }
}
