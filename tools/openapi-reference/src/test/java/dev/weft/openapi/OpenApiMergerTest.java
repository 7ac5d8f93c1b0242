package dev.weft.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenApiMergerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHARED = "\"openapi\":\"3.1.0\",\"servers\":[{\"url\":\"http://127.0.0.1:8080\"}],"
            + "\"security\":[{\"BearerToken\":[]}],";

    private static OpenApiMerger.Source doc(String name, String body) throws Exception {
        return new OpenApiMerger.Source(name, JSON.readTree("{" + SHARED + body + "}"));
    }

    private static OpenApiMerger.Source service(String name, String path, String operationId, String schema) throws Exception {
        return doc(name, "\"info\":{\"title\":\"Weft " + name + " API\",\"version\":\"v1\",\"description\":\"The " + name + " part\"},"
                + "\"tags\":[{\"name\":\"" + name + "\",\"description\":\"" + name + " things\"}],"
                + "\"paths\":{\"" + path + "\":{\"get\":{\"operationId\":\"" + operationId + "\",\"responses\":{\"200\":{\"description\":\"ok\"}}}}},"
                + "\"components\":{\"schemas\":{\"Error\":{\"type\":\"object\"}," + schema + "}}");
    }

    @Test
    void unites_paths_tags_and_components_sorted_and_keeps_what_is_shared() throws Exception {
        JsonNode merged = OpenApiMerger.merge(List.of(
                service("webhook", "/v1/webhooks", "listWebhooks", "\"Webhook\":{\"type\":\"object\"}"),
                service("auth", "/v1/clients", "listClients", "\"Client\":{\"type\":\"object\"}")));

        assertEquals(List.of("/v1/clients", "/v1/webhooks"), fieldNames(merged.get("paths")));
        assertEquals(List.of("Client", "Error", "Webhook"), fieldNames(merged.at("/components/schemas")));
        assertEquals("auth", merged.at("/tags/0/name").asText());
        assertEquals("http://127.0.0.1:8080", merged.at("/servers/0/url").asText());
        assertEquals("Weft API", merged.at("/info/title").asText());
        assertEquals("v1", merged.at("/info/version").asText());
        String description = merged.at("/info/description").asText();
        assertTrue(description.contains("Weft auth API: The auth part") && description.contains("Weft webhook API"), description);
        assertEquals(List.of("openapi", "info", "servers", "security", "tags", "paths", "components"), fieldNames(merged));
        assertTrue(OpenApiMerger.toYaml(merged).startsWith(OpenApiMerger.HEADER));
    }

    @Test
    void the_same_schema_name_with_another_definition_is_refused() throws Exception {
        IllegalStateException conflict = assertThrows(IllegalStateException.class, () -> OpenApiMerger.merge(List.of(
                service("auth", "/v1/clients", "listClients", "\"Page\":{\"type\":\"object\"}"),
                service("webhook", "/v1/webhooks", "listWebhooks", "\"Page\":{\"type\":\"array\"}"))));
        assertTrue(conflict.getMessage().contains("components/schemas/Page"), conflict.getMessage());
    }

    @Test
    void an_operation_or_operation_id_in_two_services_is_refused() throws Exception {
        assertThrows(IllegalStateException.class, () -> OpenApiMerger.merge(List.of(
                service("auth", "/v1/things", "listThings", "\"A\":{}"),
                service("webhook", "/v1/things", "listOtherThings", "\"B\":{}"))));
        IllegalStateException duplicateId = assertThrows(IllegalStateException.class, () -> OpenApiMerger.merge(List.of(
                service("auth", "/v1/clients", "list", "\"A\":{}"),
                service("webhook", "/v1/webhooks", "list", "\"B\":{}"))));
        assertTrue(duplicateId.getMessage().contains("operationId list"), duplicateId.getMessage());
    }

    @Test
    void services_must_agree_on_servers_and_version() throws Exception {
        OpenApiMerger.Source other = new OpenApiMerger.Source("other", JSON.readTree(
                "{\"openapi\":\"3.1.0\",\"servers\":[{\"url\":\"http://elsewhere\"}],\"security\":[{\"BearerToken\":[]}],"
                        + "\"info\":{\"title\":\"x\",\"version\":\"v1\"}}"));
        assertThrows(IllegalStateException.class, () -> OpenApiMerger.merge(List.of(
                service("auth", "/v1/clients", "listClients", "\"A\":{}"), other)));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
