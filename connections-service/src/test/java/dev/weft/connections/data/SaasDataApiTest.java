package dev.weft.connections.data;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Assertions;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.SalesforceFixture;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The data API on SaaS connectors, against stubs replaying the vendors' documented responses. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class SaasDataApiTest {

    @Test
    void the_seed_salesforce_account_query_works_as_written() {
        String org = Api.newOrg();
        String id = Api.as(org).body("""
                {"provider":"salesforce","name":"Production Salesforce","config":{"sandbox":false,"api_version":"v58.0"},
                 "credentials":{"oauth_flow":"jwt_bearer","consumer_key":"3MVG9...","private_key_id":"key_abc123"}}""")
                .post("/v1/connections").then().statusCode(201).extract().path("id");

        Api.as(org).body("""
                {"object":"Account","fields":["Id","Name","Industry","AnnualRevenue"],
                 "filter":"Industry = 'Technology' AND AnnualRevenue > 1000000","limit":100}""")
                .post("/v1/data/" + id + "/query").then().statusCode(200)
                .body("data", hasSize(2))
                .body("data.Industry", everyItem(equalTo("Technology")))
                .body("data[0].attributes", Matchers.nullValue())
                .body("pagination.has_more", equalTo(false));
        Api.as(org).get("/v1/connections/" + id + "/status?check=true").then().statusCode(200).body("status", equalTo("healthy"));
        Api.as(org).body("{\"object\":\"Account\",\"fields\":[\"Id\",\"Revenue\"]}").post("/v1/data/" + id + "/query").then().statusCode(400)
                .body("error.details.field", equalTo("fields[1]"));
        assertEquals(1, SalesforceFixture.stub().tokenRequests() > 0 ? 1 : 0, "the JWT bearer grant was used");
    }

    @Test
    void an_upstream_429_is_retried_after_retry_after() {
        String org = Api.newOrg();
        String id = hubspot(org);
        var vendors = ConnectionsStubs.vendors();
        stubContactProperties();
        // Matched on the requested properties, so that the health monitor's own check calls are not counted.
        vendors.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("properties", WireMock.containing("email"))
                .inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\",\"category\":\"RATE_LIMITS\"}"))
                .willSetStateTo("cooled"));
        vendors.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("properties", WireMock.containing("email"))
                .inScenario("throttled").whenScenarioStateIs("cooled")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"results":[{"id":"51","properties":{"email":"ada@example.com","firstname":"Ada","hs_object_id":"51",
                         "lastmodifieddate":"2024-01-01T00:00:00.000Z"},"createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-01T00:00:00.000Z","archived":false}]}""")));
        long started = System.nanoTime();
        Api.as(org).body(Map.of("object", "contacts", "fields", java.util.List.of("email", "firstname"))).post("/v1/data/" + id + "/query")
                .then().statusCode(200).body("data[0].email", equalTo("ada@example.com"));
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(2, vendors.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))
                .withQueryParam("properties", WireMock.containing("email"))).size(), "one 429, then one retry");
        Assertions.assertTrue(waitedMillis >= 1000, "waited out Retry-After: " + waitedMillis + " ms");
        vendors.resetScenarios();
    }

    @Test
    void an_upstream_error_is_a_502_with_the_vendors_message() {
        String org = Api.newOrg();
        String id = hubspot(org);
        stubContactProperties();
        ConnectionsStubs.vendors().stubFor(WireMock.post(urlPathEqualTo("/crm/v3/objects/contacts/batch/create")).willReturn(aResponse()
                .withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"error\",\"message\":\"internal error, correlation 7e1f\",\"category\":\"INTERNAL_ERROR\"}")));
        Api.as(org).body(Map.of("object", "contacts", "records", java.util.List.of(Map.of("email", "x@example.com")))).post("/v1/data/" + id + "/write")
                .then().statusCode(502).body("error.code", equalTo("UPSTREAM_ERROR"))
                .body("error.message", containsString("internal error, correlation 7e1f"))
                .body("error.details.upstream_status", equalTo(500));
    }

    private static String hubspot(String org) {
        return Api.as(org).body("""
                {"provider":"hubspot","name":"CRM","config":{},"credentials":{"auth_type":"private_app","access_token":"pat-na1-test"}}""")
                .post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    private static void stubContactProperties() {
        ConnectionsStubs.vendors().stubFor(get(urlPathMatching("/crm/v3/properties/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"results":[{"name":"email","label":"Email","type":"string","fieldType":"text"},
                                    {"name":"firstname","label":"First name","type":"string","fieldType":"text"},
                                    {"name":"hs_object_id","label":"Record ID","type":"number","fieldType":"number"},
                                    {"name":"lastmodifieddate","label":"Last modified","type":"datetime","fieldType":"date"},
                                    {"name":"hs_lastmodifieddate","label":"Last modified","type":"datetime","fieldType":"date"}]}""")));
    }
}
