package dev.weft.sync.support;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.util.List;
import java.util.Map;

/** REST Assured requests as one org, and the connections a sync test needs. */
public final class Api {
    private Api() {
    }

    public static String newOrg() {
        return TypeId.generate("org");
    }

    /** On the enterprise plan: a test polls runs often enough to spend a developer plan's burst (rate limits are tested in libs/platform). */
    public static RequestSpecification as(String orgId) {
        return RestAssured.given().header("Authorization", TestCredentials.bearerOnPlan(orgId, "enterprise", "syncs:read", "syncs:write")).contentType(ContentType.JSON);
    }

    /** A Salesforce-like source with Contact, and a warehouse-like destination with raw.contacts (keyed by email_address). */
    public static ConnectionsStub.Connection salesforce(String org) {
        return ConnectionsStub.connection(org).object("Contact", List.of("Id"), "SystemModstamp",
                "Id", "Email", "FirstName", "LastName", "Phone", "Industry", "AnnualRevenue:number", "SystemModstamp:datetime");
    }

    public static ConnectionsStub.Connection warehouse(String org) {
        return ConnectionsStub.connection(org).object("raw.contacts", null, null, "email_address", "first_name", "last_name", "loaded_at:datetime");
    }

    /** The seed's warehouse table with a primary key (email_address): a destination a mirror or a full refresh can page and delete from. */
    public static ConnectionsStub.Connection keyedWarehouse(String org) {
        return ConnectionsStub.connection(org).object("raw.contacts", List.of("email_address"), null, "email_address", "first_name", "last_name",
                "loaded_at:datetime");
    }

    /** Seed 000's "SF Contacts to Snowflake", with these connections (and a schedule of choice). */
    public static Map<String, Object> seedSync(String source, String destination, String schedule) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "SF Contacts to Snowflake",
                "source", Map.of("connection_id", source, "object", "Contact"),
                "destination", Map.of("connection_id", destination, "table", "raw.contacts"),
                "field_mappings", List.of(Map.of("source", "Email", "destination", "email_address"),
                        Map.of("source", "FirstName", "destination", "first_name"))));
        if (schedule != null) {
            body.put("schedule", schedule);
        }
        return body;
    }
}
