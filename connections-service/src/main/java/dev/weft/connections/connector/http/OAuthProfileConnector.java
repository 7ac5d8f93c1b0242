package dev.weft.connections.connector.http;

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
import dev.weft.platform.filter.InMemoryFilter;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OAuth provider whose only object, for now, is the signed-in user's {@code profile}: check
 * fetches it with the connection's access token, query and read return it. Mail and calendar
 * objects come later, on the same token.
 */
public abstract class OAuthProfileConnector implements Connector {
    private static final String PROFILE = "profile";
    /** Read cursor of a one-record object: every run reads it again. */
    private static final String FULL_READ = "profile";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The API host the profile path is appended to; the operator's {@code base-url} setting replaces it. */
    protected abstract String defaultBaseUrl();

    protected abstract String profilePath();

    protected abstract List<FieldSchema> profileFields();

    protected abstract String idField();

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> profile(context));
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        return List.of(new ObjectSchema(PROFILE, "Profile", profileFields(), List.of(idField()), null, EnumSet.noneOf(WriteMode.class)));
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        requireProfile(query.object());
        if (query.cursor() != null) {
            throw ConnectorException.invalid("cursor", "format", "cursor is not one this connector returned");
        }
        Map<String, Object> profile = profile(context);
        List<Map<String, Object>> records = query.limit() > 0 && InMemoryFilter.of(query.filter()).test(profile)
                ? List.of(PagedScan.projection(query.fields()).apply(profile)) : List.of();
        return new RecordPage(records, null, false);
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        requireProfile(read.object());
        return new RecordPage(List.of(PagedScan.projection(read.fields()).apply(profile(context))), FULL_READ, false);
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        throw ConnectorException.invalid("object", "writable", provider() + " " + write.object() + " is read-only");
    }

    private void requireProfile(String object) {
        if (!PROFILE.equals(object)) {
            throw ConnectorException.invalid("object", "known_object", provider() + " has no object " + object + "; it has profile");
        }
    }

    /** The profile as the vendor gives it, restricted to the described fields. */
    private Map<String, Object> profile(ConnectorContext context) {
        URI uri = URI.create(context.setting("base-url").orElse(defaultBaseUrl()).replaceAll("/+$", "") + profilePath());
        HttpResponse<String> response = VendorHttp.send(provider(),
                token -> HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                        .header("Accept", "application/json").GET().build(),
                context.credentials(), VendorJson::errorMessage);
        com.fasterxml.jackson.databind.JsonNode body = VendorJson.parse(provider(), response.body());
        if (!body.isObject()) {
            throw ConnectorException.upstream(provider() + " answered " + profilePath() + " without a profile object", response.statusCode());
        }
        Map<String, Object> raw = VendorJson.record(body);
        Map<String, Object> profile = new LinkedHashMap<>();
        profileFields().forEach(field -> profile.put(field.name(), raw.get(field.name())));
        return profile;
    }
}
