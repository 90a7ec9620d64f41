package dev.netcost.core.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * STS's {@code AssumeRoleWithWebIdentity} on 127.0.0.1 (the IRSA exchange): the form-encoded request
 * ({@code RoleArn}, {@code RoleSessionName}, {@code WebIdentityToken}) is recorded and answered with the
 * {@code 2011-06-15} XML document carrying temporary credentials {@link #ACCESS_KEY_ID}.
 */
public final class StsServer extends LocalAwsServer {
    public static final String ACCESS_KEY_ID = "ASIAIRSATESTKEY00001";
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    public List<Map<String, String>> requests() {
        return List.copyOf(requests);
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        Map<String, String> p = form(ex);
        requests.add(p);
        if (!"AssumeRoleWithWebIdentity".equals(p.get("Action"))) {
            reply(ex, 400, "text/xml", "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                    + "<Type>Sender</Type><Code>InvalidAction</Code><Message>no</Message></Error>"
                    + "<RequestId>r</RequestId></ErrorResponse>");
            return;
        }
        String expiration = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        reply(ex, 200, "text/xml", """
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult>
                    <SubjectFromWebIdentityToken>system:serviceaccount:netcost-system:netcost-webhook</SubjectFromWebIdentityToken>
                    <Audience>sts.amazonaws.com</Audience>
                    <AssumedRoleUser>
                      <Arn>%s/%s</Arn>
                      <AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken>
                      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                      <Expiration>%s</Expiration>
                      <AccessKeyId>%s</AccessKeyId>
                    </Credentials>
                    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE</Provider>
                  </AssumeRoleWithWebIdentityResult>
                  <ResponseMetadata>
                    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
                  </ResponseMetadata>
                </AssumeRoleWithWebIdentityResponse>
                """.formatted(xml(p.getOrDefault("RoleArn", "")).replace(":role/", ":assumed-role/"),
                xml(p.getOrDefault("RoleSessionName", "")), xml(p.getOrDefault("RoleSessionName", "")), expiration,
                ACCESS_KEY_ID));
    }
}
