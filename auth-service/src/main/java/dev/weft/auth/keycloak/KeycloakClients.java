package dev.weft.auth.keycloak;

import dev.weft.auth.AuthConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.ClientsResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Keycloak mode: mirrors each Weft OAuth client as a confidential, service-account-only client of
 * the configured realm, with the same client id and secret, so Keycloak can issue tokens that every
 * Weft service accepts (it trusts the realm as an issuer). Callers invoke it last inside the Weft
 * transaction, so a Keycloak failure, reported as 502 UPSTREAM_ERROR, rolls the Weft change back.
 * Without {@code weft.auth.keycloak.*} every method does nothing.
 */
@ApplicationScoped
public class KeycloakClients {
    /** Claim carrying the Weft scopes: Keycloak fills {@code scope} itself from its client scopes. */
    public static final String SCOPE_CLAIM = "weft_scope";
    public static final String AUDIENCE = "weft";

    private final AuthConfig.Keycloak config;
    private volatile Keycloak admin;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public KeycloakClients(AuthConfig config) {
        this.config = config.keycloak();
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Creates the realm client; a conflict (a leftover of an earlier attempt) is an upstream error, not overwritten. */
    public void provision(String orgId, String plan, String clientId, String secret, Set<String> scopes) {
        if (!enabled()) {
            return;
        }
        ClientRepresentation client = representation(orgId, plan, clientId, secret, scopes);
        call("create", clientId, () -> create(client));
        Log.infof("event=keycloak_client_provisioned org_id=%s client_id=%s realm=%s", orgId, clientId, config.realm().orElseThrow());
    }

    /**
     * Sets the new secret; a client missing from the realm (made before Keycloak mode was turned on)
     * is created, so rotating is also how an old client joins the realm.
     */
    public void updateSecret(String orgId, String plan, String clientId, String secret, Set<String> scopes) {
        if (!enabled()) {
            return;
        }
        call("rotate", clientId, () -> {
            Optional<ClientRepresentation> existing = find(clientId);
            if (existing.isEmpty()) {
                return create(representation(orgId, plan, clientId, secret, scopes));
            }
            existing.get().setSecret(secret);
            clients().get(existing.get().getId()).update(existing.get());
            return null;
        });
        Log.infof("event=keycloak_client_secret_updated org_id=%s client_id=%s", orgId, clientId);
    }

    private Void create(ClientRepresentation client) {
        try (Response response = clients().create(client)) {
            if (response.getStatus() != 201) {
                throw new UpstreamStatus(response.getStatus());
            }
        }
        return null;
    }

    private static ClientRepresentation representation(String orgId, String plan, String clientId, String secret, Set<String> scopes) {
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(clientId);
        client.setName(clientId);
        client.setDescription("Weft OAuth client of " + orgId);
        client.setProtocol("openid-connect");
        client.setEnabled(true);
        client.setPublicClient(false);
        client.setClientAuthenticatorType("client-secret");
        client.setSecret(secret);
        // Machine clients only: the client-credentials grant, nothing interactive.
        client.setServiceAccountsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        // The claims Weft's own tokens carry, so services treat both alike (plan: rate limits without a lookup).
        List<ProtocolMapperRepresentation> mappers = new ArrayList<>(List.of(
                hardcoded("weft-org", "org", orgId),
                hardcoded("weft-scope", SCOPE_CLAIM, String.join(" ", scopes)),
                audience()));
        if (plan != null) {
            mappers.add(hardcoded("weft-plan", "plan", plan));
        }
        client.setProtocolMappers(mappers);
        return client;
    }

    /** Idempotent: a client already missing from the realm is fine. */
    public void remove(String clientId) {
        if (!enabled()) {
            return;
        }
        call("delete", clientId, () -> {
            find(clientId).ifPresent(existing -> clients().get(existing.getId()).remove());
            return null;
        });
        Log.infof("event=keycloak_client_removed client_id=%s", clientId);
    }

    private Optional<ClientRepresentation> find(String clientId) {
        return clients().findByClientId(clientId).stream().filter(c -> clientId.equals(c.getClientId())).findFirst();
    }

    /**
     * Runs a Keycloak call on a thread of its own, outside the caller's JTA transaction: the Quarkus
     * REST client propagates the transaction to its event-loop thread, and a rollback then fails
     * ("Enlisted connection used without active transaction") and may leave the Weft row committed.
     */
    private <T> T call(String operation, String clientId, Supplier<T> action) {
        Future<T> result = calls.submit(action::get);
        Throwable failure;
        try {
            return result.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (TimeoutException e) {
            result.cancel(true);
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        }
        // Never the exception message: it may echo the request, which carries the secret.
        Log.warnf("event=keycloak_call_failed operation=%s client_id=%s error=%s", operation, clientId,
                failure instanceof UpstreamStatus status ? "status_" + status.status : failure.getClass().getSimpleName());
        throw new ApiException(ErrorCode.UPSTREAM_ERROR, "The identity provider (Keycloak) could not be updated; nothing was changed",
                Map.of("provider", "keycloak", "operation", operation));
    }

    private ClientsResource clients() {
        return admin().realm(config.realm().orElseThrow()).clients();
    }

    /** Built on first use, not at startup, so auth-service starts even while Keycloak is down. */
    private Keycloak admin() {
        Keycloak current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = KeycloakBuilder.builder()
                            .serverUrl(config.url().orElseThrow())
                            .realm(config.adminRealm())
                            .clientId(config.adminClientId())
                            .username(config.adminUsername().orElseThrow())
                            .password(config.adminPassword().orElseThrow())
                            .grantType("password")
                            .build();
                }
                current = admin;
            }
        }
        return current;
    }

    @PreDestroy
    void close() {
        calls.shutdownNow();
        if (admin != null) {
            admin.close();
        }
    }

    private static ProtocolMapperRepresentation hardcoded(String name, String claim, String value) {
        return mapper(name, "oidc-hardcoded-claim-mapper", Map.of(
                "claim.name", claim, "claim.value", value, "jsonType.label", "String",
                "access.token.claim", "true", "id.token.claim", "false", "introspection.token.claim", "true",
                "userinfo.token.claim", "false"));
    }

    private static ProtocolMapperRepresentation audience() {
        return mapper("weft-audience", "oidc-audience-mapper", Map.of(
                "included.custom.audience", AUDIENCE, "access.token.claim", "true", "id.token.claim", "false",
                "introspection.token.claim", "true"));
    }

    private static ProtocolMapperRepresentation mapper(String name, String type, Map<String, String> config) {
        ProtocolMapperRepresentation mapper = new ProtocolMapperRepresentation();
        mapper.setName(name);
        mapper.setProtocol("openid-connect");
        mapper.setProtocolMapper(type);
        mapper.setConfig(config);
        return mapper;
    }

    /** Keycloak answered, but not with success. */
    private static final class UpstreamStatus extends RuntimeException {
        final int status;

        UpstreamStatus(int status) {
            super("status " + status, null, false, false);
            this.status = status;
        }
    }
}
