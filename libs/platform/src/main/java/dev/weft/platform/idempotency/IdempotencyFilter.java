package dev.weft.platform.idempotency;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * {@code Idempotency-Key} on POST: the first request with a key runs and its response is kept
 * (24 h by default); a retry with the same key and body gets that response again, marked
 * {@code Idempotent-Replayed: true}; the same key with another body, or while the first is still
 * running, is a 409. Server errors are not kept, so a retry after a 5xx runs again. Responses are
 * stored encrypted (they may carry a secret shown once); without a keyring the header is ignored.
 */
@Provider
@Priority(Priorities.AUTHORIZATION + 100)
public class IdempotencyFilter implements ContainerRequestFilter, ContainerResponseFilter {
    public static final String HEADER = "Idempotency-Key";
    private static final String CLAIM = "weft.idempotency.claim";
    private static final int MAX_KEY_LENGTH = 255;

    private final IdempotencyStore store;
    private final ObjectMapper json;

    private record Claim(String orgId, String key) {
    }

    public IdempotencyFilter(IdempotencyStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        String key = request.getHeaderString(HEADER);
        if (key == null || !"POST".equals(request.getMethod()) || !store.canStore()) {
            return;
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw ApiException.invalid("Idempotency-Key", "length", "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
        byte[] body = request.hasEntity() ? request.getEntityStream().readAllBytes() : new byte[0];
        request.setEntityStream(new ByteArrayInputStream(body));
        String orgId = TenantContext.current().map(RequestPrincipal::orgId).orElse("");
        String hash = hash(request.getUriInfo().getRequestUri().getRawPath(), body);
        Optional<IdempotencyStore.Stored> earlier = store.claim(orgId, key, hash);
        if (earlier.isEmpty()) {
            request.setProperty(CLAIM, new Claim(orgId, key));
            return;
        }
        IdempotencyStore.Stored stored = earlier.get();
        if (!stored.requestHash().equals(hash)) {
            throw new ApiException(ErrorCode.CONFLICT, "This Idempotency-Key was used with a different request",
                    Map.of("field", HEADER, "constraint", "same_request"));
        }
        if (!stored.completed()) {
            throw new ApiException(ErrorCode.CONFLICT, "A request with this Idempotency-Key is still in progress; retry later",
                    Map.of("field", HEADER, "constraint", "in_progress"));
        }
        request.abortWith(Response.status(stored.status())
                .entity(stored.body())
                .type(stored.contentType() == null ? MediaType.APPLICATION_JSON : stored.contentType())
                .header("Idempotent-Replayed", "true")
                .build());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) throws IOException {
        if (!(request.getProperty(CLAIM) instanceof Claim claim)) {
            return;
        }
        if (response.getStatus() >= 500) {
            store.release(claim.orgId(), claim.key());
            return;
        }
        Object entity = response.getEntity();
        String body = entity == null ? null : entity instanceof String text ? text : json.writeValueAsString(entity);
        MediaType type = response.getMediaType();
        store.complete(claim.orgId(), claim.key(), response.getStatus(), body, type == null ? null : type.toString());
    }

    private static String hash(String path, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(path.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(body);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
