package dev.weft.platform.tenancy;

import dev.weft.platform.config.PlatformConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The principal that background work (event handlers, due work, schedules, deliveries) runs as
 * inside one org: every scope, credential {@code system:<service>}. Work done on behalf of a
 * caller who is not present any more (an OAuth flow finishing in a browser redirect) keeps that
 * caller's credential id instead, so what it creates still names who started it.
 */
@ApplicationScoped
public class SystemPrincipal {
    private final String credentialId;

    public SystemPrincipal(PlatformConfig config) {
        this.credentialId = "system:" + config.serviceName();
    }

    /** This service acting inside {@code orgId}. */
    public RequestPrincipal forOrg(String orgId) {
        return of(orgId, credentialId);
    }

    /** Runs {@code work} as this service inside {@code orgId}. */
    public void runAs(String orgId, Runnable work) {
        TenantContext.runAs(forOrg(orgId), work);
    }

    public <T> T callAs(String orgId, Callable<T> work) throws Exception {
        return TenantContext.callAs(forOrg(orgId), work);
    }

    /** Acting inside {@code orgId} with every scope, recorded as {@code credentialId}. */
    public static RequestPrincipal of(String orgId, String credentialId) {
        return new RequestPrincipal(orgId, Set.of(RequestPrincipal.ADMIN_SCOPE), credentialId, RequestPrincipal.CredentialType.OPERATOR);
    }
}
