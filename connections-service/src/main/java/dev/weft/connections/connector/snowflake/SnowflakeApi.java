package dev.weft.connections.connector.snowflake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connector.ConnectionCredentials;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.VendorHttp;
import io.quarkus.logging.Log;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Snowflake's SQL API v2: a statement with its bindings is POSTed to {@code /api/v2/statements} (a request id per
 * statement); a 200 carries the first partition of the result, a 202 a handle that is polled at
 * {@code GET /api/v2/statements/{handle}} until the statement finishes; further partitions are fetched with
 * {@code ?partition=n}. A 422 is Snowflake's refusal of the SQL (its code, SQL state and message kept).
 */
final class SnowflakeApi {
    static final String VENDOR = "snowflake";
    static final String STATEMENTS = "/api/v2/statements";
    /** Seconds a statement may run before Snowflake cancels it. */
    static final int STATEMENT_TIMEOUT = 600;
    private static final Pattern HANDLE = Pattern.compile("[0-9A-Za-z-]{1,100}");
    private static final Duration FIRST_POLL = Duration.ofMillis(50);
    private static final Duration LONGEST_POLL = Duration.ofSeconds(2);
    static final ObjectMapper JSON = new ObjectMapper();

    private final SnowflakeJwt jwt;

    SnowflakeApi(SnowflakeJwt jwt) {
        this.jwt = jwt;
    }

    /** A bind variable as the SQL API takes it: a Snowflake type name and the value as text (null for SQL NULL). */
    record Binding(String type, String value) {
    }

    /** A result column as {@code resultSetMetaData.rowType} describes it (type in lower case). */
    record Column(String name, String type, int scale) {
    }

