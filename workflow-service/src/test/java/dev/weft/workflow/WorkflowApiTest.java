package dev.weft.workflow;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.WeftInfraResource;
import dev.weft.workflow.support.Api;
import dev.weft.workflow.support.Stubs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.workflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.startsWith;

/** /v1/workflows and /v1/triggers through the real HTTP API: the seed's body, versions, validation, tenancy. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = Stubs.class, restrictToAnnotatedClass = false)
class WorkflowApiTest {

    @Test
    void creates_the_seed_workflow_as_written() {
        String org = Api.newOrg();
        JsonPath created = Api.create(org, Api.SEED);
        String id = created.getString("id");
        assertTrue(id.startsWith("wf_"), id);
        assertTrue(created.getString("signing_secret").startsWith("whsec_"));
        as(org).get("/v1/workflows/" + id).then().statusCode(200)
                .body("name", equalTo("Enterprise Lead Routing"))
                .body("version", equalTo(1))
                .body("enabled", equalTo(true))
                .body("signing_secret", nullValue())
                .body("trigger.id", startsWith("trg_"))
                .body("trigger.type", equalTo("record_created"))
                .body("trigger.connection_id", equalTo("conn_sf123"))
                .body("trigger.object", equalTo("Lead"))
                .body("trigger.filter", equalTo("AnnualRevenue > 5000000"))
                .body("actions", hasSize(3))
                .body("actions[1].connection_id", equalTo("conn_hubspot"))
                .body("actions[2].message", equalTo("New enterprise lead: {{Lead.Company}}"));
        as(org).get("/v1/workflows").then().statusCode(200).body("data", hasSize(1)).body("data[0].id", equalTo(id))
                .body("pagination.has_more", equalTo(false));
    }

    @Test
    void each_change_is_a_new_version() {
        String org = Api.newOrg();
        String id = Api.create(org, Api.SEED).getString("id");
        as(org).body(Map.of("name", "Renamed")).patch("/v1/workflows/" + id).then().statusCode(200)
                .body("name", equalTo("Renamed")).body("version", equalTo(2)).body("trigger.object", equalTo("Lead"));
        as(org).body(Map.of("enabled", false)).patch("/v1/workflows/" + id).then().statusCode(200)
                .body("enabled", equalTo(false)).body("version", equalTo(3)).body("trigger.enabled", equalTo(false));
        as(org).body(Map.of("trigger", Map.of("filter", "AnnualRevenue > 1"))).patch("/v1/workflows/" + id).then().statusCode(200)
                .body("version", equalTo(4)).body("trigger.type", equalTo("record_created")).body("trigger.filter", equalTo("AnnualRevenue > 1"));
        as(org).body(Map.of("actions", List.of(Map.of("type", "nope")))).patch("/v1/workflows/" + id).then().statusCode(400)
                .body("error.details.field", equalTo("actions[0].type"));
        as(org).get("/v1/workflows/" + id).then().body("version", equalTo(4));
    }

    @Test
    void names_the_problem_in_each_invalid_body() {
        String org = Api.newOrg();
        invalid(org, "{\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"}]}", "name");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"}}", "actions");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[]}", "actions");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"teleport\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"}]}", "trigger.type");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"record_created\",\"object\":\"Lead\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"}]}",
                "trigger.connection_id");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"field_changed\",\"connection_id\":\"c\",\"object\":\"Lead\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"}]}",
                "trigger.field");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"record_created\",\"connection_id\":\"c\",\"object\":\"Lead\",\"filter\":\"Revenue >\"},"
                + "\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"}]}", "trigger.filter");
        // Too long is said as such, not as a type error.
        as(org).body(Map.of("name", "x", "trigger", Map.of("type", "record_created", "connection_id", "c", "object", "Lead", "filter", "a = 1 OR ".repeat(500) + "a = 1"),
                        "actions", List.of(Map.of("type", "delay", "duration", "1s"))))
                .post("/v1/workflows").then().statusCode(400).body("error.details.field", equalTo("trigger.filter"))
                .body("error.details.constraint", equalTo("max_length")).body("error.message", equalTo("trigger.filter is longer than 4096 characters"));
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"schedule\",\"cron\":\"61 * * * *\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"}]}",
                "trigger.cron");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"write\",\"object\":\"Contact\"}]}",
                "actions[0].connection_id");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\"},{\"type\":\"http\",\"url\":\"ftp://x\"}]}",
                "actions[1].url");
        // A private or metadata address is refused when the workflow is saved, as a webhook endpoint's is, not at its first run.
        as(org).body("{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"http\",\"url\":\"http://10.1.2.3/hook\"}]}")
                .post("/v1/workflows").then().statusCode(400).body("error.details.field", equalTo("actions[0].url"))
                .body("error.details.constraint", equalTo("public_address"));
        as(org).body("{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"notify\",\"channel\":\"webhook\","
                        + "\"url\":\"http://169.254.169.254/latest/meta-data\",\"message\":\"hi\"}]}")
                .post("/v1/workflows").then().statusCode(400).body("error.details.field", equalTo("actions[0].url"))
                .body("error.details.constraint", equalTo("public_address"));
        as(org).body("{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"http\",\"url\":\"https://user:secret@example.com/hook\"}]}")
                .post("/v1/workflows").then().statusCode(400).body("error.details.field", equalTo("actions[0].url"));
        // A URL with a template is checked when rendered, at connect time.
        as(org).body("{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"http\",\"url\":\"https://{{payload.host}}/hook\"}]}")
                .post("/v1/workflows").then().statusCode(201);
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"condition\",\"expression\":\"a = \"}]}",
                "actions[0].expression");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"soon\"}]}",
                "actions[0].duration");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"notify\",\"channel\":\"pigeon\",\"message\":\"hi\"}]}",
                "actions[0].channel");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"api_call\"},\"actions\":[{\"type\":\"delay\",\"duration\":\"1s\",\"retry\":{\"max_attempts\":0}}]}",
                "actions[0].retry.max_attempts");
        invalid(org, "{\"name\":\"x\",\"trigger\":{\"type\":\"message.created\",\"filter\":\"platform = 'whatsapp'\"},\"actions\":\"nope\"}", "actions");
        as(org).body("{\"name\":").post("/v1/workflows").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).body("{\"name\":5,\"actions\":[]}").post("/v1/workflows").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
    }

    @Test
    void another_orgs_workflow_and_trigger_are_not_found() {
        String org = Api.newOrg();
        JsonPath created = Api.create(org, Api.SEED);
        String id = created.getString("id");
        String trigger = created.getString("trigger.id");
        String other = Api.newOrg();
        as(other).get("/v1/workflows/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).body(Map.of("name", "mine")).patch("/v1/workflows/" + id).then().statusCode(404);
        as(other).delete("/v1/workflows/" + id).then().statusCode(404);
        as(other).get("/v1/workflows/" + id + "/executions").then().statusCode(404);
        as(other).get("/v1/triggers/" + trigger).then().statusCode(404);
        as(other).body("{}").post("/v1/triggers/" + trigger + "/invoke").then().statusCode(404);
        as(other).body(Map.of("workflow_id", id, "type", "api_call")).post("/v1/triggers").then().statusCode(400)
                .body("error.details.field", equalTo("workflow_id"));
        as(other).get("/v1/workflows").then().body("data", hasSize(0));
        as(org).get("/v1/workflows/wf_nope").then().statusCode(404);
        as(org).get("/v1/executions/" + TypeId.generate("exe")).then().statusCode(404);
        as(org).delete("/v1/workflows/" + id).then().statusCode(204);
        as(org).get("/v1/workflows/" + id).then().statusCode(404);
        as(org).get("/v1/triggers/" + trigger).then().statusCode(404);
    }

    @Test
    void standalone_triggers_start_a_workflow_and_can_be_deleted() {
        String org = Api.newOrg();
        String id = Api.create(org, Api.SEED).getString("id");
        String smart = as(org).body(Map.of("workflow_id", id, "type", "message.created", "filter", "platform = 'whatsapp'"))
                .post("/v1/triggers").then().statusCode(201)
                .body("type", equalTo("event")).body("event_type", equalTo("message.created")).body("inline", equalTo(false))
                .extract().path("id");
        as(org).body(Map.of("workflow_id", id, "type", "schedule", "cron", "0 9 * * 1-5", "timezone", "Europe/Berlin"))
                .post("/v1/triggers").then().statusCode(201).body("next_fire_at", notNullValue());
        as(org).get("/v1/triggers?workflow_id=" + id).then().statusCode(200).body("data", hasSize(3));
        String inline = as(org).get("/v1/workflows/" + id).then().extract().path("trigger.id");
        as(org).delete("/v1/triggers/" + inline).then().statusCode(409);
        as(org).delete("/v1/triggers/" + smart).then().statusCode(204);
        as(org).get("/v1/triggers/" + smart).then().statusCode(404);
    }

    @Test
    void a_record_trigger_has_connections_service_create_its_stream_on_demand() {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        String streams = "/internal/v1/connections/" + connection + "/streams";
        Stubs.server().stubFor(post(urlPathEqualTo(streams)).withHeader("X-Weft-Org", WireMock.equalTo(org))
                .withHeader("X-Weft-Caller", WireMock.equalTo("workflow-service"))
                .withRequestBody(matchingJsonPath("$.object", WireMock.equalTo("Lead")))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"str_lead1\",\"object\":\"Lead\",\"status\":\"starting\"}")));
        String body = Api.SEED.replace("conn_sf123", connection);
        JsonPath created = Api.create(org, body);
        assertEquals("str_lead1", created.getString("trigger.stream_id"));
        Stubs.server().verify(1, postRequestedFor(urlPathEqualTo(streams)));

        // A second workflow on the same object finds the stream connections-service already has (409 DUPLICATE).
        Stubs.server().stubFor(post(urlPathEqualTo(streams)).willReturn(aResponse().withStatus(409).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"DUPLICATE\",\"message\":\"exists\",\"details\":{\"stream_id\":\"str_lead1\"}}}")));
        String second = Api.create(org, body).getString("id");
        as(org).get("/v1/workflows/" + second).then().body("trigger.stream_id", equalTo("str_lead1"));

        // An object that cannot stream is refused where it is named; a connection not there yet (the seed's) is noted.
        Stubs.server().stubFor(post(urlPathEqualTo(streams)).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":\"Lead has no primary key\"}}")));
        as(org).body(body).post("/v1/workflows").then().statusCode(400)
                .body("error.details.field", equalTo("trigger.object")).body("error.message", containsString("no primary key"));
        as(org).body(Map.of("workflow_id", second, "type", "record_updated", "connection_id", connection, "object", "Lead"))
                .post("/v1/triggers").then().statusCode(400).body("error.details.field", equalTo("object"));
        String seed = Api.create(org, Api.SEED).getString("id");
        as(org).get("/v1/workflows/" + seed).then().body("trigger.stream_id", nullValue())
                .body("trigger.stream_error", containsString("conn_sf123"));
    }

    private static void invalid(String org, String body, String field) {
        as(org).body(body).post("/v1/workflows").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST"))
                .body("error.details.field", equalTo(field))
                .body("error.message", containsString(field.replaceAll("\\[.*", "")));
    }
}
