package dev.weft.auth;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.auth.keys.KeyRing;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class SigningKeyRotationTest extends AuthTestSupport {

    @Inject
    KeyRing keyRing;

    @Test
    void jwks_publishes_the_active_key_without_private_parts() throws Exception {
        String token = accessToken(newAdmin());
        String kid = SignedJWT.parse(token).getHeader().getKeyID();
        String body = given().when().get("/.well-known/jwks.json").then().statusCode(200)
                .header("Cache-Control", containsString("max-age")).body("keys.kid", hasItems(kid))
                .body("keys[0].kty", equalTo("RSA")).body("keys[0]", not(hasKey("d"))).body("keys[0]", not(hasKey("p")))
                .extract().asString();
        JWKSet set = JWKSet.parse(body);
        assertFalse(set.getKeyByKeyId(kid).isPrivate());
    }

    @Test
    void after_rotation_the_retired_key_stays_published_and_its_tokens_still_work() throws Exception {
        Client admin = newAdmin();
        String before = accessToken(admin);
        String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
        keyRing.rotateNow();
        String after = accessToken(admin);
        String newKid = SignedJWT.parse(after).getHeader().getKeyID();
        assertNotEquals(oldKid, newKid);
        List<String> kids = given().when().get("/.well-known/jwks.json").then().statusCode(200)
                .body("keys.kid", hasItems(oldKid, newKid)).extract().path("keys.kid");
        assertEquals(kids.size(), kids.stream().distinct().count());
        bearer(before).when().get("/v1/clients").then().statusCode(200);
        bearer(after).when().get("/v1/clients").then().statusCode(200);
    }

    @Test
    void publishes_rfc_8414_metadata() {
        given().when().get("/.well-known/oauth-authorization-server").then().statusCode(200)
                .body("issuer", equalTo("https://weft.test"))
                .body("token_endpoint", equalTo("http://127.0.0.1:8080/v1/auth/token"))
                .body("jwks_uri", equalTo("http://127.0.0.1:8080/.well-known/jwks.json"))
                .body("revocation_endpoint", equalTo("http://127.0.0.1:8080/v1/auth/revoke"))
                .body("introspection_endpoint", equalTo("http://127.0.0.1:8080/v1/auth/introspect"))
                .body("grant_types_supported", hasItems("client_credentials", "refresh_token"))
                .body("token_endpoint_auth_methods_supported", hasItems("client_secret_basic", "client_secret_post"))
                .body("scopes_supported", hasItems("admin", "clients:read", "clients:write", "introspect"));
    }
}