    /** Every row of a finished statement (all partitions), as text, and its DML statistics. */
    record Result(List<Column> columns, List<List<String>> rows, JsonNode stats) {
        int index(String column) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equalsIgnoreCase(column)) {
                    return i;
                }
            }
            throw ConnectorException.upstream("snowflake answered without a " + column + " column", 200);
        }

        long stat(String name) {
            return stats == null ? 0 : stats.path(name).asLong(0);
        }
    }

    /** Runs one statement in the connection's database, schema, warehouse and role, and returns its whole result. */
    Result execute(ConnectorContext context, String sql, List<Binding> bindings) {
        return execute(context, sql, bindings, null);
    }

    /**
     * As {@link #execute(ConnectorContext, String, List)}; with a {@code replayKey} (a write's id and the statement's
     * place in it) the statement may have been sent before: its request id is derived from that key, the SQL and the
     * bound values, and the request always says {@code retry=true}, so Snowflake, which remembers the request ids it
     * ran, answers the same statement sent again with its first run's result instead of running it twice (the SQL API's
     * "resubmitting a request"); another statement under the same key gets another id and runs. Without a key the id is
     * new, and only a resubmission of it (after a 429 or 503) says {@code retry=true}.
     */
    Result execute(ConnectorContext context, String sql, List<Binding> bindings, String replayKey) {
        String base = baseUrl(context);
        ObjectNode body = JSON.createObjectNode();
        body.put("statement", sql);
        body.put("timeout", STATEMENT_TIMEOUT);
        body.put("database", SnowflakeConnector.database(context));
        body.put("schema", SnowflakeConnector.defaultSchema(context));
        context.configString("warehouse").filter(s -> !s.isBlank()).ifPresent(w -> body.put("warehouse", w));
        context.configString("role").filter(s -> !s.isBlank()).ifPresent(r -> body.put("role", r));
        if (!bindings.isEmpty()) {
            ObjectNode bound = body.putObject("bindings");
            for (int i = 0; i < bindings.size(); i++) {
                ObjectNode binding = bound.putObject(Integer.toString(i + 1));
                binding.put("type", bindings.get(i).type());
                binding.put("value", bindings.get(i).value());
            }
        }
        String json = body.toString();
        UUID requestId = replayKey == null ? null
                : UUID.nameUUIDFromBytes((replayKey + "\u0000" + sql + "\u0000" + body.path("bindings")).getBytes(StandardCharsets.UTF_8));
        // a request id per statement: Snowflake runs a resubmitted request (retry=true) only once
        URI first = URI.create(base + STATEMENTS + "?requestId=" + (requestId == null ? UUID.randomUUID() : requestId)
                + (requestId == null ? "" : "&retry=true"));
        URI again = requestId == null ? URI.create(first + "&retry=true") : first;
        AtomicBoolean sent = new AtomicBoolean();
        long started = System.nanoTime();
        HttpResponse<String> response = send(context, token -> request(sent.getAndSet(true) ? again : first, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
        JsonNode answer = parse(response);
        String handle = answer.path("statementHandle").asText(null);
        Duration wait = FIRST_POLL;
        long deadline = System.nanoTime() + Duration.ofSeconds(STATEMENT_TIMEOUT + 30).toNanos();
        while (response.statusCode() == 202) {
            if (System.nanoTime() > deadline) {
                throw ConnectorException.upstream("snowflake statement " + handle + " did not finish in " + STATEMENT_TIMEOUT + " s", 504);
            }
            sleep(wait);
            wait = wait.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : wait.multipliedBy(2);
            URI status = URI.create(base + STATEMENTS + "/" + checkedHandle(handle));
            response = send(context, token -> request(status, token).GET().build());
            answer = parse(response);
        }
        Result result = result(context, base, answer);
        Log.debugf("event=snowflake_statement connection_id=%s rows=%d ms=%d", context.connectionId(), result.rows().size(),
                (System.nanoTime() - started) / 1_000_000);
        return result;
    }

    private Result result(ConnectorContext context, String base, JsonNode answer) {
        JsonNode metadata = answer.path("resultSetMetaData");
        List<Column> columns = new ArrayList<>();
        for (JsonNode column : metadata.path("rowType")) {
            columns.add(new Column(column.path("name").asText(), column.path("type").asText("text").toLowerCase(Locale.ROOT),
                    column.path("scale").asInt(0)));
        }
        List<List<String>> rows = new ArrayList<>();
        addRows(rows, answer.path("data"));
        int partitions = metadata.path("partitionInfo").size();
        if (partitions > 1) {
            String handle = checkedHandle(answer.path("statementHandle").asText(null));
            for (int partition = 1; partition < partitions; partition++) {
                URI uri = URI.create(base + STATEMENTS + "/" + handle + "?partition=" + partition);
                addRows(rows, parse(send(context, token -> request(uri, token).GET().build())).path("data"));
            }
        }
        return new Result(List.copyOf(columns), rows, answer.path("stats").isObject() ? answer.path("stats") : null);
    }

    private static void addRows(List<List<String>> rows, JsonNode data) {
        for (JsonNode row : data) {
            List<String> values = new ArrayList<>(row.size());
            for (JsonNode value : row) {
                values.add(value.isNull() ? null : value.asText());
            }
            rows.add(values);
        }
    }

    private HttpResponse<String> send(ConnectorContext context, VendorHttp.TokenRequest request) {
        ConnectionCredentials keyPair = new ConnectionCredentials() {
            @Override
            public Optional<String> get(String field) {
                return context.credentials().get(field);
            }

            @Override
            public Set<String> fieldNames() {
                return context.credentials().fieldNames();
            }

            @Override
            public String accessToken() {
                return jwt.token(context);
            }

            @Override
            public String refreshAccessToken(String rejected) {
                return jwt.renew(context, rejected);
            }
        };
        return VendorHttp.send(VENDOR, request, keyPair, SnowflakeApi::errorMessage);
    }

    private static HttpRequest.Builder request(URI uri, String token) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + token)
                .header("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT")
                .header("Accept", "application/json")
                .header("User-Agent", "weft-connections/1.0");
    }

    /** Snowflake's own words: {@code message} with its error {@code code} and {@code sqlState}. */
    static String errorMessage(HttpResponse<String> response) {
        try {
            JsonNode body = JSON.readTree(response.body());
            String message = body.path("message").asText(null);
            if (message == null) {
                return null;
            }
            String code = body.path("code").asText("");
            String state = body.path("sqlState").asText("");
            return message + (code.isEmpty() ? "" : " (code " + code + (state.isEmpty() ? "" : ", SQL state " + state) + ")");
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw ConnectorException.upstream("snowflake answered " + response.statusCode() + " with a body that is not JSON", response.statusCode());
        }
    }

    private static String checkedHandle(String handle) {
        if (handle == null || !HANDLE.matcher(handle).matches()) {
            throw ConnectorException.upstream("snowflake answered without a usable statementHandle", 202);
        }
        return handle;
    }

    /** The operator's {@code base-url} setting (a stub, a private link), else the account's own host. */
    static String baseUrl(ConnectorContext context) {
        String base = context.setting("base-url").orElseGet(() -> "https://" + SnowflakeConnector.account(context).toLowerCase(Locale.ROOT)
                + ".snowflakecomputing.com");
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.unreachable("interrupted while waiting for a snowflake statement", e);
        }
    }
}
