package dev.weft.connections.connector.imap;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

/** The imap provider: in the catalog, checked by an IMAP login (GreenMail), and its credentials given to messaging-service. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class ImapConnectionTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[]{
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("sales@example.com", "sales@example.com", "s3cret"));

    private static Map<String, Object> body(String password) {
        return Map.of("provider", "imap", "name", "Sales mailbox",
                "config", Map.of("imap_host", "127.0.0.1", "imap_port", MAIL.getImap().getPort(), "imap_tls", "none",
                        "smtp_host", "127.0.0.1", "smtp_port", MAIL.getSmtp().getPort(), "smtp_tls", "none", "address", "sales@example.com"),
                "credentials", Map.of("username", "sales@example.com", "password", password));
    }

    @Test
    void an_imap_mailbox_is_checked_by_logging_in_and_its_credentials_reach_messaging_only() {
        String org = Api.newOrg();
        Api.as(org).get("/v1/providers").then().statusCode(200).body("data.id", hasItem("imap"));
        String good = Api.as(org).body(body("s3cret")).post("/v1/connections").then().statusCode(201).extract().path("id");
        Api.as(org).get("/v1/connections/" + good + "/status?check=true").then().statusCode(200).body("status", equalTo("healthy"));

        String bad = Api.as(org).body(body("wrong-pass")).post("/v1/connections").then().statusCode(201).extract().path("id");
        Api.as(org).get("/v1/connections/" + bad + "/status?check=true").then().statusCode(200).body("status", equalTo("failing"))
                .body("message", containsString("refused the login")).body("message", not(containsString("wrong-pass")));

        Api.as(org).body(Map.of("provider", "imap", "name", "x", "config", Map.of("imap_host", "127.0.0.1", "imap_tls", "tls",
                        "smtp_host", "127.0.0.1", "address", "sales@example.com"), "credentials", Map.of("username", "u", "password", "p")))
                .post("/v1/connections").then().statusCode(400).body("error.details.field", equalTo("config.imap_tls"));

        RestAssured.given().header("Authorization", "Weft-Internal " + ConnectionsStubs.INTERNAL_TOKEN).header("X-Weft-Org", org)
                .header("X-Weft-Caller", "messaging-service").get("/internal/v1/channel-connections/" + good).then().statusCode(200)
                .body("provider", equalTo("imap")).body("config.imap_host", equalTo("127.0.0.1"))
                .body("credentials.password", equalTo("s3cret"));
    }
}
