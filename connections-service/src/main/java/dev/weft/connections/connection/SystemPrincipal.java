package dev.weft.connections.connection;

import dev.weft.platform.tenancy.RequestPrincipal;

import java.util.Set;

/** The principal background work (health checks, token refresh) runs as, inside one org. */
public final class SystemPrincipal {
    private SystemPrincipal() {
    }

    public static RequestPrincipal of(String orgId) {
        return new RequestPrincipal(orgId, Set.of(RequestPrincipal.ADMIN_SCOPE), "system:connections-service", RequestPrincipal.CredentialType.OPERATOR);
    }
}
