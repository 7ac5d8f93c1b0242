package dev.weft.connections.connector.slack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.VendorHttp;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.connections.connector.http.PageCursor;
import dev.weft.connections.connector.http.PagedScan;
import dev.weft.connections.connector.http.VendorJson;
import dev.weft.platform.filter.InMemoryFilter;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Slack for notifications: post messages and list the channels to post them in. Slack answers
 * most errors with HTTP 200 and {@code {"ok":false,"error":"..."}}, so every answer's {@code ok}
 * is checked; throttling is a real 429 with Retry-After, which {@link VendorHttp} waits out.
 */
@ApplicationScoped
public class SlackConnector implements Connector {
    private static final String VENDOR = "slack";
    private static final String DEFAULT_BASE_URL = "https://slack.com/api";
    private static final int PAGE_SIZE = 200;
    private static final int MAX_PAGES = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> AUTH_ERRORS = Set.of("invalid_auth", "not_authed", "token_revoked", "account_inactive");
    /** Errors only a new authorization fixes (the app was uninstalled or the user deactivated). */
    private static final Set<String> GRANT_GONE = Set.of("token_revoked", "account_inactive");

    private static final ObjectSchema CHANNELS = new ObjectSchema("channels", "Channels", List.of(
            new FieldSchema("id", "string", "string", false, true),
            new FieldSchema("name", "string", "string", false, true),
            new FieldSchema("is_private", "boolean", "boolean", false, true),
            new FieldSchema("created", "datetime", "integer", false, true),
            new FieldSchema("num_members", "integer", "integer", true, true)),
            List.of("id"), null, EnumSet.noneOf(WriteMode.class));
    private static final ObjectSchema MESSAGES = new ObjectSchema("messages", "Messages", List.of(
            new FieldSchema("channel", "string", "string", false, false),
            new FieldSchema("text", "string", "string", true, false),
            new FieldSchema("blocks", "array", "blocks", true, false),
            new FieldSchema("thread_ts", "string", "string", true, false),
            new FieldSchema("ts", "string", "string", true, true)),
            List.of("ts"), null, EnumSet.of(WriteMode.INSERT));

