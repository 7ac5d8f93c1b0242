package dev.weft.auth;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.auth.token.AccessTokens;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** auth-service accepts exactly the tokens it issued, unexpired, for its issuer and audience. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class AccessTokenVerificationTest extends AuthTestSupport {

    @Inject
    AccessTokens accessTokens;

    private static JWTClaimsSet.Builder claims(Client client) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer("https://weft.test").audience("weft").subject(client.clientId())
                .claim("org", client.orgId()).claim("scope", "admin").jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now.minusSeconds(5))).expirationTime(Date.from(now.plusSeconds(600)));
    }

    private static void refused(String token, String message) {
        bearer(token).when().get("/v1/clients").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"))
                .body("error.message", containsString(message));
    }

    @Test
    void a_token_signed_by_the_service_with_good_claims_is_accepted() {
        Client admin = newAdmin();
        bearer(accessTokens.sign(claims(admin).build())).when().get("/v1/clients").then().statusCode(200);
    }

    @Test
    void an_expired_token_is_refused() {
        Client admin = newAdmin();
        Instant past = Instant.now().minusSeconds(7200);
        refused(accessTokens.sign(claims(admin).issueTime(Date.from(past)).expirationTime(Date.from(past.plusSeconds(3600))).build()),
                "expired");
    }

    @Test
    void wrong_issuer_or_audience_is_refused() {
        Client admin = newAdmin();
        refused(accessTokens.sign(claims(admin).issuer("https://evil.example").build()), "not valid for this API");
        refused(accessTokens.sign(claims(admin).audience("someone-else").build()), "not valid for this API");
    }

    @Test
    void a_tampered_token_is_refused() throws Exception {
        Client admin = newAdmin();
        Client other = newAdmin();
        String token = accessToken(admin);
        String[] parts = token.split("\\.");
        // Same signature, another org in the payload.
        JWTClaimsSet forged = new JWTClaimsSet.Builder(SignedJWT.parse(token).getJWTClaimsSet()).claim("org", other.orgId()).build();
        String tampered = parts[0] + "." + Base64URL.encode(forged.toString()) + "." + parts[2];
        refused(tampered, "signature");
        // Flipped signature byte.
        char last = parts[2].charAt(10);
        String badSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A') + parts[2].substring(11);
        refused(badSignature, "signature");
    }

    @Test
    void alg_none_is_refused() throws Exception {
        Client admin = newAdmin();
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)).toString();
        String payload = Base64URL.encode(claims(admin).build().toString()).toString();
        refused(header + "." + payload + ".", "signature");
        String real = accessToken(admin);
        refused(header + "." + real.split("\\.")[1] + "." + real.split("\\.")[2], "signature");
    }

    @Test
    void an_unknown_kid_is_refused() {
        Client admin = newAdmin();
        // Signed by a perfectly good RSA key that auth-service never published.
        refused(TestCredentials.sign(claims(admin).build()), "signature");
    }

    @Test
    void missing_extra_or_garbled_authorization_headers_are_401() {
        String token = accessToken(newAdmin());
        given().when().get("/v1/clients").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        for (String header : new String[]{"Bearer", "Bearer ", "bearer", token, "Basic " + token, "Token " + token,
                "Bearer " + token + " extra", "Bearer a.b.c", "Bearer ...", "Bearer \u00e9\u00e9.\u00e9.\u00e9", "Bearer " + token + "," + token}) {
            given().header("Authorization", header).when().get("/v1/clients").then().statusCode(401)
                    .body("error.code", equalTo("UNAUTHORIZED"));
        }
        given().header("Authorization", "Bearer " + token).header("Authorization", "Bearer " + token)
                .when().get("/v1/clients").then().statusCode(401);
    }
}
