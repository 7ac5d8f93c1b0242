package dev.weft.connections.connector.microsoft;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.MapCredentials;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.http.CatalogEntries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicrosoftConnectorTest {
    private static final String ME = """
            {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users/$entity","businessPhones":["+1 412 555 0109"],
             "displayName":"Megan Bowen","givenName":"Megan","jobTitle":"Auditor","mail":"MeganB@contoso.com","mobilePhone":null,
             "officeLocation":"12/1110","preferredLanguage":"en-US","surname":"Bowen","userPrincipalName":"MeganB@contoso.com",
             "id":"48d31887-5fad-4d73-a9f5-3c356e68a038"}""";
    private static WireMockServer graph;
    private final MicrosoftConnector connector = new MicrosoftConnector();

    @BeforeAll
    static void start() {
        graph = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        graph.start();
    }

    @AfterAll
    static void stop() {
        graph.stop();
    }

    private ConnectorContext context() {
        return MapCredentials.context("microsoft", Map.of(), MapCredentials.of(Map.of("access_token", "eyJ0eXAi")),
                Map.of("base-url", graph.baseUrl()));
    }

    @Test
    void check_and_query_read_the_graph_me_profile() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/me")).withHeader("Authorization", equalTo("Bearer eyJ0eXAi")).willReturn(okJson(ME)));

        assertEquals(CheckResult.Outcome.OK, connector.check(context()).outcome());
        var profile = connector.query(context(), new QuerySpec("profile", List.of(), null, 1, null, null)).records();
        assertEquals(1, profile.size());
        assertEquals("MeganB@contoso.com", profile.getFirst().get("mail"));
        assertEquals(List.of("+1 412 555 0109"), profile.getFirst().get("businessPhones"));
        assertFalse(profile.getFirst().containsKey("@odata.context"));
        var read = connector.read(context(), new ReadSpec("profile", List.of("id"), null, 10, null));
        assertEquals(List.of(Map.of("id", "48d31887-5fad-4d73-a9f5-3c356e68a038")), read.records());
    }

    @Test
    void graph_errors_carry_graphs_message() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/me")).willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}")));

        CheckResult check = connector.check(context());

        assertEquals(CheckResult.Outcome.FAILED, check.outcome());
        assertTrue(check.message().contains("Insufficient privileges"), check.message());
    }

    @Test
    void writes_and_unknown_objects_are_invalid() {
        ConnectorException write = assertThrows(ConnectorException.class, () -> connector.write(context(),
                new WriteSpec("profile", WriteMode.INSERT, List.of(), List.of(Map.of()), null)));
        ConnectorException unknown = assertThrows(ConnectorException.class, () -> connector.query(context(),
                new QuerySpec("mail", List.of(), null, 1, null, null)));

        assertEquals("writable", write.details().get("constraint"));
        assertEquals(ConnectorException.Kind.INVALID, unknown.kind());
    }

    @Test
    void catalog_entry_uses_the_common_endpoint_without_revocation() {
        var oauth = CatalogEntries.load("microsoft").path("oauth");
        assertEquals("https://login.microsoftonline.com/common/oauth2/v2.0/authorize", oauth.path("authorize_url").asText());
        assertEquals("https://login.microsoftonline.com/common/oauth2/v2.0/token", oauth.path("token_url").asText());
        assertTrue(oauth.path("revoke_url").isNull());
        assertTrue(oauth.path("pkce").asBoolean());
        assertTrue(oauth.path("scopes").toString().contains("offline_access"));
    }
}