    @Override
    public String provider() {
        return "slack";
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> call(context, "auth.test", Map.of(), null));
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        return List.of(CHANNELS, MESSAGES);
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        requireChannels(query.object());
        return PagedScan.scan(position -> channelPage(context, position), PageCursor.decode(query.cursor()),
                InMemoryFilter.of(query.filter()), PagedScan.projection(query.fields()), query.limit(), MAX_PAGES);
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        requireChannels(read.object());
        // Channels carry no change time: every run lists them all, and the cursor at the end starts over.
        RecordPage page = PagedScan.scan(position -> channelPage(context, position), PageCursor.decode(read.cursor()),
                record -> true, PagedScan.projection(read.fields()), read.batchSize(), MAX_PAGES);
        return page.nextCursor() == null ? new RecordPage(page.records(), PageCursor.START.encode(), false) : page;
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        if (!"messages".equals(write.object())) {
            throw ConnectorException.invalid("object", "writable", "slack " + write.object() + " cannot be written; post to messages");
        }
        if (write.mode() != WriteMode.INSERT) {
            throw ConnectorException.invalid("mode", "write_modes", "slack messages can only be inserted (posted)");
        }
        List<WriteResult.RecordResult> results = new ArrayList<>();
        for (int index = 0; index < write.records().size(); index++) {
            Map<String, Object> record = write.records().get(index);
            if (record.get("channel") == null || String.valueOf(record.get("channel")).isBlank()) {
                results.add(WriteResult.RecordResult.failed(index, "record has no channel"));
                continue;
            }
            Map<String, Object> message = new LinkedHashMap<>();
            for (String field : List.of("channel", "text", "blocks", "thread_ts")) {
                if (record.get(field) != null) {
                    message.put(field, record.get(field));
                }
            }
            try {
                JsonNode posted = call(context, "chat.postMessage", Map.of(), VendorJson.write(message));
                results.add(WriteResult.RecordResult.ok(index, VendorJson.text(posted.path("ts"))));
            } catch (ConnectorException e) {
                if (e.kind() == ConnectorException.Kind.AUTH || e.kind() == ConnectorException.Kind.UNREACHABLE) {
                    throw e;
                }
                results.add(WriteResult.RecordResult.failed(index, e.getMessage()));
            }
        }
        return new WriteResult(results);
    }

    private static void requireChannels(String object) {
        if (!"channels".equals(object)) {
            throw ConnectorException.invalid("object", "queryable", "slack " + object + " cannot be queried; query channels");
        }
    }

    private PagedScan.Page channelPage(ConnectorContext context, String position) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("types", "public_channel,private_channel");
        params.put("exclude_archived", "true");
        params.put("limit", String.valueOf(PAGE_SIZE));
        if (position != null) {
            params.put("cursor", position);
        }
        JsonNode answer = call(context, "conversations.list", params, null);
        List<Map<String, Object>> channels = new ArrayList<>();
        for (JsonNode channel : answer.path("channels")) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", channel.path("id").asText());
            record.put("name", channel.path("name").asText());
            record.put("is_private", channel.path("is_private").asBoolean(false));
            record.put("created", channel.hasNonNull("created") ? Instant.ofEpochSecond(channel.path("created").asLong()).toString() : null);
            record.put("num_members", channel.hasNonNull("num_members") ? channel.path("num_members").asLong() : null);
            channels.add(record);
        }
        String next = VendorJson.text(answer.path("response_metadata").path("next_cursor"));
        return new PagedScan.Page(channels, channels.isEmpty() || next == null || next.equals(position) ? null : next);
    }

    /** Calls a Web API method (GET with {@code params}, or POST with a JSON body) and returns its {@code ok} answer. */
    private JsonNode call(ConnectorContext context, String method, Map<String, String> params, String jsonBody) {
        StringBuilder url = new StringBuilder(context.setting("base-url").orElse(DEFAULT_BASE_URL).replaceAll("/+$", ""))
                .append('/').append(method);
        char separator = '?';
        for (Map.Entry<String, String> param : params.entrySet()) {
            url.append(separator).append(param.getKey()).append('=').append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        URI uri = URI.create(url.toString());
        VendorHttp.TokenRequest request = token -> {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + token);
            if (jsonBody != null) {
                builder.header("Content-Type", "application/json; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
            } else if (params.isEmpty()) {
                builder.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.noBody());
            } else {
                builder.GET();
            }
            return builder.build();
        };
        boolean oauth = isOAuth(context);
        AtomicReference<String> sent = new AtomicReference<>();
        VendorHttp.TokenRequest remembered = token -> {
            sent.set(token);
            return request.build(token);
        };
        for (boolean refreshed = false; ; refreshed = true) {
            HttpResponse<String> response = oauth
                    ? VendorHttp.send(VENDOR, remembered, context.credentials(), SlackConnector::errorCode)
                    : VendorHttp.send(VENDOR, remembered.build(context.credentials().require("bot_token")), SlackConnector::errorCode);
            JsonNode answer = VendorJson.parse(VENDOR, response.body());
            if (answer.path("ok").asBoolean(false)) {
                return answer;
            }
            String error = answer.path("error").asText("unknown_error");
            if (oauth && !refreshed && "token_expired".equals(error)) {
                // Rotating tokens expire with a 200 answer, not a 401: refresh once, as VendorHttp does for 401s.
                context.credentials().refreshAccessToken(sent.get());
                continue;
            }
            throw failure(method, error, answer, oauth);
        }
    }

    private static ConnectorException failure(String method, String error, JsonNode answer, boolean oauth) {
        String message = "slack " + method + " failed: " + error;
        List<String> details = new ArrayList<>();
        answer.path("response_metadata").path("messages").forEach(m -> details.add(m.asText()));
        if (!details.isEmpty()) {
            message += " (" + String.join("; ", details) + ")";
        }
        if (AUTH_ERRORS.contains(error)) {
            return oauth && GRANT_GONE.contains(error) ? ConnectorException.grantExpired(message, 200) : ConnectorException.auth(message, 200);
        }
        return ConnectorException.upstream(message, 200);
    }

    private static boolean isOAuth(ConnectorContext context) {
        return context.credentials().get("auth_type")
                .map("oauth2"::equals)
                .orElseGet(() -> context.credentials().get("bot_token").isEmpty());
    }

    private static String errorCode(HttpResponse<String> response) {
        JsonNode body = VendorJson.parse(VENDOR, response.body());
        return VendorJson.text(body.path("error"));
    }
}
