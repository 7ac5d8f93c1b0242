package dev.weft.e2e;

import dev.weft.local.LocalConfig;
import dev.weft.local.LocalSuite;
import dev.weft.local.Routes;
import dev.weft.local.WeftService;
import dev.weft.testing.infra.FreePorts;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Starts Weft the way a newcomer's {@code bin/weft up} does (PostgreSQL, Kafka, the six services
 * as real child JVMs from their built jars, the router in front), but on random free ports and in
 * a temporary state directory, then checks it from the outside.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WholeSuiteTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path REPO_ROOT = MODULE.getParent();
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    private static Path weftDir;
    private static LocalSuite suite;
    private static String api;
    private static LocalConfig suiteConfig;
    /** HubSpot's and Slack's APIs as connections-service calls them (provider base-url settings point here). */
    private static WireMockServer vendors;
    /** Short, so the kill -9 test's takeover comes soon; each of the e2e workflows' steps takes well under it. */
    private static final String WORKFLOW_LEASE = "8s";
    /** The same for sync runs (renewed at every batch), and small batches, so a run is killed between checkpoints. */
    private static final String SYNC_LEASE = "8s";
    private static final int SYNC_BATCH = 500;

    @BeforeAll
    static void start_the_whole_suite() throws IOException {
        requireBuiltJars();
        // Fresh each run, and kept afterwards under target/ so a failure's logs can still be read.
        weftDir = MODULE.resolve("target/e2e-weft");
        deleteRecursively(weftDir);
        java.util.Iterator<Integer> free = distinctFreePorts(WeftService.values().length + 4).iterator();
        Map<WeftService, Integer> ports = new EnumMap<>(WeftService.class);
        for (WeftService service : WeftService.values()) {
            ports.put(service, free.next());
        }
        vendors = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        vendors.start();
        // Every service JVM gets these; only connections-service and workflow-service read them.
        List<String> jvmOptions = List.of("-Dweft.connections.providers.hubspot.base-url=" + vendors.baseUrl() + "/hubspot",
                "-Dweft.connections.providers.slack.base-url=" + vendors.baseUrl() + "/slack/api",
                "-Dweft.workflow.worker.lease=" + WORKFLOW_LEASE, "-Dweft.sync.worker.lease=" + SYNC_LEASE,
                "-Dweft.sync.batch-size=" + SYNC_BATCH);
        LocalConfig config = new LocalConfig(weftDir, REPO_ROOT, free.next(), free.next(), free.next(), free.next(),
                ports, Duration.ofSeconds(Long.getLong("e2e.ready-seconds", 150)), jvmOptions);
        long started = System.nanoTime();
        suite = LocalSuite.start(config);
        System.out.printf("e2e: whole suite ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
        api = config.apiUrl();
        suiteConfig = config;
    }

    /** The jars come from the reactor build (this module depends on the six services for that reason). */
    private static void requireBuiltJars() {
        List<String> missing = new ArrayList<>();
        for (WeftService service : WeftService.values()) {
            if (!Files.isRegularFile(service.jar(REPO_ROOT))) {
                missing.add(service.jar(REPO_ROOT).toString());
            }
        }
        if (!missing.isEmpty()) {
            fail("The e2e tests start the services from their built jars, and these are missing:\n  " + String.join("\n  ", missing)
                    + "\nRun the build through the package phase first, e.g. `./mvnw -DskipTests install` then"
                    + " `./mvnw -pl e2e test`, or simply `./mvnw install` (the reactor packages the services before e2e).");
        }
    }

    @AfterAll
    static void stop_everything() {
        if (suite != null) {
            suite.close();
            System.out.println("e2e: logs of this run are in " + weftDir.resolve("logs"));
        }
        if (vendors != null) {
            vendors.stop();
        }
    }

    private static String nextRequestId() {
        return "req_e2e" + REQUESTS.incrementAndGet();
    }

    private static String serviceUrl(WeftService service) {
        return suite.config().serviceUrl(service);
    }

    @Test
    @Order(1)
    void all_six_services_report_ready() {
        for (WeftService service : WeftService.values()) {
            given().when().get(serviceUrl(service) + "/q/health/ready")
                    .then().statusCode(200);
        }
        assertTrue(Files.exists(weftDir.resolve("ready")), "the ready marker is written once everything is ready");
        assertTrue(Files.exists(weftDir.resolve("env")), "the env file is written once everything is ready");
    }

    @Test
    @Order(2)
    void every_route_prefix_reaches_the_service_that_owns_it() {
        for (Routes.Route route : Routes.load().all()) {
            String path = route.prefix() + "/e2e-no-such-resource/deeper";
            String requestId = nextRequestId();

            Response viaRouter = given().header("X-Request-Id", requestId).when().get(api + path);
            Response direct = given().header("X-Request-Id", requestId).when().get(serviceUrl(route.service()) + path);

            viaRouter.then()
                    .statusCode(404)
                    .contentType(startsWith("application/json"))
                    .body("error.code", equalTo("NOT_FOUND"))
                    .body("error.request_id", equalTo(requestId))
                    .body("error.message", not(containsString("No Weft API endpoint")));
            assertEquals(List.of(requestId), viaRouter.headers().getValues("X-Request-Id"),
                    path + ": X-Request-Id " + viaRouter.headers().getValues("X-Request-Id"));
            // The same answer as asking the owning service directly: the router reached that service.
            assertEquals(direct.statusCode(), viaRouter.statusCode(), path);
            assertEquals(direct.asString(), viaRouter.asString(), path + " via the router vs. " + route.service().module());
        }
    }

    @Test
    @Order(2)
    void a_request_target_that_is_not_a_uri_sent_straight_to_any_service_gets_the_error_shape() throws IOException {
        // The services as bin/weft up starts them (their jars' own main, ServiceMain): Quarkus' check, which answers a bare
        // 400 with no body, must be off, and the platform's made instead. Sent raw: HTTP clients refuse to build such targets.
        for (WeftService service : WeftService.values()) {
            int port = java.net.URI.create(serviceUrl(service)).getPort();
            String requestId = nextRequestId();
            dev.weft.testing.ChunkedRequests.Answer answer = dev.weft.testing.ChunkedRequests.send(port, "GET", "/v1/things?cursor=%%%",
                    Map.of("X-Request-Id", requestId), "", 0, "");
            assertEquals(400, answer.status(), service.module() + ": " + answer.headers() + " " + answer.body());
            com.fasterxml.jackson.databind.JsonNode error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("error");
            assertEquals("INVALID_REQUEST", error.path("code").asText(), service.module() + ": " + answer.body());
            assertEquals(requestId, error.path("request_id").asText(), service.module() + ": " + answer.body());
            assertEquals(requestId, answer.header("X-Request-Id"), service.module());
        }
    }

    /** Seed 002's paths as Weft writes them (its /api prefix dropped, ids filled in), with the service answering each. */
    private static Map<String, WeftService> seed002Paths() {
        Map<String, WeftService> paths = new java.util.LinkedHashMap<>();
        for (String path : List.of("/oauth/providers", "/oauth/google/authorize", "/oauth/google/callback", "/oauth/google",
                "/connections", "/connections/conn_e2e/status", "/connections/conn_e2e/sync", "/connections/conn_e2e/refresh")) {
            paths.put("/v1/integrations" + path, WeftService.CONNECTIONS);
        }
        for (String path : List.of("/email/inbox", "/email/folders/counts", "/email/eml_e2e/read", "/email/send", "/email/threads/contact/42",
                "/email/thread/thr_e2e", "/email/match", "/email/sync", "/calendar/events", "/calendar/events/cev_e2e",
                "/calendar/events/entity/deal/42", "/calendar/sync", "/documents/config", "/documents/upload", "/documents",
                "/documents/entity/account/1", "/documents/doc_e2e/download")) {
            paths.put("/v1/integrations" + path, WeftService.MESSAGING);
        }
        return paths;
    }

    @Test
    @Order(2)
    void every_seed_002_path_reaches_its_service_through_the_router_and_the_long_form_equals_the_short_one() {
        seed002Paths().forEach((path, service) -> {
            for (String method : new String[] {"GET", "POST"}) {
                String requestId = nextRequestId();
                Response viaRouter = given().header("X-Request-Id", requestId).contentType("application/json").body("{}").when().request(method, api + path);
                Response direct = given().header("X-Request-Id", requestId).contentType("application/json").body("{}").when()
                        .request(method, serviceUrl(service) + path);
                viaRouter.then().contentType(startsWith("application/json")).body("error.message", not(containsString("No Weft API endpoint")));
                assertEquals(direct.statusCode(), viaRouter.statusCode(), method + " " + path);
                assertEquals(direct.asString(), viaRouter.asString(), method + " " + path + " via the router vs. " + service.module());
                if (service == WeftService.MESSAGING) {
                    // The long form is rerouted inside messaging-service to the declared short one: the same answer.
                    Response shortForm = given().header("X-Request-Id", requestId).contentType("application/json").body("{}").when()
                            .request(method, serviceUrl(service) + path.replace("/v1/integrations/", "/v1/"));
                    assertEquals(shortForm.statusCode(), direct.statusCode(), method + " " + path);
                    assertEquals(shortForm.asString(), direct.asString(), method + " " + path + " vs. its short form");
                }
            }
        });
    }

    @Test
    @Order(3)
    void paths_outside_the_route_table_get_the_routers_json_404() {
        for (String path : new String[] {"/q/health/ready", "/q/openapi", "/v1/no-such-thing", "/v1/syncsX", "/"}) {
            String requestId = nextRequestId();
            given().header("X-Request-Id", requestId)
                    .when().get(api + path)
                    .then()
                    .statusCode(404)
                    .contentType(startsWith("application/json"))
                    .header("X-Request-Id", requestId)
                    .body("error.code", equalTo("NOT_FOUND"))
                    .body("error.request_id", equalTo(requestId))
                    .body("error.message", containsString("No Weft API endpoint"));
        }
    }

    @Test
    @Order(4)
    void the_router_makes_a_request_id_when_the_caller_sends_none() {
        Response response = given().when().get(api + "/v1/syncs/e2e-no-such-resource/deeper");

        response.then().statusCode(404);
        String id = response.header("X-Request-Id");
        assertTrue(id != null && id.startsWith("req_"), "X-Request-Id: " + id);
        assertEquals(id, response.path("error.request_id"));
        assertTrue(response.headers().getValues("X-Request-Id").stream().allMatch(id::equals),
                "the service echoes the id the router made: " + response.headers().getValues("X-Request-Id"));
    }

    @Test
    @Order(4)
    void every_service_serves_swagger_ui_in_the_prod_profile() {
        for (WeftService service : WeftService.values()) {
            given().when().get(serviceUrl(service) + "/q/swagger-ui")
                    .then().statusCode(200).contentType(containsString("text/html"));
        }
    }

    @Test
    @Order(4)
    void an_over_long_uri_gets_the_error_shape_directly_and_through_the_router() {
        String path = "/v1/connections?pad=" + "x".repeat(5_000);
        for (String base : List.of(api, serviceUrl(WeftService.CONNECTIONS))) {
            given().when().get(base + path)
                    .then()
                    .statusCode(414)
                    .contentType(startsWith("application/json"))
                    .header("X-Request-Id", startsWith("req_"))
                    .body("error.code", equalTo("URI_TOO_LONG"))
                    .body("error.request_id", startsWith("req_"));
        }
    }

    @Test
    @Order(5)
    void the_first_credentials_in_the_env_file_get_a_token_that_works_through_the_router() throws IOException {
        Map<String, String> env = envFile();
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(weftDir.resolve("env")), ".weft/env holds secrets");
        for (String name : List.of("WEFT_ORG_ID", "WEFT_CLIENT_ID", "WEFT_CLIENT_SECRET", "WEFT_OPERATOR_TOKEN")) {
            assertTrue(env.containsKey(name) && !env.get(name).isBlank(), name + " in .weft/env: " + env.keySet());
        }
        String token = given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials")
                .formParam("client_id", env.get("WEFT_CLIENT_ID")).formParam("client_secret", env.get("WEFT_CLIENT_SECRET"))
                .when().post(api + "/v1/auth/token").then().statusCode(200).extract().path("access_token");
        given().header("Authorization", "Bearer " + token).when().get(api + "/v1/clients")
                .then().statusCode(200)
                .header("X-RateLimit-Limit", "1000")
                .body("data.client_id", org.hamcrest.Matchers.hasItem(env.get("WEFT_CLIENT_ID")));
        given().when().get(api + "/.well-known/jwks.json").then().statusCode(200).body("keys.size()", org.hamcrest.Matchers.greaterThan(0));
    }

    /**
     * The standard openid-client library (pinned in e2e/oauth-client), unchanged, through the router: discovery,
     * the client-credentials and refresh grants, revocation, and RFC 7662 introspection authenticating with the
     * client's id and secret (client_secret_basic and client_secret_post). The client holds no introspect scope,
     * so it sees its own tokens and not the admin's.
     */
    @Test
    @Order(6)
    void the_openid_client_library_introspects_with_client_authentication() throws Exception {
        String admin = clientToken();
        Map<String, Object> created = given().header("Authorization", "Bearer " + admin).contentType("application/json")
                .body(Map.of("name", "openid-client e2e", "scopes", List.of("clients:read")))
                .when().post(api + "/v1/clients").then().statusCode(201).extract().as(Map.class);
        String clientId = (String) created.get("client_id");
        NodeScript.Result result = NodeScript.run("oauth-client", "check.mjs", Map.of("issuer", api, "client_id", clientId,
                "client_secret", created.get("client_secret"), "scope", "clients:read", "foreign_token", admin));
        assertEquals(0, result.exitCode(), result.output());
        io.restassured.path.json.JsonPath seen = io.restassured.path.json.JsonPath.from(result.output());

        assertEquals(api + "/v1/auth/introspect", seen.getString("introspection_endpoint"));
        assertTrue(seen.getList("introspection_endpoint_auth_methods_supported").containsAll(List.of("client_secret_basic", "client_secret_post")),
                result.output());
        assertEquals("clients:read", seen.getString("token_scope"));
        for (String own : List.of("own_basic", "own_post", "own_refresh")) {
            assertEquals(true, seen.getBoolean(own + ".active"), own + ": " + result.output());
            assertEquals(clientId, seen.getString(own + ".client_id"), own);
            assertEquals("clients:read", seen.getString(own + ".scope"), own);
        }
        assertEquals("refresh_token", seen.getString("own_refresh.token_type"));
        assertEquals(Map.of("active", false), seen.getMap("foreign"), "another client's token, without the introspect scope");
        assertEquals(Map.of("active", false), seen.getMap("unknown"));
        assertEquals(Map.of("active", false), seen.getMap("revoked"), "revoked through openid-client's tokenRevocation");
        assertEquals(Map.of("refused", true, "status", 401, "error", "invalid_client", "challenge", "basic"), seen.getMap("wrong_secret"));
    }

    /**
     * Every operation of the published API (docs/openapi.yaml, generated from the services), called through the router
     * with hostile input as the admin client: ids of another type and malformed ones, bad paging parameters, and for an
     * operation that takes a body, bodies that are not JSON, not an object, mistyped, nested 5,000 deep or not UTF-8.
     * Each answer is a 2xx, a 3xx, or a 4xx in the error shape carrying the caller's request id; none is a 5xx. Nothing
     * here is valid, so nothing is created: actions without a body are only called on ids that do not exist.
     */
    @Test
    @Order(6)
    void every_documented_operation_answers_hostile_input_with_a_4xx_in_the_error_shape_never_a_5xx() throws IOException {
        String token = clientToken();
        List<String> ids = List.of("org_01m95egdy3ewkt4xp1c49zm2wn", "zzz");
        List<byte[]> bodies = List.of("{\"name\": ".getBytes(), "[]".getBytes(), "\"x\"".getBytes(),
                "{\"name\":1,\"url\":{},\"events\":\"x\",\"source\":[],\"to\":{},\"status\":3,\"code\":{},\"type\":[]}".getBytes(),
                ("[".repeat(5_000) + "]".repeat(5_000)).getBytes(), new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'});
        List<String> queries = List.of("?limit=abc", "?limit=-1", "?limit=100000000000", "?cursor=not-a-cursor", "?before=garbage");
        List<String> failures = new ArrayList<>();
        int calls = 0;
        for (Operation operation : documentedOperations()) {
            if (operation.path().startsWith("/v1/auth/")) {
                continue; // the token endpoints' own tests cover them; hostile grants here would only trip their rate limits
            }
            boolean templated = operation.path().contains("{");
            if (!templated && !operation.method().equals("get") && !operation.hasBody()) {
                continue; // an action without a body on no id (a sync of the mailbox, say) would simply run
            }
            for (String id : templated ? ids : List.of("")) {
                String path = operation.path().replaceAll("\\{[^}]+}", id);
                List<Runnable> calling = new ArrayList<>();
                if (operation.method().equals("get")) {
                    for (String query : queries) {
                        calling.add(() -> judge(failures, "GET " + path + query,
                                given().header("Authorization", "Bearer " + token).header("X-Request-Id", "req_hostile").when().get(api + path + query)));
                    }
                } else if (operation.hasBody()) {
                    for (byte[] body : bodies) {
                        calling.add(() -> judge(failures, operation.method().toUpperCase(java.util.Locale.ROOT) + " " + path + " "
                                        + new String(body, 0, Math.min(body.length, 20), java.nio.charset.StandardCharsets.ISO_8859_1),
                                given().header("Authorization", "Bearer " + token).header("X-Request-Id", "req_hostile")
                                        .contentType("application/json").body(body).when().request(operation.method(), api + path)));
                    }
                } else {
                    calling.add(() -> judge(failures, operation.method() + " " + path,
                            given().header("Authorization", "Bearer " + token).header("X-Request-Id", "req_hostile")
                                    .when().request(operation.method(), api + path)));
                }
                calling.forEach(Runnable::run);
                calls += calling.size();
            }
        }
        System.out.printf("e2e: %d hostile calls, %d answered 400 INVALID_REQUEST, %d failures%n", calls, INVALID_ANSWERS.get(), failures.size());
        assertTrue(calls > 500, "the document's operations were read: " + calls + " calls");
        assertTrue(INVALID_ANSWERS.get() > calls / 4, "the admin's calls got past authentication and were judged on their input: "
                + INVALID_ANSWERS.get() + " of " + calls + " were 400 INVALID_REQUEST");
        assertTrue(failures.isEmpty(), failures.size() + " of " + calls + " answers were a 5xx or not in the error shape:\n  "
                + String.join("\n  ", failures.subList(0, Math.min(30, failures.size()))));
    }

    /** 400 INVALID_REQUEST answers of the hostile-input test: most of its calls must get past authentication to one. */
    private static final AtomicInteger INVALID_ANSWERS = new AtomicInteger();

    private static void judge(List<String> failures, String call, Response response) {
        int status = response.statusCode();
        if (status >= 500) {
            failures.add(call + " -> " + status + " " + response.asString());
        } else if (status >= 400) {
            String code = null;
            String requestId = null;
            try {
                code = response.path("error.code");
                requestId = response.path("error.request_id");
            } catch (RuntimeException notJson) {
                // judged below
            }
            if (code == null || !"req_hostile".equals(requestId) || !"req_hostile".equals(response.header("X-Request-Id"))) {
                failures.add(call + " -> " + status + " not in the error shape with the request id: " + response.asString());
            } else if (status == 400 && code.equals("INVALID_REQUEST")) {
                INVALID_ANSWERS.incrementAndGet();
            }
        }
    }

    private record Operation(String path, String method, boolean hasBody) {
    }

    /** The operations of docs/openapi.yaml: paths at two spaces, methods at four, a requestBody at six under its method. */
    private static List<Operation> documentedOperations() throws IOException {
        List<Operation> operations = new ArrayList<>();
        String path = null;
        String method = null;
        boolean body = false;
        for (String line : Files.readAllLines(REPO_ROOT.resolve("docs/openapi.yaml"))) {
            boolean pathLine = line.matches("  /\\S+:");
            boolean methodLine = path != null && line.matches("    (get|put|post|patch|delete):");
            boolean leftPaths = !line.isEmpty() && !line.startsWith(" ");
            if ((pathLine || methodLine || leftPaths) && method != null) {
                operations.add(new Operation(path, method, body));
                method = null;
            }
            if (leftPaths) {
                path = null;
            }
            if (line.equals("paths:")) {
                continue;
            }
            if (pathLine) {
                path = line.substring(2, line.length() - 1);
            } else if (methodLine) {
                method = line.strip().replace(":", "");
                body = false;
            } else if (method != null && line.startsWith("      requestBody:")) {
                body = true;
            }
        }
        if (method != null) {
            operations.add(new Operation(path, method, body));
        }
        return operations;
    }

    @Test
    @Order(7)
    void a_postgres_connection_writes_and_queries_through_the_router() throws Exception {
        // The suite's own PostgreSQL stands in for a customer's database.
        suiteSql(
                "CREATE SCHEMA IF NOT EXISTS e2e_customer",
                "CREATE TABLE IF NOT EXISTS e2e_customer.contacts (id bigint PRIMARY KEY, email text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
        String token = clientToken();
        String connection = given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(suitePostgres("Customer DB", "e2e_customer"))
                .when().post(api + "/v1/connections").then().statusCode(201).extract().path("id");
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("object", "contacts", "mode", "upsert", "key", List.of("id"),
                        "records", List.of(Map.of("id", 1, "email", "ada@example.com"), Map.of("id", 2, "email", "grace@example.com"))))
                .when().post(api + "/v1/data/" + connection + "/write").then().statusCode(200).body("summary.succeeded", equalTo(2));
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("object", "contacts", "fields", List.of("id", "email"), "filter", "email LIKE 'grace%'"))
                .when().post(api + "/v1/data/" + connection + "/query").then().statusCode(200)
                .body("data.size()", equalTo(1)).body("data[0].id", equalTo(2));
        given().header("Authorization", "Bearer " + token).when().post(api + "/internal/v1/connections/" + connection + "/read")
                .then().statusCode(404);
    }

    private static Map<String, String> envFile() throws IOException {
        Map<String, String> env = new java.util.HashMap<>();
        for (String line : Files.readAllLines(weftDir.resolve("env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^'|'$", ""));
            }
        }
        return env;
    }

    @Test
    @Order(8)
    void a_webhook_for_a_new_connection_arrives_signed_and_survives_a_restart_of_webhook_service() throws Exception {
        String token = clientToken();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Response webhook = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(Map.of("url", receiver.url("/hooks"), "events", List.of("connection.created", "connection.updated"), "description", "e2e"))
                    .when().post(api + "/v1/webhooks");
            webhook.then().statusCode(201);
            String secret = webhook.path("secret");
            String connection = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(suitePostgres("Webhook source", null))
                    .when().post(api + "/v1/connections").then().statusCode(201).extract().path("id");

            // Other connection events of this org (earlier tests', health checks) may arrive too: wait for this connection's.
            WebhookReceiver.Received created = receiver.next("connection.created", connection, Duration.ofSeconds(60));
            assertEquals("connection.created", StandardWebhooksVerifier.verify(secret, created), "the Standard Webhooks reference library accepts it");

            // A failed attempt schedules a retry (5 s in the default schedule); the service restarts meanwhile; the retry still comes.
            receiver.failNext(1, 500, "Webhook source (renamed)");
            given().header("Authorization", "Bearer " + token).contentType("application/json").body(Map.of("name", "Webhook source (renamed)"))
                    .when().put(api + "/v1/connections/" + connection).then().statusCode(200);
            WebhookReceiver.Received failed = receiver.next("connection.updated", "Webhook source (renamed)", Duration.ofSeconds(60));
            suite.restart(WeftService.WEBHOOK);
            WebhookReceiver.Received retried = receiver.next("connection.updated", "Webhook source (renamed)", Duration.ofSeconds(90));
            assertEquals(failed.headers().get("webhook-id"), retried.headers().get("webhook-id"), "the same delivery, retried after the restart");
            assertEquals("connection.updated", StandardWebhooksVerifier.verify(secret, retried));
        }
    }

    private static String clientToken() throws IOException {
        Map<String, String> env = envFile();
        return given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials")
                .formParam("client_id", env.get("WEFT_CLIENT_ID")).formParam("client_secret", env.get("WEFT_CLIENT_SECRET"))
                .when().post(api + "/v1/auth/token").then().statusCode(200).extract().path("access_token");
    }

    @Test
    @Order(9)
    void a_row_inserted_into_the_local_postgres_reaches_a_record_webhook_signed() throws Exception {
        String token = clientToken();
        // The suite's own PostgreSQL runs with wal_level=logical, as bin/weft up's does: it stands in for a customer's database.
        suiteSql(
                "CREATE SCHEMA IF NOT EXISTS e2e_capture",
                "CREATE TABLE IF NOT EXISTS e2e_capture.leads (id bigint PRIMARY KEY, email text NOT NULL, status text)");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Response webhook = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(Map.of("url", receiver.url("/records"), "events", List.of("record.*"), "description", "e2e change capture"))
                    .when().post(api + "/v1/webhooks");
            webhook.then().statusCode(201);
            String secret = webhook.path("secret");
            String connection = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(suitePostgres("Captured DB", null))
                    .when().post(api + "/v1/connections").then().statusCode(201).extract().path("id");
            String stream = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(Map.of("object", "e2e_capture.leads"))
                    .when().post(api + "/v1/connections/" + connection + "/streams").then().statusCode(201).extract().path("id");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String status = "";
            while (!"streaming".equals(status) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                status = given().header("Authorization", "Bearer " + token).when().get(api + "/v1/connections/" + connection + "/streams/" + stream)
                        .then().statusCode(200).extract().path("status");
            }
            assertEquals("streaming", status, "the stream is streaming");
            suiteSql("INSERT INTO e2e_capture.leads (id, email, status) VALUES (42, 'lead42@example.com', 'new')");
            WebhookReceiver.Received received = receiver.next("record.created", "lead42@example.com", Duration.ofSeconds(60));
            assertEquals("record.created", StandardWebhooksVerifier.verify(secret, received), "the Standard Webhooks reference library accepts it");
            assertTrue(received.body().contains(stream), "the webhook names its stream: " + received.body());
        }
    }

    /**
     * Issue 15's acceptance: seed 000's Enterprise Lead Routing, end to end. A Lead row inserted into the suite's
     * PostgreSQL (standing in for the CRM's database) is captured by connections-service (the stream made on demand by
     * the workflow's record trigger), published as record.created on Kafka, matched by workflow-service against the
     * trigger's filter, transformed, written to HubSpot (a stub checking the CRM v3 batch create request) and announced
     * on Slack (a stub of chat.postMessage): "New enterprise lead: Acme". A lead below the filter starts nothing.
     */
    @Test
    @Order(9)
    void a_lead_inserted_into_postgres_runs_the_lead_routing_workflow_to_hubspot_and_slack() throws Exception {
        String token = clientToken();
        suiteSql(
                "CREATE SCHEMA IF NOT EXISTS e2e_crm",
                "CREATE TABLE IF NOT EXISTS e2e_crm.\"Lead\" (\"Id\" bigint PRIMARY KEY, \"FirstName\" text, \"LastName\" text,"
                        + " \"Email\" text, \"Company\" text, \"AnnualRevenue\" bigint)");
        vendors.stubFor(WireMock.get(WireMock.urlPathEqualTo("/hubspot/crm/v3/objects/contacts"))
                .willReturn(WireMock.okJson("{\"results\":[]}")));
        vendors.stubFor(WireMock.get(WireMock.urlPathMatching("/hubspot/crm/v3/properties/.*")).atPriority(10)
                .willReturn(WireMock.okJson("{\"results\":[]}")));
        vendors.stubFor(WireMock.get(WireMock.urlPathEqualTo("/hubspot/crm/v3/properties/contacts")).atPriority(1)
                .willReturn(WireMock.okJson("{\"results\":[" + hubspotProperty("email") + "," + hubspotProperty("firstname") + ","
                        + hubspotProperty("lastname") + "," + hubspotProperty("company") + "]}")));
        // HubSpot's batch create as documented: {"inputs":[{"properties":{...},"objectWriteTraceId":...}]}, a private app token.
        vendors.stubFor(WireMock.post(WireMock.urlPathEqualTo("/hubspot/crm/v3/objects/contacts/batch/create"))
                .withHeader("Authorization", WireMock.equalTo("Bearer pat-na1-e2e"))
                .withHeader("Content-Type", WireMock.containing("application/json"))
                .withRequestBody(WireMock.matchingJsonPath("$.inputs[0].properties.company", WireMock.equalTo("Acme")))
                .withRequestBody(WireMock.matchingJsonPath("$.inputs[0].properties.email", WireMock.equalTo("ada@acme.example")))
                .willReturn(WireMock.jsonResponse("{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"5101\",\"objectWriteTraceId\":\"0\","
                        + "\"properties\":{\"company\":\"Acme\",\"email\":\"ada@acme.example\"},\"createdAt\":\"2026-12-05T00:00:00Z\","
                        + "\"updatedAt\":\"2026-12-05T00:00:00Z\",\"archived\":false}]}", 201)));
        vendors.stubFor(WireMock.post(WireMock.urlPathEqualTo("/slack/api/auth.test"))
                .willReturn(WireMock.okJson("{\"ok\":true,\"team\":\"Acme\",\"user\":\"weft\",\"team_id\":\"T1\"}")));
        vendors.stubFor(WireMock.post(WireMock.urlPathEqualTo("/slack/api/chat.postMessage"))
                .withHeader("Authorization", WireMock.equalTo("Bearer xoxb-e2e"))
                .willReturn(WireMock.okJson("{\"ok\":true,\"channel\":\"C0SALES\",\"ts\":\"1764892800.000100\"}")));

        String crm = createConnection(token, suitePostgres("CRM database", "e2e_crm"));
        String hubspot = createConnection(token, Map.of("provider", "hubspot", "name", "HubSpot", "config", Map.of(),
                "credentials", Map.of("auth_type", "private_app", "access_token", "pat-na1-e2e")));
        String slack = createConnection(token, Map.of("provider", "slack", "name", "Slack", "config", Map.of(),
                "credentials", Map.of("auth_type", "bot_token", "bot_token", "xoxb-e2e")));

        // Seed 000's workflow, with real connections, a transform that maps a Lead to HubSpot's contact properties,
        // and the Slack channel to post to.
        Map<String, Object> workflow = Map.of("name", "Enterprise Lead Routing",
                "trigger", Map.of("type", "record_created", "connection_id", crm, "object", "Lead", "filter", "AnnualRevenue > 5000000"),
                "actions", List.of(
                        Map.of("type", "transform", "config", Map.of("language", "jsonata",
                                "code", "{\"email\": Email, \"firstname\": FirstName, \"lastname\": LastName, \"company\": Company}")),
                        Map.of("type", "write", "connection_id", hubspot, "object", "contacts"),
                        Map.of("type", "notify", "channel", "slack", "connection_id", slack, "slack_channel", "#sales",
                                "message", "New enterprise lead: {{Lead.Company}}")));
        Response created = given().header("Authorization", "Bearer " + token).contentType("application/json").body(workflow)
                .when().post(api + "/v1/workflows");
        created.then().statusCode(201);
        String workflowId = created.path("id");
        String stream = created.path("trigger.stream_id");
        assertTrue(stream != null && stream.startsWith("strm_"), "the record trigger made its stream: " + created.asString());
        awaitStreaming(token, crm, stream);

        suiteSql(
                "INSERT INTO e2e_crm.\"Lead\" VALUES (1, 'Tom', 'Small', 'tom@tiny.example', 'Tiny', 20000)",
                "INSERT INTO e2e_crm.\"Lead\" VALUES (2, 'Ada', 'Lovelace', 'ada@acme.example', 'Acme', 12000000)");

        List<LoggedRequest> posted = awaitRequests(WireMock.postRequestedFor(WireMock.urlPathEqualTo("/slack/api/chat.postMessage")), 1,
                Duration.ofSeconds(90));
        io.restassured.path.json.JsonPath message = io.restassured.path.json.JsonPath.from(posted.getFirst().getBodyAsString());
        assertEquals("New enterprise lead: Acme", message.getString("text"));
        assertEquals("#sales", message.getString("channel"));
        List<LoggedRequest> written = vendors.findAll(WireMock.postRequestedFor(WireMock.urlPathEqualTo("/hubspot/crm/v3/objects/contacts/batch/create")));
        assertEquals(1, written.size(), "one contact written to HubSpot");
        io.restassured.path.json.JsonPath contact = io.restassured.path.json.JsonPath.from(written.getFirst().getBodyAsString());
        assertEquals(Map.of("email", "ada@acme.example", "firstname", "Ada", "lastname", "Lovelace", "company", "Acme"),
                contact.getMap("inputs[0].properties"));

        io.restassured.path.json.JsonPath executions = given().header("Authorization", "Bearer " + token)
                .when().get(api + "/v1/workflows/" + workflowId + "/executions").then().statusCode(200).extract().jsonPath();
        assertEquals(1, executions.getList("data").size(), "the Tiny lead is below the filter: " + executions.prettify());
        String execution = executions.getString("data[0].id");
        io.restassured.path.json.JsonPath done = awaitExecution(token, execution, "succeeded");
        assertEquals(List.of("succeeded", "succeeded", "succeeded"), done.getList("steps.status"));
        assertEquals("5101", done.getString("steps[1].output.id"), "the HubSpot id of the contact: " + done.prettify());
        Thread.sleep(1000);
        assertEquals(1, vendors.findAll(WireMock.postRequestedFor(WireMock.urlPathEqualTo("/slack/api/chat.postMessage"))).size(),
                "one Slack message: the Tiny lead posted nothing");
    }

    /**
     * workflow-service killed with SIGKILL while a step is in flight, then started again: the new process takes the
     * execution over once its lease has passed and resumes at the step that was not recorded done. The step recorded
     * done before the kill is not sent again; the interrupted one is sent again with the same Idempotency-Key (a
     * receiver can drop it), and the execution finishes.
     */
    @Test
    @Order(10)
    void workflow_service_killed_mid_execution_resumes_without_repeating_a_done_step() throws Exception {
        String token = clientToken();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Map<String, Object> workflow = Map.of("name", "kill -9", "trigger", Map.of("type", "api_call"),
                    "actions", List.of(Map.of("type", "http", "url", receiver.url("/first")),
                            Map.of("type", "http", "url", receiver.url("/slow")),
                            Map.of("type", "http", "url", receiver.url("/third"))));
            Response created = given().header("Authorization", "Bearer " + token).contentType("application/json").body(workflow)
                    .when().post(api + "/v1/workflows");
            created.then().statusCode(201);
            String trigger = created.path("trigger.id");
            receiver.hold("/slow");
            String execution = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(Map.of("lead", "Acme")).when().post(api + "/v1/triggers/" + trigger + "/invoke")
                    .then().statusCode(202).extract().path("execution_id");
            receiver.nextAt("/first", Duration.ofSeconds(60));
            WebhookReceiver.Received interrupted = receiver.nextAt("/slow", Duration.ofSeconds(60));
            io.restassured.path.json.JsonPath midway = given().header("Authorization", "Bearer " + token)
                    .when().get(api + "/v1/executions/" + execution).then().statusCode(200).extract().jsonPath();
            assertEquals(List.of("succeeded", "running", "pending"), midway.getList("steps.status"));

            suite.restart(WeftService.WORKFLOW, true);
            receiver.release();

            WebhookReceiver.Received again = receiver.nextAt("/slow", Duration.ofSeconds(90));
            assertEquals(interrupted.headers().get("Idempotency-Key"), again.headers().get("Idempotency-Key"),
                    "the interrupted step is sent again with its idempotency key");
            receiver.nextAt("/third", Duration.ofSeconds(60));
            io.restassured.path.json.JsonPath done = awaitExecution(token, execution, "succeeded");
            assertEquals(List.of(1, 2, 1), done.getList("steps.attempts"), done.prettify());
            Thread.sleep(1000);
            List<String> paths = new ArrayList<>();
            WebhookReceiver.Received extra;
            while ((extra = receiver.poll()) != null) {
                paths.add(extra.path());
            }
            assertEquals(List.of(), paths, "nothing sent again after the execution finished (/first above all)");
        }
    }

    /**
     * sync-service killed with SIGKILL in the middle of a PostgreSQL → PostgreSQL run, then started again: the new
     * process takes the run over once its lease has passed, resumes from the last checkpoint, and the destination ends
     * with every source row exactly once, with the run's counts exact. The destination has no key and the run inserts:
     * the writes connections-service committed after the kill, never checkpointed, are sent again with the same write
     * ids and found in the destination's write ledger, not stored twice.
     */
    @Test
    @Order(10)
    void sync_service_killed_mid_run_resumes_from_its_checkpoint_with_exact_counts() throws Exception {
        int rows = 150_000;
        suiteSql(
                "CREATE SCHEMA IF NOT EXISTS e2e_sync",
                "DROP TABLE IF EXISTS e2e_sync.leads_src, e2e_sync.leads_dst",
                "CREATE TABLE e2e_sync.leads_src (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL)",
                "CREATE INDEX ON e2e_sync.leads_src (updated_at, id)",
                "INSERT INTO e2e_sync.leads_src SELECT i, 'lead ' || i, timestamptz '2026-01-01' + i * interval '1 millisecond'"
                        + " FROM generate_series(1, " + rows + ") AS i",
                "CREATE TABLE e2e_sync.leads_dst (id bigint, name text, updated_at timestamptz)");
        String token = clientToken();
        String connection = createConnection(token, suitePostgres("Sync DB", "e2e_sync"));
        String sync = given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("name", "kill -9 mid-run",
                        "source", Map.of("connection_id", connection, "object", "leads_src"),
                        "destination", Map.of("connection_id", connection, "table", "leads_dst", "mode", "insert"),
                        "field_mappings", List.of(Map.of("source", "id", "destination", "id"), Map.of("source", "name", "destination", "name"),
                                Map.of("source", "updated_at", "destination", "updated_at"))))
                .when().post(api + "/v1/syncs").then().statusCode(201).extract().path("id");
        String run = given().header("Authorization", "Bearer " + token).contentType("application/json").when().post(api + "/v1/syncs/" + sync + "/run")
                .then().statusCode(202).extract().path("id");
        // Killed once a few batches are checkpointed and while most rows are still to come.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        io.restassured.path.json.JsonPath midway;
        do {
            midway = given().header("Authorization", "Bearer " + token).when().get(api + "/v1/runs/" + run).then().statusCode(200).extract().jsonPath();
            if (midway.getLong("progress.written") >= 4L * SYNC_BATCH) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals("running", midway.getString("status"), midway.prettify());
        long writtenBeforeKill = midway.getLong("progress.written");
        assertTrue(writtenBeforeKill < rows, "killed mid-run: " + writtenBeforeKill + " of " + rows + " written");

        suite.restart(WeftService.SYNC, true);

        io.restassured.path.json.JsonPath done = awaitRunEnd(token, run, Duration.ofSeconds(240));
        assertEquals("succeeded", done.getString("status"), done.prettify());
        assertEquals(rows, done.getLong("progress.read"), "each row read counted once across the kill: " + done.prettify());
        assertEquals(rows, done.getLong("progress.written"), done.prettify());
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(suiteConfig.postgresJdbcUrl(), "postgres", "");
             java.sql.Statement query = db.createStatement();
             java.sql.ResultSet counts = query.executeQuery("SELECT count(*), count(DISTINCT id), min(id), max(id),"
                     + " count(*) FILTER (WHERE d.name IS DISTINCT FROM s.name) FROM e2e_sync.leads_dst d JOIN e2e_sync.leads_src s USING (id)")) {
            counts.next();
            assertEquals(rows, counts.getLong(1), "every source row in the destination, once");
            assertEquals(rows, counts.getLong(2));
            assertEquals(1, counts.getLong(3));
            assertEquals(rows, counts.getLong(4));
            assertEquals(0, counts.getLong(5), "each row as the source has it");
        }
    }

    /**
     * Issue 12's realtime acceptance on the real components: a realtime sync between two schemas of the suite's
     * PostgreSQL copies the table, then applies an insert, an update and a delete captured from its log (Debezium in
     * connections-service, Kafka, sync-service's applier, connections-service's write), then a bulk update of every row.
     */
    @Test
    @Order(9)
    void a_realtime_postgres_sync_applies_captured_inserts_updates_deletes_and_a_bulk_update() throws Exception {
        int rows = 2_000;
        suiteSql(
                "CREATE SCHEMA IF NOT EXISTS e2e_realtime",
                "DROP TABLE IF EXISTS e2e_realtime.people, e2e_realtime.people_copy",
                "CREATE TABLE e2e_realtime.people (id bigint PRIMARY KEY, email text NOT NULL, name text)",
                "INSERT INTO e2e_realtime.people SELECT i, 'p' || i || '@example.com', 'first' FROM generate_series(1, " + rows + ") AS i");
        String token = clientToken();
        String connection = createConnection(token, suitePostgres("Realtime DB", "e2e_realtime"));
        String sync = given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("name", "realtime people",
                        "source", Map.of("connection_id", connection, "object", "people"),
                        "destination", Map.of("connection_id", connection, "table", "people_copy", "key", List.of("id"), "mode", "upsert"),
                        "schedule", "realtime",
                        "field_mappings", List.of(Map.of("source", "id", "destination", "id"), Map.of("source", "email", "destination", "email"),
                                Map.of("source", "name", "destination", "name"))))
                .when().post(api + "/v1/syncs").then().statusCode(201).extract().path("id");
        awaitCopy("the first copy", "SELECT count(*) = " + rows + " FROM e2e_realtime.people_copy");

        suiteSql(
                "INSERT INTO e2e_realtime.people VALUES (" + (rows + 1) + ", 'new@example.com', 'new')",
                "UPDATE e2e_realtime.people SET name = 'renamed' WHERE id = 5",
                "DELETE FROM e2e_realtime.people WHERE id = 7");
        awaitCopy("the insert, update and delete", "SELECT (SELECT name FROM e2e_realtime.people_copy WHERE id = " + (rows + 1) + ") = 'new'"
                + " AND (SELECT name FROM e2e_realtime.people_copy WHERE id = 5) = 'renamed'"
                + " AND NOT EXISTS (SELECT 1 FROM e2e_realtime.people_copy WHERE id = 7)");

        suiteSql("UPDATE e2e_realtime.people SET name = 'bulk'");
        awaitCopy("the bulk update", "SELECT count(*) = " + rows + " AND bool_and(name = 'bulk') FROM e2e_realtime.people_copy");
        io.restassured.path.json.JsonPath realtime = given().header("Authorization", "Bearer " + token).when().get(api + "/v1/syncs/" + sync)
                .then().statusCode(200).extract().jsonPath().setRootPath("realtime");
        // The insert, the update, every row of the bulk update (the deleted one gone), the delete: each counted once.
        assertEquals(List.of(1 + 1 + rows, 1, 0), List.of(realtime.getInt("written"), realtime.getInt("deleted"), realtime.getInt("failed")),
                realtime.prettify());
    }

    /**
     * A sync that reads by a cursor field of its choosing on the real components: connections-service offers placed_at
     * among the table's cursor_fields (its default is updated_at), the sync's runs read by it, and the second run reads
     * exactly the rows placed after the first: an update that leaves placed_at alone is not read again.
     */
    @Test
    @Order(9)
    void a_sync_reads_by_the_cursor_field_it_chose() throws Exception {
        suiteSql(
                "CREATE SCHEMA IF NOT EXISTS e2e_cursor",
                "DROP TABLE IF EXISTS e2e_cursor.orders, e2e_cursor.orders_copy",
                "CREATE TABLE e2e_cursor.orders (id bigint PRIMARY KEY, total numeric(12,2) NOT NULL, placed_at timestamptz NOT NULL,"
                        + " updated_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO e2e_cursor.orders (id, total, placed_at) SELECT i, i, timestamptz '2026-01-01' + i * interval '1 minute'"
                        + " FROM generate_series(1, 100) AS i");
        String token = clientToken();
        String connection = createConnection(token, suitePostgres("Orders DB", "e2e_cursor"));
        given().header("Authorization", "Bearer " + token).when().get(api + "/v1/data/" + connection + "/objects").then().statusCode(200)
                .body("data.find { it.name == 'orders' }.cursor_field", equalTo("updated_at"))
                .body("data.find { it.name == 'orders' }.cursor_fields", equalTo(List.of("updated_at", "id", "total", "placed_at")));
        String sync = given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("name", "orders by placed_at",
                        "source", Map.of("connection_id", connection, "object", "orders", "cursor_field", "placed_at"),
                        "destination", Map.of("connection_id", connection, "table", "orders_copy", "mode", "insert"),
                        "field_mappings", List.of(Map.of("source", "id", "destination", "id"), Map.of("source", "total", "destination", "total"))))
                .when().post(api + "/v1/syncs").then().statusCode(201).body("source.cursor_field", equalTo("placed_at")).extract().path("id");
        assertEquals(100, finishedRun(token, sync).getLong("progress.read"));

        suiteSql("INSERT INTO e2e_cursor.orders (id, total, placed_at) SELECT i, i, timestamptz '2026-02-01' + i * interval '1 minute'"
                        + " FROM generate_series(101, 105) AS i",
                "UPDATE e2e_cursor.orders SET total = 0, updated_at = now() + interval '1 day' WHERE id = 3");
        io.restassured.path.json.JsonPath second = finishedRun(token, sync);
        assertEquals(5, second.getLong("progress.read"), "only the rows placed since: " + second.prettify());
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(suiteConfig.postgresJdbcUrl(), "postgres", "");
             java.sql.Statement query = db.createStatement();
             java.sql.ResultSet counts = query.executeQuery("SELECT count(*), count(DISTINCT id) FROM e2e_cursor.orders_copy")) {
            counts.next();
            assertEquals(List.of(105L, 105L), List.of(counts.getLong(1), counts.getLong(2)));
        }
    }

    /** Starts a run of the sync and waits for it to end; it must have succeeded. */
    private static io.restassured.path.json.JsonPath finishedRun(String token, String sync) throws InterruptedException {
        String run = given().header("Authorization", "Bearer " + token).contentType("application/json").when().post(api + "/v1/syncs/" + sync + "/run")
                .then().statusCode(202).extract().path("id");
        io.restassured.path.json.JsonPath done = awaitRunEnd(token, run, Duration.ofSeconds(60));
        assertEquals("succeeded", done.getString("status"), done.prettify());
        return done;
    }

    /** The run as GET shows it once it is neither queued nor running, or as it is when {@code limit} has passed. */
    private static io.restassured.path.json.JsonPath awaitRunEnd(String token, String run, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        io.restassured.path.json.JsonPath done;
        do {
            Thread.sleep(200);
            done = given().header("Authorization", "Bearer " + token).when().get(api + "/v1/runs/" + run).then().statusCode(200).extract().jsonPath();
        } while (List.of("queued", "running").contains(done.getString("status")) && System.nanoTime() < deadline);
        return done;
    }

    /** Runs statements, one after the other, on the suite's PostgreSQL (standing in for a customer's database). */
    private static void suiteSql(String... statements) throws java.sql.SQLException {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(suiteConfig.postgresJdbcUrl(), "postgres", "");
             java.sql.Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The body of a postgres connection to the suite's PostgreSQL; {@code schema} null for the default one. */
    private static Map<String, Object> suitePostgres(String name, String schema) {
        java.net.URI pg = java.net.URI.create(suiteConfig.postgresJdbcUrl().substring("jdbc:".length()));
        Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("host", pg.getHost(), "port", pg.getPort(),
                "database", pg.getPath().substring(1), "ssl_mode", "disable"));
        if (schema != null) {
            config.put("schema", schema);
        }
        return Map.of("provider", "postgres", "name", name, "config", config, "credentials", Map.of("username", "postgres"));
    }

    /** Waits until {@code condition} (one boolean) holds in the suite's PostgreSQL. */
    private static void awaitCopy(String what, String condition) throws Exception {
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(120).toNanos();
        while (true) {
            try (java.sql.Connection db = java.sql.DriverManager.getConnection(suiteConfig.postgresJdbcUrl(), "postgres", "");
                 java.sql.Statement query = db.createStatement();
                 java.sql.ResultSet holds = query.executeQuery(condition)) {
                if (holds.next() && holds.getBoolean(1)) {
                    System.out.printf("%s: %d ms%n", what, (System.nanoTime() - started) / 1_000_000);
                    return;
                }
            } catch (java.sql.SQLException notYet) {
                // the destination table is created by the first run
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static String hubspotProperty(String name) {
        return "{\"name\":\"" + name + "\",\"label\":\"" + name + "\",\"type\":\"string\",\"fieldType\":\"text\",\"calculated\":false,"
                + "\"modificationMetadata\":{\"readOnlyValue\":false}}";
    }

    private static String createConnection(String token, Map<String, Object> body) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json").body(body)
                .when().post(api + "/v1/connections").then().statusCode(201).extract().path("id");
    }

    private static void awaitStreaming(String token, String connection, String stream) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String status = "";
        while (!"streaming".equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = given().header("Authorization", "Bearer " + token).when().get(api + "/v1/connections/" + connection + "/streams/" + stream)
                    .then().statusCode(200).extract().path("status");
        }
        assertEquals("streaming", status, "the stream is streaming");
    }

    private static List<LoggedRequest> awaitRequests(com.github.tomakehurst.wiremock.matching.RequestPatternBuilder pattern, int count,
                                                     Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<LoggedRequest> found = vendors.findAll(pattern);
        while (found.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(250);
            found = vendors.findAll(pattern);
        }
        assertTrue(found.size() >= count, "expected " + count + " request(s) within " + timeout.toSeconds() + " s, got " + found.size());
        return found;
    }

    private static io.restassured.path.json.JsonPath awaitExecution(String token, String execution, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        io.restassured.path.json.JsonPath last;
        do {
            last = given().header("Authorization", "Bearer " + token).when().get(api + "/v1/executions/" + execution)
                    .then().statusCode(200).extract().jsonPath();
            if (status.equals(last.getString("status"))) {
                return last;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("execution " + execution + " is not " + status + ": " + last.prettify());
    }

    @Test
    @Order(10)
    void a_revoked_access_token_and_a_revoked_refresh_family_are_refused_by_other_services_within_two_seconds() throws Exception {
        Map<String, String> env = envFile();
        io.restassured.path.json.JsonPath issued = tokens(env, Map.of("grant_type", "client_credentials"));
        String access = issued.getString("access_token");
        String viaRefresh = tokens(env, Map.of("grant_type", "refresh_token", "refresh_token", issued.getString("refresh_token")))
                .getString("access_token");
        for (String token : List.of(access, viaRefresh)) {
            given().header("Authorization", "Bearer " + token).when().get(api + "/v1/connections").then().statusCode(200);
        }
        // Revoked at auth-service; connections-service and webhook-service verify tokens locally and learn it from Kafka.
        given().contentType("application/x-www-form-urlencoded").formParam("token", access)
                .formParam("client_id", env.get("WEFT_CLIENT_ID")).formParam("client_secret", env.get("WEFT_CLIENT_SECRET"))
                .when().post(api + "/v1/auth/revoke").then().statusCode(200);
        assertRefusedWithin(access, "/v1/connections", Duration.ofSeconds(2));
        assertRefusedWithin(access, "/v1/webhooks", Duration.ofSeconds(2));
        given().header("Authorization", "Bearer " + viaRefresh).when().get(api + "/v1/connections").then().statusCode(200);

        // Revoking the refresh token revokes its family, and with it every access token the family issued.
        String refresh = tokens(env, Map.of("grant_type", "client_credentials")).getString("refresh_token");
        String family = tokens(env, Map.of("grant_type", "refresh_token", "refresh_token", refresh)).getString("access_token");
        given().header("Authorization", "Bearer " + family).when().get(api + "/v1/connections").then().statusCode(200);
        String current = tokens(env, Map.of("grant_type", "client_credentials")).getString("access_token");
        given().contentType("application/x-www-form-urlencoded").formParam("token", refresh)
                .formParam("client_id", env.get("WEFT_CLIENT_ID")).formParam("client_secret", env.get("WEFT_CLIENT_SECRET"))
                .when().post(api + "/v1/auth/revoke").then().statusCode(200);
        assertRefusedWithin(family, "/v1/connections", Duration.ofSeconds(2));
        given().header("Authorization", "Bearer " + current).when().get(api + "/v1/connections").then().statusCode(200);
    }

    private io.restassured.path.json.JsonPath tokens(Map<String, String> env, Map<String, String> grant) {
        return given().contentType("application/x-www-form-urlencoded").formParams(grant)
                .formParam("client_id", env.get("WEFT_CLIENT_ID")).formParam("client_secret", env.get("WEFT_CLIENT_SECRET"))
                .when().post(api + "/v1/auth/token").then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the token is refused; the bound is revocation's promise, not a speed goal. */
    private static void assertRefusedWithin(String token, String path, Duration limit) throws InterruptedException {
        long started = System.nanoTime();
        int status = 0;
        while (System.nanoTime() - started < limit.toNanos()) {
            status = given().header("Authorization", "Bearer " + token).when().get(api + path).statusCode();
            if (status == 401) {
                System.out.printf("e2e: %s refused the revoked token after %d ms%n", path, (System.nanoTime() - started) / 1_000_000);
                return;
            }
            Thread.sleep(50);
        }
        fail(path + " still answered " + status + " to a revoked token after " + limit.toMillis() + " ms");
    }

    @Test
    @Order(11)
    void closing_leaves_no_child_process_behind() {
        Map<String, Long> pids = suite.childPids();
        for (WeftService service : WeftService.values()) {
            assertTrue(pids.containsKey(service.id()), "recorded pid of " + service.module() + " in " + pids);
        }
        assertTrue(pids.containsKey("postgres"), "recorded pid of PostgreSQL in " + pids);
        pids.values().forEach(pid -> assertTrue(alive(pid), "pid " + pid + " should run before close"));

        suite.close();

        List<String> survivors = pids.entrySet().stream().filter(e -> alive(e.getValue()))
                .map(e -> e.getKey() + "=" + e.getValue()).toList();
        assertEquals(List.of(), survivors, "processes still alive after close()");
        assertTrue(Files.notExists(weftDir.resolve("ready")), "the ready marker is removed on close");
    }

    /** The OS may hand out a just-released port again; the launcher would refuse a clash, so avoid one. */
    private static java.util.Set<Integer> distinctFreePorts(int count) {
        java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
        while (ports.size() < count) {
            ports.add(FreePorts.next());
        }
        return ports;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (Files.notExists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
