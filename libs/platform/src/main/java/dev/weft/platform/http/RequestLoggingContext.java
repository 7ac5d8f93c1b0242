package dev.weft.platform.http;

import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.MDC;

/** Puts the request id into every log line of the request (org id is added on authentication). */
@Provider
@PreMatching
@Priority(1)
public class RequestLoggingContext implements ContainerRequestFilter, ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request) {
        MDC.put("requestId", request.getHeaderString(RequestIds.HEADER));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MDC.remove("requestId");
        MDC.remove("orgId");
    }
}
