package dev.weft.platform.auth;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.http.BodyLimit;
import dev.weft.platform.tenancy.AllowsClientAuthentication;
import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.PublicEndpoint;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.RequiresScope;
import dev.weft.platform.http.BodyLimit;
import dev.weft.platform.http.PathAliases;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.MDC;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every JAX-RS resource is authenticated unless marked {@link PublicEndpoint}: the verifiers turn
 * the request's credential into a {@link RequestPrincipal}, and {@link RequiresScope} is checked. An
 * endpoint marked {@link AllowsClientAuthentication} lets requests without a credential or with HTTP
 * Basic through to the resource, which authenticates the OAuth client itself.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AuthenticationFilter implements ContainerRequestFilter {
    /** Where service-to-service endpoints live; the router and the ingress never expose it. */
    public static final String INTERNAL_PREFIX = "/internal/";

    @Context
    ResourceInfo resourceInfo;

    @Inject
    Instance<CredentialVerifier> verifiers;

    @Inject
    CurrentPrincipal currentPrincipal;

    @Inject
    CurrentVertxRequest vertxRequest;

    // Looked up at the first request: Quarkus REST creates filters at static init, before runtime config exists.
    @Inject
    Instance<PlatformConfig> platformConfig;
    /** The body limit, read once: each lookup of the config mapping (a dependent bean) built it anew. */
    private volatile long maxBodySize = -1;

    @Override
    public void filter(ContainerRequestContext request) {
        if (annotation(PublicEndpoint.class) != null) {
            return;
        }
        java.util.List<String> authorizations = request.getHeaders().get("Authorization");
        java.util.List<String> apiKeys = request.getHeaders().get(ApiKeyVerifier.HEADER);
        int presented = (authorizations == null ? 0 : authorizations.size()) + (apiKeys == null ? 0 : apiKeys.size());
        if (annotation(AllowsClientAuthentication.class) != null
                && (presented == 0 || presented == 1 && authorizations != null && isBasic(authorizations.get(0)))) {
            return;
        }
        // Exactly one credential: two of them (repeated headers, or Authorization plus X-API-Key) are ambiguous.
        if (presented > 1) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Send exactly one credential (one Authorization or X-API-Key header)");
        }
        String authorization = request.getHeaderString("Authorization");
        String apiKey = request.getHeaderString(ApiKeyVerifier.HEADER);
        if ((authorization == null || authorization.isBlank()) && (apiKey == null || apiKey.isBlank())) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Missing Authorization header");
        }
        IncomingRequest incoming = new IncomingRequest(request.getMethod(), () -> pathAndQuery(request),
                request::getHeaderString, bodyOnce(request, BodyLimit.of(request, maxBodySize())), internalEndpoint(request));
        RequestPrincipal principal = null;
        for (CredentialVerifier verifier : verifiers) {
            Optional<RequestPrincipal> verified = verifier.verify(incoming);
            if (verified.isPresent()) {
                principal = verified.get();
                break;
            }
        }
        if (principal == null) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Unsupported or malformed Authorization header");
        }
        currentPrincipal.set(principal);
        MDC.put("orgId", principal.orgId());
        RequiresScope required = annotation(RequiresScope.class);
        if (required != null && !principal.hasScope(required.value())) {
            throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "This operation needs the scope " + required.value(),
                    Map.of("required_scope", required.value()));
        }
    }

    private long maxBodySize() {
        long limit = maxBodySize;
        if (limit < 0) {
            limit = platformConfig.get().http().maxBodySize();
            maxBodySize = limit;
        }
        return limit;
    }

    /** No platform credential uses HTTP Basic, so on such an endpoint it can only be client authentication. */
    private static boolean isBasic(String authorization) {
        String value = authorization == null ? "" : authorization.trim();
        return value.regionMatches(true, 0, "Basic", 0, 5) && (value.length() == 5 || value.charAt(5) == ' ');
    }

    /**
     * Whether the request reached a service-to-service resource: both the matched resource's own {@code @Path} and the
     * path as sent must be under {@code /internal/}, so no spelling of a public path counts as internal.
     */
    private boolean internalEndpoint(ContainerRequestContext request) {
        Class<?> resource = resourceInfo.getResourceClass();
        jakarta.ws.rs.Path path = resource == null ? null : resource.getAnnotation(jakarta.ws.rs.Path.class);
        String declared = path == null ? "" : (path.value().startsWith("/") ? path.value() : "/" + path.value());
        if (!declared.startsWith(INTERNAL_PREFIX)) {
            return false; // most resources: no need to build the request URI
        }
        String sent = request.getUriInfo().getRequestUri().getRawPath();
        return sent != null && sent.startsWith(INTERNAL_PREFIX) && !sent.contains("..");
    }

    private <A extends java.lang.annotation.Annotation> A annotation(Class<A> type) {
        A onMethod = find(resourceInfo.getResourceMethod(), type);
        return onMethod != null ? onMethod : find(resourceInfo.getResourceClass(), type);
    }

    private static <A extends java.lang.annotation.Annotation> A find(AnnotatedElement element, Class<A> type) {
        return element == null ? null : element.getAnnotation(type);
    }

    /** As the client sent it: a path alias rerouted inside the service is still verified as signed. */
    private String pathAndQuery(ContainerRequestContext request) {
        String sent = PathAliases.sentUri(vertxRequest.getCurrent());
        if (sent != null) {
            return sent;
        }
        String rawPath = request.getUriInfo().getRequestUri().getRawPath();
        String rawQuery = request.getUriInfo().getRequestUri().getRawQuery();
        return rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
    }

    /** Reads the body only if a verifier needs it (signed requests), and puts it back for the resource. */
    private static Supplier<byte[]> bodyOnce(ContainerRequestContext request, long limit) {
        return new Supplier<>() {
            private byte[] body;

            @Override
            public synchronized byte[] get() {
                if (body == null) {
                    try {
                        // Read here, not by a reader: BodyLimit's interceptor does not see it.
                        body = request.hasEntity() ? BodyLimit.readAll(request.getEntityStream(), limit) : new byte[0];
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    request.setEntityStream(new ByteArrayInputStream(body));
                }
                return body;
            }
        };
    }
}
