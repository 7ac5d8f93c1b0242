package dev.weft.platform;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.weft.testing.TestCredentials;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * A second issuer (as Keycloak is in Keycloak mode) trusted through
 * weft.platform.auth.jwt.trusted-issuers: its tokens verify against its own JWKS, its scope claim is
 * configurable, and it cannot speak for Weft's issuer or any issuer not configured.
 */
@QuarkusTest
@QuarkusTestResource(value = TrustedIssuerTest.OtherIssuer.class, restrictToAnnotatedClass = true)
class TrustedIssuerTest extends PlatformTestBase {
    static final String ISSUER = "https://idp.test/realms/weft";

    /** Serves the other issuer's JWKS; its key is made once per test JVM. */
    public static class OtherIssuer implements QuarkusTestResourceLifecycleManager {
        static RSAKey key;
        private static HttpServer server;

        @Override
        public synchronized Map<String, String> start() {
            try {
                if (server == null) {
                    key = new RSAKeyGenerator(2048).keyID("idp-" + UUID.randomUUID()).generate();
                    byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
                    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                    server.createContext("/certs", exchange -> {
                        exchange.getResponseHeaders().add("Content-Type", "application/json");
                        exchange.sendResponseHeaders(200, jwks.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(jwks);
                        }
                    });
                    server.start();
                }
            } catch (IOException | JOSEException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "weft.platform.auth.jwt.trusted-issuers.idp.issuer", ISSUER,
                    "weft.platform.auth.jwt.trusted-issuers.idp.jwks-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/certs",
                    "weft.platform.auth.jwt.trusted-issuers.idp.scope-claim", "weft_scope");
        }

        @Override
        public void stop() {
            // Lives as long as the test JVM, like the other test infrastructure.
        }
    }

    private static JWTClaimsSet.Builder claims(String issuer, String org) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer).audience("weft").subject(UUID.randomUUID().toString())
                .claim("azp", "cli_idp").issueTime(Date.from(now.minusSeconds(1))).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("org", org);
    }

    private static String signedByOther(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(OtherIssuer.key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(OtherIssuer.key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return "Bearer " + jwt.serialize();
    }

    @Test
    void its_tokens_are_accepted_with_org_and_configured_scope_claim() {
        String org = newOrg();
        String widget = createWidget(org, "w");
        String reader = signedByOther(claims(ISSUER, org).claim("weft_scope", "widgets:read").build());
        given().header("Authorization", reader).when().get("/v1/widgets/" + widget).then().statusCode(200);
        // Another org's token of the same issuer does not see it.
        String stranger = signedByOther(claims(ISSUER, newOrg()).claim("weft_scope", "widgets:read").build());
        given().header("Authorization", stranger).when().get("/v1/widgets/" + widget).then().statusCode(404);
        // The issuer's own "scope" claim grants nothing: only the configured claim carries Weft scopes.
        String idpScopes = signedByOther(claims(ISSUER, org).claim("scope", "widgets:read").build());
        given().header("Authorization", idpScopes).when().get("/v1/widgets/" + widget).then().statusCode(403)
                .body("error.code", equalTo("INSUFFICIENT_SCOPE"));
        // Weft's own tokens still work beside it.
        given().header("Authorization", TestCredentials.bearer(org, "widgets:read")).when().get("/v1/widgets/" + widget).then().statusCode(200);
    }

    @Test
    void wrong_audience_unknown_issuer_and_impersonating_weft_are_refused() {
        String org = newOrg();
        String noAudience = signedByOther(claims(ISSUER, org).audience("account").claim("weft_scope", "widgets:read").build());
        given().header("Authorization", noAudience).when().get("/v1/widgets").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        String unknownIssuer = signedByOther(claims("https://evil.test", org).claim("weft_scope", "widgets:read").build());
        given().header("Authorization", unknownIssuer).when().get("/v1/widgets").then().statusCode(401);
        // The other issuer's key cannot sign for Weft's issuer: each issuer is checked against its own keys only.
        String asWeft = signedByOther(claims(TestCredentials.ISSUER, org).claim("scope", "widgets:read").build());
        given().header("Authorization", asWeft).when().get("/v1/widgets").then().statusCode(401);
        String noOrg = signedByOther(claims(ISSUER, org).claim("org", null).claim("weft_scope", "widgets:read").build());
        given().header("Authorization", noOrg).when().get("/v1/widgets").then().statusCode(401);
    }
}
