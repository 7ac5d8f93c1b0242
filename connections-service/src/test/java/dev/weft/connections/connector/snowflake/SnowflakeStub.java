package dev.weft.connections.connector.snowflake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.connections.connector.salesforce.SalesforceStub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A Snowflake account's SQL API v2 on WireMock, checking requests as Snowflake documents them: every call carries
 * {@code Authorization: Bearer <JWT>} with {@code X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT}, the JWT signed
 * RS256 by the key pair the user trusts, issuer {@code ACCOUNT.USER.SHA256:<fingerprint>}, subject {@code ACCOUNT.USER},
 * issued now and expiring within the hour; statements are POSTed as JSON to {@code /api/v2/statements?requestId=<uuid>}.
 * Anything else gets Snowflake's 401 (code 390144). Statements are answered by exact text ({@link #answer}).
 */
public final class SnowflakeStub implements AutoCloseable {
    public static final String ACCOUNT = "myorg-analytics";
    public static final String USER = "weft_sync";
    public static final String QUALIFIED_USER = "MYORG-ANALYTICS.WEFT_SYNC";
    public static final String STATEMENTS = "/api/v2/statements";
    static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer server;
    private final SalesforceStub.KeyPems keys;
    private final String fingerprint;

    private SnowflakeStub() {
        this.keys = SalesforceStub.generateKeyPair();
        this.fingerprint = fingerprint(keys.publicKey());
        this.server = new WireMockServer(options().dynamicPort());
        server.start();
        server.stubFor(any(urlPathMatching("/api/v2/.*")).atPriority(100)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"code\":\"390144\",\"message\":\"JWT token is invalid.\"}")));
    }

    public static SnowflakeStub start() {
        return new SnowflakeStub();
    }

    public WireMockServer server() {
        return server;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public String privateKeyPem() {
        return keys.privateKeyPem();
    }

    /** Operator settings for the snowflake provider: the stub as base-url and its key as private-key.{@code keyId}. */
    public Map<String, String> settings(String keyId) {
        return Map.of("base-url", baseUrl(), "private-key." + keyId, keys.privateKeyPem());
    }

    @Override
    public void close() {
        server.stop();
    }

    /** A POST of exactly {@code sql}, authorized as Snowflake requires (priority 5: specific answers use lower numbers). */
    public MappingBuilder statement(String sql) {
        return post(urlPathEqualTo(STATEMENTS)).atPriority(5)
                .withQueryParam("requestId", com.github.tomakehurst.wiremock.client.WireMock.matching("[0-9a-f-]{36}"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(matchingJsonPath("$.statement", equalTo(sql)))
                .andMatching(request -> MatchResult.of(authorized(request)));
    }

    /** Answers {@code sql} with a finished result. */
    public void answer(String sql, String resultJson) {
        server.stubFor(statement(sql).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(resultJson)));
    }

    /** Answers {@code sql} with Snowflake's 422 for a failed statement. */
    public void refuse(String sql, String code, String sqlState, String message) {
        server.stubFor(statement(sql).willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody(failure(code, sqlState, message))));
    }

    static String failure(String code, String sqlState, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", code);
        body.put("sqlState", sqlState);
        body.put("message", message);
        body.put("statementHandle", UUID.randomUUID().toString());
        return body.toString();
    }

    /** A finished result as the SQL API writes it: rowType, all values as text, one partition per list of rows. */
    @SafeVarargs
    public static String result(String handle, List<Object[]> columns, List<List<String>>... partitions) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode metadata = body.putObject("resultSetMetaData");
        int total = 0;
        ArrayNode partitionInfo = metadata.putArray("partitionInfo");
        for (List<List<String>> partition : partitions) {
            total += partition.size();
            partitionInfo.addObject().put("rowCount", partition.size()).put("uncompressedSize", 100 * partition.size());
        }
        metadata.put("numRows", total);
        metadata.put("format", "jsonv2");
        ArrayNode rowType = metadata.putArray("rowType");
        for (Object[] column : columns) {
            rowType.addObject().put("name", (String) column[0]).put("database", "ANALYTICS").put("schema", "PUBLIC").put("table", "")
                    .put("type", (String) column[1]).put("scale", column.length > 2 ? (Integer) column[2] : 0).put("precision", 38)
                    .put("nullable", true).putNull("length").putNull("byteLength").putNull("collation");
        }
        body.set("data", data(partitions.length == 0 ? List.of() : partitions[0]));
        body.put("code", "090001");
        body.put("statementStatusUrl", STATEMENTS + "/" + handle + "?requestId=" + UUID.randomUUID());
        body.put("requestId", UUID.randomUUID().toString());
        body.put("sqlState", "00000");
        body.put("statementHandle", handle);
        body.put("message", "Statement executed successfully.");
        body.put("createdOn", 1_700_000_000_000L);
        return body.toString();
    }

    /** A DML result: the count column Snowflake returns and the statistics. */
    public static String dml(String column, long rows, String stat) {
        ObjectNode body = (ObjectNode) read(result(UUID.randomUUID().toString(), List.<Object[]>of(new Object[]{column, "fixed"}),
                List.of(List.of(Long.toString(rows)))));
        body.putObject("stats").put(stat, rows);
        return body.toString();
    }

    /** A MERGE's result as Snowflake answers it: a count column per action and the statistics of both. */
    public static String merge(long inserted, long updated) {
        ObjectNode body = (ObjectNode) read(result(UUID.randomUUID().toString(),
                List.<Object[]>of(new Object[]{"number of rows inserted", "fixed"}, new Object[]{"number of rows updated", "fixed"}),
                List.of(List.of(Long.toString(inserted), Long.toString(updated)))));
        body.putObject("stats").put("numRowsInserted", inserted).put("numRowsUpdated", updated).put("numRowsDeleted", 0).put("numDmlDuplicates", 0);
        return body.toString();
    }

    /** A partition other than the first ({@code GET ...?partition=n}): data only, gzip-compressed as Snowflake sends it. */
    public static byte[] partition(List<List<String>> rows) {
        ObjectNode body = JSON.createObjectNode();
        body.set("data", data(rows));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The 202 Snowflake answers while a statement still runs. */
    public static String running(String handle) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", "333334");
        body.put("message", "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.");
        body.put("statementHandle", handle);
        body.put("statementStatusUrl", STATEMENTS + "/" + handle);
        return body.toString();
    }

    private static ArrayNode data(List<List<String>> rows) {
        ArrayNode data = JSON.createArrayNode();
        for (List<String> row : rows) {
            ArrayNode values = data.addArray();
            row.forEach(values::add);
        }
        return data;
    }

    /** The statements POSTed so far, as parsed bodies, in order. */
    public List<JsonNode> statements() {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : server.findAll(postRequestedFor(urlPathEqualTo(STATEMENTS)))) {
            bodies.add(read(request.getBodyAsString()));
        }
        return bodies;
    }

    public List<String> statementTexts() {
        return statements().stream().map(s -> s.path("statement").asText()).toList();
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Headers and JWT as Snowflake's key-pair authentication requires them. */
    boolean authorized(Request request) {
        String authorization = request.getHeader("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")
                || !"KEYPAIR_JWT".equals(request.getHeader("X-Snowflake-Authorization-Token-Type"))
                || !"application/json".equals(request.getHeader("Accept"))) {
            return false;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            long now = System.currentTimeMillis();
            return jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.RS256)
                    && jwt.verify(new RSASSAVerifier(keys.publicKey()))
                    && (QUALIFIED_USER + "." + fingerprint).equals(claims.getIssuer())
                    && QUALIFIED_USER.equals(claims.getSubject())
                    && claims.getIssueTime() != null && claims.getIssueTime().getTime() <= now + 60_000
                    && claims.getExpirationTime() != null && claims.getExpirationTime().after(new Date(now))
                    && claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() <= 3_600_000;
        } catch (Exception e) {
            return false;
        }
    }

    /** {@code SHA256:} + base64 of the SHA-256 of the DER public key, as DESCRIBE USER shows RSA_PUBLIC_KEY_FP. */
    static String fingerprint(RSAPublicKey key) {
        try {
            return "SHA256:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
