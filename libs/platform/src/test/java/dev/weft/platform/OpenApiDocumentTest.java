package dev.weft.platform;

import dev.weft.platform.error.ErrorCode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What PlatformOpenApiFilter adds to every service's document, read from the test app's /q/openapi. */
@QuarkusTest
class OpenApiDocumentTest extends PlatformTestBase {

    private static JsonPath document() {
        return given().when().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void a_scoped_operation_accepts_any_credential_carrying_its_scope() {
        JsonPath doc = document();
        assertEquals(List.of(Map.of("BearerToken", List.of("widgets:write")), Map.of("ApiKey", List.of("widgets:write")),
                Map.of("SignedRequest", List.of("widgets:write"))), doc.getList("paths.'/v1/widgets'.post.security"));
        assertEquals(List.of(Map.of("BearerToken", List.of("widgets:read")), Map.of("ApiKey", List.of("widgets:read")),
                Map.of("SignedRequest", List.of("widgets:read"))), doc.getList("paths.'/v1/status/{component}'.get.security"));
        for (String status : List.of("401", "403", "429")) {
            assertEquals("#/components/schemas/Error",
                    doc.getString("paths.'/v1/widgets'.post.responses.'" + status + "'.content.'application/json'.schema.$ref"), status);
        }
    }

    @Test
    void a_public_endpoint_declares_no_security_and_no_credential_errors() {
        JsonPath doc = document();
        assertEquals(List.of(), doc.getList("paths.'/v1/status'.get.security"));
        assertNull(doc.get("paths.'/v1/status'.get.responses.'401'"));
        assertNull(doc.get("paths.'/v1/status'.get.responses.'429'"));
        given().when().get("/v1/status").then().statusCode(200);
        given().when().get("/v1/status/db").then().statusCode(401);
    }

    @Test
    void an_endpoint_taking_oauth_client_authentication_also_accepts_basic_or_none() {
        JsonPath doc = document();
        assertEquals(List.of(Map.of("BearerToken", List.of()), Map.of("ApiKey", List.of()), Map.of("SignedRequest", List.of()),
                Map.of("ClientSecretBasic", List.of()), Map.of()), doc.getList("paths.'/v1/status/clients'.get.security"));
        assertEquals("basic", doc.getString("components.securitySchemes.ClientSecretBasic.scheme"));
        given().when().get("/v1/status/clients").then().statusCode(200);
    }

    @Test
    void declares_the_three_credentials_the_error_shape_and_servers() {
        JsonPath doc = document();
        assertEquals("bearer", doc.getString("components.securitySchemes.BearerToken.scheme"));
        assertEquals("header", doc.getString("components.securitySchemes.ApiKey.in"));
        assertEquals("X-API-Key", doc.getString("components.securitySchemes.ApiKey.name"));
        assertEquals("WEFT-HMAC", doc.getString("components.securitySchemes.SignedRequest.scheme"));
        assertEquals(Arrays.stream(ErrorCode.values()).map(Enum::name).toList(),
                doc.getList("components.schemas.Error.properties.error.properties.code.enum"));
        List<String> servers = doc.getList("servers.url");
        assertTrue(servers.contains("http://127.0.0.1:8080"), servers.toString());
        assertFalse(doc.getList("security").isEmpty(), "a default security requirement");
    }

    @Test
    void schemas_name_properties_as_the_wire_does() {
        assertTrue(document().getMap("components.schemas.WidgetView.properties").containsKey("created_at"));
    }
}
