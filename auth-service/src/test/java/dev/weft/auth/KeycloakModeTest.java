package dev.weft.auth;

import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.ClientsResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keycloak mode against a real Keycloak server: clients are mirrored into the realm, and the
 * realm's tokens are accepted beside Weft's own. Its own class (and Quarkus start) so the other
 * tests do not wait for Keycloak.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KeycloakServerResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakModeTest extends AuthTestSupport {

    private static ClientsResource realmClients(Keycloak admin) {
        return admin.realm(KeycloakServerResource.REALM).clients();
    }

    private static ClientRepresentation inKeycloak(Keycloak admin, String clientId) {
        List<ClientRepresentation> found = realmClients(admin).findByClientId(clientId);
        assertEquals(1, found.size(), "Keycloak clients named " + clientId);
        return found.get(0);
    }

    private static ValidatableResponse keycloakToken(String clientId, String secret) {
        return given().baseUri(KeycloakServerResource.issuer()).auth().preemptive().basic(clientId, secret)
                .contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .when().post("/protocol/openid-connect/token").then();
    }

    private static String keycloakAccessToken(String clientId, String secret) {
        return keycloakToken(clientId, secret).statusCode(200).extract().path("access_token");
    }

    private static Map<String, Object> created(String weftToken, String... scopes) {
        return bearer(weftToken).body(Map.of("name", "kc " + UUID.randomUUID(), "scopes", scopes))
                .when().post("/v1/clients").then().statusCode(201).extract().as(Map.class);
    }

    @Test
    @Order(1)
    void creating_a_client_provisions_a_confidential_client_in_the_realm() {
        Client admin = newAdmin();
        Map<String, Object> client = created(accessToken(admin), "clients:read");
        String id = (String) client.get("client_id");
        try (Keycloak keycloak = KeycloakServerResource.admin()) {
            ClientRepresentation mirrored = inKeycloak(keycloak, id);
            assertTrue(mirrored.isServiceAccountsEnabled());
            assertEquals(Boolean.FALSE, mirrored.isPublicClient());
            assertEquals(client.get("client_secret"), realmClients(keycloak).get(mirrored.getId()).getSecret().getValue());
            Map<String, String> claims = new java.util.HashMap<>();
            for (ProtocolMapperRepresentation mapper : mirrored.getProtocolMappers()) {
                if (mapper.getConfig().containsKey("claim.name")) {
                    claims.put(mapper.getConfig().get("claim.name"), mapper.getConfig().get("claim.value"));
                }
            }
            assertEquals(admin.orgId(), claims.get("org"));
            assertEquals("clients:read", claims.get("weft_scope"));
            assertEquals("developer", claims.get("plan"));
            // The operator's bootstrap client is mirrored too.
            inKeycloak(keycloak, admin.clientId());
        }
    }

    @Test
    @Order(2)
    void a_keycloak_token_is_accepted_with_the_org_and_scopes_of_its_client() {
        Client adminA = newAdmin();
        Map<String, Object> readerA = created(accessToken(adminA), "clients:read");
        String tokenA = keycloakAccessToken((String) readerA.get("client_id"), (String) readerA.get("client_secret"));
        bearer(tokenA).when().get("/v1/clients").then().statusCode(200)
                .body("data.id", hasItems(adminA.clientId(), (String) readerA.get("client_id")));
        // Scopes come from the Weft client: clients:read does not allow writing.
        bearer(tokenA).body(Map.of("name", "x", "scopes", List.of("clients:read"))).when().post("/v1/clients")
                .then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));

        // Org isolation: org B's Keycloak token sees none of org A's clients.
        Client adminB = newAdmin();
        String tokenB = keycloakAccessToken(adminB.clientId(), adminB.secret());
        bearer(tokenB).when().get("/v1/clients/" + adminA.clientId()).then().statusCode(404);
        bearer(tokenB).when().get("/v1/clients").then().statusCode(200)
                .body("data.id", not(hasItem(adminA.clientId()))).body("data.id", everyItem(not(equalTo(readerA.get("client_id")))));
    }

    @Test
    @Order(3)
    void tokens_of_an_untrusted_issuer_or_another_audience_are_refused() {
        // The master realm is a real issuer, but not a trusted one.
        String masterToken = given().baseUri(KeycloakServerResource.url()).contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", KeycloakServerResource.ADMIN_USERNAME).formParam("password", KeycloakServerResource.ADMIN_PASSWORD)
                .when().post("/realms/master/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
        bearer(masterToken).when().get("/v1/clients").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));

        // A client of the trusted realm made outside Weft: right issuer and org claim, but no "weft" audience.
        Client admin = newAdmin();
        ClientRepresentation stray = new ClientRepresentation();
        stray.setClientId("stray-" + UUID.randomUUID());
        stray.setSecret("stray-secret-0123456789");
        stray.setPublicClient(false);
        stray.setServiceAccountsEnabled(true);
        ProtocolMapperRepresentation org = new ProtocolMapperRepresentation();
        org.setName("org");
        org.setProtocol("openid-connect");
        org.setProtocolMapper("oidc-hardcoded-claim-mapper");
        org.setConfig(Map.of("claim.name", "org", "claim.value", admin.orgId(), "jsonType.label", "String", "access.token.claim", "true"));
        stray.setProtocolMappers(List.of(org));
        try (Keycloak keycloak = KeycloakServerResource.admin()) {
            realmClients(keycloak).create(stray).close();
        }
        String noAudience = keycloakAccessToken(stray.getClientId(), stray.getSecret());
        bearer(noAudience).when().get("/v1/clients").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
    }

    @Test
    @Order(4)
    void rotating_the_secret_updates_keycloak() {
        Client admin = newAdmin();
        String weftToken = accessToken(admin);
        Map<String, Object> client = created(weftToken, "clients:read");
        String id = (String) client.get("client_id");
        String newSecret = bearer(weftToken).when().post("/v1/clients/" + id + "/rotate-secret").then().statusCode(200)
                .extract().path("client_secret");
        keycloakToken(id, (String) client.get("client_secret")).statusCode(401);
        bearer(keycloakAccessToken(id, newSecret)).when().get("/v1/clients").then().statusCode(200);

        // A client missing from the realm (made before Keycloak mode) joins it when its secret is rotated.
        try (Keycloak keycloak = KeycloakServerResource.admin()) {
            realmClients(keycloak).get(inKeycloak(keycloak, id).getId()).remove();
        }
        String thirdSecret = bearer(weftToken).when().post("/v1/clients/" + id + "/rotate-secret").then().statusCode(200)
                .extract().path("client_secret");
        bearer(keycloakAccessToken(id, thirdSecret)).when().get("/v1/clients").then().statusCode(200)
                .body("data.id", hasItem(id));
    }

    @Test
    @Order(5)
    void deleting_the_client_removes_it_from_keycloak() {
        Client admin = newAdmin();
        String weftToken = accessToken(admin);
        Map<String, Object> client = created(weftToken, "clients:read");
        String id = (String) client.get("client_id");
        bearer(weftToken).when().delete("/v1/clients/" + id).then().statusCode(204);
        try (Keycloak keycloak = KeycloakServerResource.admin()) {
            assertTrue(realmClients(keycloak).findByClientId(id).isEmpty());
        }
        keycloakToken(id, (String) client.get("client_secret")).statusCode(401);
    }

    /** Last: it stops the Keycloak server. */
    @Test
    @Order(Integer.MAX_VALUE)
    void keycloak_down_at_create_time_is_a_502_and_leaves_no_weft_client() {
        Client admin = newAdmin();
        String weftToken = accessToken(admin);
        KeycloakServerResource.stopServer();
        String name = "never " + UUID.randomUUID();
        bearer(weftToken).body(Map.of("name", name, "scopes", List.of("clients:read"))).when().post("/v1/clients")
                .then().statusCode(502).body("error.code", equalTo("UPSTREAM_ERROR"));
        bearer(weftToken).when().get("/v1/clients").then().statusCode(200).body("data.name", not(hasItem(name)));
        // The operator's path rolls back the same way.
        String org = createOrg();
        operator().body(Map.of("name", name, "scopes", List.of("admin"))).when().post("/v1/orgs/" + org + "/clients")
                .then().statusCode(502).body("error.code", equalTo("UPSTREAM_ERROR"));
    }
}
