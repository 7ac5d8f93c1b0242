package dev.weft.platform.ratelimit;

import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.error.ErrorResponses;
import dev.weft.platform.http.RequestIds;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/**
 * Charges every authenticated request to its organization's budget (right after authentication)
 * and puts {@code X-RateLimit-Limit/Remaining/Reset} on the response; over budget it answers 429
 * {@code RATE_LIMITED} with {@code Retry-After}. The operator credential is not limited. If the
 * shared store is unreachable the request passes (logged): an outage of Redis must not become
 * an outage of the API.
 */
@Provider
@Priority(Priorities.AUTHENTICATION + 10)
public class RateLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String DECISION = "weft.rate-limit.decision";

    // Only the (lazily created) limiter: JAX-RS providers are built at static init, before runtime config exists.
    private final RateLimiter limiter;

    public RateLimitFilter(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!limiter.enabled()) {
            return;
        }
        RequestPrincipal principal = TenantContext.current().orElse(null);
        if (principal == null || principal.credentialType() == RequestPrincipal.CredentialType.OPERATOR) {
            return;
        }
        RateLimitDecision decision;
        try {
            decision = limiter.consume(principal.orgId(), principal.plan());
        } catch (RuntimeException e) {
            Log.warnf("event=rate_limit_store_unavailable org_id=%s error=\"%s\"", principal.orgId(), e.getMessage());
            return;
        }
        request.setProperty(DECISION, decision);
        if (!decision.allowed()) {
            request.abortWith(ErrorResponses.build(request.getHeaderString(RequestIds.HEADER), ErrorCode.RATE_LIMITED,
                    "Rate limit exceeded; retry after " + decision.retryAfterSeconds() + " s", Map.of()));
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(DECISION) instanceof RateLimitDecision decision)) {
            return;
        }
        response.getHeaders().putSingle("X-RateLimit-Limit", decision.limit());
        response.getHeaders().putSingle("X-RateLimit-Remaining", decision.remaining());
        response.getHeaders().putSingle("X-RateLimit-Reset", decision.resetEpochSeconds());
        if (!decision.allowed()) {
            response.getHeaders().putSingle("Retry-After", decision.retryAfterSeconds());
        }
    }
}
