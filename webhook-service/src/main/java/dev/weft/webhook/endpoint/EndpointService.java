package dev.weft.webhook.endpoint;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.http.outbound.CustomHeaders;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.webhook.WebhooksConfig;
import dev.weft.webhook.eventtype.EventTypeCatalog;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Webhook endpoints of the current org. The signing secret is shown once (at creation and at each
 * rotation) and stored encrypted; during a rotation's overlap both secrets sign every delivery.
 */
@ApplicationScoped
public class EndpointService {
    public static final String ACTIVE = "active";
    public static final String PAUSED = "paused";
    public static final String DISABLED = "disabled";

    private final EventTypeCatalog catalog;
    private final SecretCipher cipher;
    private final CursorCodec cursors;
    private final ObjectMapper json;
    private final WebhooksConfig config;
    private final EndpointUrls urls;

    public EndpointService(EventTypeCatalog catalog, SecretCipher cipher, CursorCodec cursors, ObjectMapper json, WebhooksConfig config,
                           EndpointUrls urls) {
        this.catalog = catalog;
        this.cipher = cipher;
        this.cursors = cursors;
        this.json = json;
        this.config = config;
        this.urls = urls;
    }

    @Transactional
    public EndpointDtos.EndpointView create(EndpointDtos.CreateEndpoint request) {
        Endpoint endpoint = new Endpoint();
        endpoint.id = TypeId.uuidV7();
        endpoint.url = urls.check(request.url(), "url").toString();
        endpoint.events = String.join(",", catalog.validate(request.events()));
        endpoint.description = request.description();
        endpoint.status = Boolean.FALSE.equals(request.active()) ? PAUSED : ACTIVE;
        endpoint.rateLimit = request.rateLimit();
        endpoint.headers = headers(request.headers());
        endpoint.ordered = Boolean.TRUE.equals(request.ordered());
        String secret = request.secret() == null ? StandardWebhooks.generateSecret() : checkedSecret(request.secret());
        endpoint.secret = cipher.encrypt(secret, Endpoint.secretAad(endpoint.id));
        endpoint.persist();
        Log.infof("event=webhook_endpoint_created org_id=%s webhook_id=%s events=\"%s\"", TenantContext.requireOrgId(), endpoint.endpointId(),
                endpoint.events);
        return view(endpoint, secret);
    }

    public Page<EndpointDtos.EndpointView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Endpoint.class).page(page, e -> view(e, null), cursors);
    }

    public EndpointDtos.EndpointView get(String id) {
        return view(require(id), null);
    }

    @Transactional
    public EndpointDtos.EndpointView update(String id, EndpointDtos.UpdateEndpoint request) {
        Endpoint endpoint = require(id);
        if (request.url() != null) {
            endpoint.url = urls.check(request.url(), "url").toString();
        }
        if (request.events() != null) {
            endpoint.events = String.join(",", catalog.validate(request.events()));
        }
        if (request.description() != null) {
            endpoint.description = request.description();
        }
        if (request.rateLimit() != null) {
            endpoint.rateLimit = request.rateLimit() == 0 ? null : request.rateLimit();
        }
        if (request.headers() != null) {
            endpoint.headers = headers(request.headers());
        }
        if (request.ordered() != null) {
            endpoint.ordered = request.ordered();
        }
        if (request.active() != null) {
            setActive(endpoint, request.active());
        }
        endpoint.updatedAt = now();
        return view(endpoint, null);
    }

    @Transactional
    public EndpointDtos.EndpointView setActive(String id, boolean active) {
        Endpoint endpoint = require(id);
        setActive(endpoint, active);
        endpoint.updatedAt = now();
        return view(endpoint, null);
    }

    private static void setActive(Endpoint endpoint, boolean active) {
        endpoint.status = active ? ACTIVE : PAUSED;
        if (active) {
            // Resuming a disabled endpoint is the customer saying it is fixed: start the failure clock anew.
            endpoint.disabledReason = null;
            endpoint.failingSince = null;
        }
    }

    @Transactional
    public EndpointDtos.EndpointView rotateSecret(String id, EndpointDtos.RotateSecret request) {
        Endpoint endpoint = require(id);
        Duration overlap = request == null || request.overlapSeconds() == null ? config.rotationOverlap() : Duration.ofSeconds(request.overlapSeconds());
        String secret = StandardWebhooks.generateSecret();
        endpoint.previousSecret = overlap.isZero() ? null : endpoint.secret;
        endpoint.previousSecretExpiresAt = overlap.isZero() ? null : now().plus(overlap);
        endpoint.secret = cipher.encrypt(secret, Endpoint.secretAad(endpoint.id));
        endpoint.updatedAt = now();
        Log.infof("event=webhook_secret_rotated org_id=%s webhook_id=%s overlap_s=%d", endpoint.orgId, endpoint.endpointId(), overlap.toSeconds());
        return view(endpoint, secret);
    }

    @Transactional
    public void delete(String id) {
        Endpoint endpoint = require(id);
        endpoint.delete();
        Log.infof("event=webhook_endpoint_deleted org_id=%s webhook_id=%s", endpoint.orgId, endpoint.endpointId());
    }

    /** The endpoint of this id in the current org; another org's is a 404 like a missing one. */
    public Endpoint require(String id) {
        Endpoint endpoint = OrgScopedLookup.findById(Endpoint.class, Ids.require(Endpoint.ID_PREFIX, id, "webhook"));
        if (endpoint == null) {
            throw ApiException.notFound("webhook");
        }
        return endpoint;
    }

    private static String checkedSecret(String secret) {
        String trimmed = secret.trim();
        try {
            int bytes = java.util.Base64.getDecoder().decode(trimmed.startsWith(StandardWebhooks.SECRET_PREFIX)
                    ? trimmed.substring(StandardWebhooks.SECRET_PREFIX.length()) : "!").length;
            if (bytes >= 24 && bytes <= 64) {
                return trimmed;
            }
        } catch (IllegalArgumentException notBase64) {
            // Falls through to the same answer: never echo what was sent.
        }
        throw ApiException.invalid("secret", "whsec", "secret must be whsec_ followed by the base64 of 24 to 64 random bytes");
    }

    public EndpointDtos.EndpointView view(Endpoint e, String secret) {
        return new EndpointDtos.EndpointView(e.endpointId(), e.url, e.description, e.eventList(), e.status, ACTIVE.equals(e.status),
                e.disabledReason, e.rateLimit,
                readHeaders(e.headers), e.ordered, secret,
                e.previousSecretExpiresAt != null && e.previousSecretExpiresAt.isAfter(Instant.now()) ? e.previousSecretExpiresAt : null,
                e.createdAt, e.updatedAt);
    }

    private String headers(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        CustomHeaders.check(headers, "headers");
        try {
            return json.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> readHeaders(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return json.readValue(stored, new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
