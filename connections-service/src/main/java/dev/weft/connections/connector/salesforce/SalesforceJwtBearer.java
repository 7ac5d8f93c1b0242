package dev.weft.connections.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.connections.connector.ConnectionCredentials;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.PemKeys;
import dev.weft.connections.connector.VendorHttp;
import io.quarkus.logging.Log;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OAuth 2.0 JWT bearer flow (RFC 7523) as Salesforce runs it: an RS256 assertion signed with the
 * connected app's key is exchanged at {@code /services/oauth2/token} for an access token and the
 * org's instance URL. Tokens are cached per connection; Salesforce does not say when they expire,
 * so one is reused for at most {@link #TOKEN_LIFETIME} and replaced early after a 401.
 */
final class SalesforceJwtBearer {
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** Shorter than any session timeout an org can set above the minimum; a 401 refreshes sooner. */
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(55);
    private static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(3);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Clock clock;

    SalesforceJwtBearer(Clock clock) {
        this.clock = clock;
    }

    /** A session (token and instance URL) from Salesforce, with where it came from so that changed credentials are noticed. */
    record Session(String accessToken, String instanceUrl, Instant fetchedAt, String identity) {
    }

    /** Credentials whose access token comes from this flow; other fields are the connection's own. */
    ConnectionCredentials credentials(ConnectorContext context, String loginUrl) {
        return new ConnectionCredentials() {
            @Override
            public Optional<String> get(String field) {
                return context.credentials().get(field);
            }

            @Override
            public java.util.Set<String> fieldNames() {
                return context.credentials().fieldNames();
            }

            @Override
            public String accessToken() {
                return session(context, loginUrl).accessToken();
            }

            @Override
            public String refreshAccessToken(String rejected) {
                return refresh(context, loginUrl, rejected).accessToken();
            }
        };
    }

    Session session(ConnectorContext context, String loginUrl) {
        String identity = identity(context, loginUrl);
        Session current = sessions.get(context.connectionId());
        if (fresh(current, identity)) {
            return current;
        }
        synchronized (lock(context.connectionId())) {
            current = sessions.get(context.connectionId());
            if (fresh(current, identity)) {
                return current;
            }
            Session fetched = fetch(context, loginUrl, identity);
            sessions.put(context.connectionId(), fetched);
            return fetched;
        }
    }

    private Session refresh(ConnectorContext context, String loginUrl, String rejected) {
        synchronized (lock(context.connectionId())) {
            Session current = sessions.get(context.connectionId());
            if (current != null && !current.accessToken().equals(rejected) && fresh(current, identity(context, loginUrl))) {
                return current; // another call already replaced the rejected token
            }
            sessions.remove(context.connectionId());
            return session(context, loginUrl);
        }
    }

    void release(String connectionId) {
        sessions.remove(connectionId);
        locks.remove(connectionId);
    }

    private Object lock(String connectionId) {
        return locks.computeIfAbsent(connectionId, id -> new Object());
    }

    private boolean fresh(Session session, String identity) {
        return session != null && session.identity().equals(identity)
                && session.fetchedAt().plus(TOKEN_LIFETIME).isAfter(clock.instant());
    }

    private static String identity(ConnectorContext context, String loginUrl) {
        ConnectionCredentials credentials = context.credentials();
        return loginUrl + "|" + credentials.get("consumer_key").orElse("") + "|" + username(context).orElse("")
                + "|" + credentials.get("private_key_id").orElse("") + "|" + Objects.hashCode(credentials.get("private_key").orElse(""));
    }

    private Session fetch(ConnectorContext context, String loginUrl, String identity) {
        String consumerKey = context.credentials().get("consumer_key").filter(s -> !s.isBlank())
                .orElseThrow(() -> ConnectorException.auth("credentials.consumer_key is not set"));
        String username = username(context).orElseThrow(() -> ConnectorException.auth(
                "credentials.username is not set and the operator configured no jwt-username setting for salesforce"));
        String assertion = assertion(consumerKey, username, loginUrl, privateKey(context));
        String form = "grant_type=" + URLEncoder.encode(GRANT_TYPE, StandardCharsets.UTF_8)
                + "&assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(loginUrl + "/services/oauth2/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response;
        try {
            response = VendorHttp.send("salesforce", request, SalesforceErrors::message);
        } catch (ConnectorException e) {
            // The token endpoint refuses a bad grant with 400 invalid_grant: that is the credentials' fault.
            if (e.kind() == ConnectorException.Kind.UPSTREAM && e.upstreamStatus() >= 400 && e.upstreamStatus() < 500 && e.upstreamStatus() != 429) {
                throw ConnectorException.auth(e.getMessage(), e.upstreamStatus());
            }
            throw e;
        }
        JsonNode body = SalesforceErrors.json(response.body());
        String token = body.path("access_token").asText(null);
        if (token == null || token.isBlank()) {
            throw ConnectorException.upstream("salesforce token answer has no access_token", response.statusCode());
        }
        Log.infof("event=salesforce_jwt_token_fetched connection_id=%s", context.connectionId());
        return new Session(token, body.path("instance_url").asText(null), clock.instant(), identity);
    }

    private static Optional<String> username(ConnectorContext context) {
        return context.credentials().get("username").filter(s -> !s.isBlank()).or(() -> context.setting("jwt-username"));
    }

    private String assertion(String consumerKey, String username, String audience, PrivateKey key) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(consumerKey)
                .subject(username)
                .audience(audience)
                .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw ConnectorException.auth("the Salesforce private key cannot sign RS256 assertions: " + e.getClass().getSimpleName());
        }
        return jwt.serialize();
    }

    private static PrivateKey privateKey(ConnectorContext context) {
        Optional<String> keyId = context.credentials().get("private_key_id").filter(s -> !s.isBlank());
        String pem;
        if (keyId.isPresent()) {
            pem = context.setting("private-key." + keyId.get()).orElseThrow(() -> ConnectorException.auth(
                    "private key " + keyId.get() + " is not configured for salesforce (operator setting private-key." + keyId.get() + ")"));
        } else {
            pem = context.credentials().get("private_key").filter(s -> !s.isBlank()).orElseThrow(() -> ConnectorException.auth(
                    "credentials need private_key_id or private_key for the jwt_bearer flow"));
        }
        return parsePem(pem);
    }

    /** An RSA private key from PEM, PKCS#8 ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}). */
    static PrivateKey parsePem(String pem) {
        return PemKeys.rsaPrivateKey(pem, "Salesforce");
    }
}
