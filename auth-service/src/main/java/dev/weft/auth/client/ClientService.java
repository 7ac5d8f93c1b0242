package dev.weft.auth.client;

import dev.weft.auth.credential.LocalRevocations;
import dev.weft.auth.keycloak.KeycloakClients;
import dev.weft.auth.org.Organization;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OAuth clients of the current org (every query is tenant-scoped by Hibernate). Each change
 * writes its credential event to the outbox in the same transaction. In Keycloak mode the realm
 * client is changed last, inside that transaction, so a Keycloak failure (502) rolls the Weft change
 * back and leaves nothing half-created.
 */
@ApplicationScoped
public class ClientService {
    public static final String SECRET_PREFIX = "wcs_";
    public static final String CREDENTIAL_TYPE = dev.weft.platform.auth.RevocationListener.OAUTH_CLIENT;

    private final Outbox outbox;
    private final CursorCodec cursors;
    private final KeycloakClients keycloak;
    private final LocalRevocations revocations;

    public ClientService(Outbox outbox, CursorCodec cursors, KeycloakClients keycloak, LocalRevocations revocations) {
        this.outbox = outbox;
        this.cursors = cursors;
        this.keycloak = keycloak;
        this.revocations = revocations;
    }

    @Transactional
    public ClientDtos.ClientView create(ClientDtos.CreateClient request, RequestPrincipal creator) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : request.scopes()) {
            if (!Scopes.wellFormed(scope)) {
                throw ApiException.invalid("scopes", "scope_syntax", "scope " + printable(scope) + " is not a known scope form (resource:action, admin or introspect)");
            }
            scopes.add(scope);
        }
        Scopes.notGrantableBy(creator, scopes).ifPresent(scope -> {
            throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "You cannot grant the scope " + scope + " because you do not hold it",
                    Map.of("field", "scopes", "constraint", "grantable", "scope", scope));
        });
        String secret = ClientSecrets.generate(SECRET_PREFIX);
        OAuthClient client = new OAuthClient();
        client.name = request.name().trim();
        client.scopes = Scopes.format(scopes);
        client.secretHash = ClientSecrets.hash(secret);
        client.createdBy = creator.credentialId();
        client.persist();
        publish("credential.created", client, "created");
        // Flush first so a database error surfaces before Keycloak holds a client the rollback cannot undo.
        OAuthClient.flush();
        if (keycloak.enabled()) {
            String orgId = TenantContext.requireOrgId();
            keycloak.provision(orgId, planOf(orgId), client.clientId(), secret, scopes);
        }
        Log.infof("event=client_created org_id=%s client_id=%s scopes=\"%s\" created_by=%s",
                TenantContext.requireOrgId(), client.clientId(), client.scopes, creator.credentialId());
        return ClientDtos.ClientView.of(client, secret);
    }

    public Page<ClientDtos.ClientView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(OAuthClient.class).page(page, c -> ClientDtos.ClientView.of(c, null), cursors);
    }

    public ClientDtos.ClientView get(String clientId) {
        return ClientDtos.ClientView.of(require(clientId), null);
    }

    /** The old secret stops working at commit; refresh tokens stay valid but need the new secret to be used. */
    @Transactional
    public ClientDtos.ClientView rotateSecret(String clientId) {
        OAuthClient client = require(clientId);
        String secret = ClientSecrets.generate(SECRET_PREFIX);
        client.secretHash = ClientSecrets.hash(secret);
        client.secretRotatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        publish("credential.revoked", client, "secret_rotated");
        publish("credential.created", client, "secret_rotated");
        OAuthClient.flush();
        if (keycloak.enabled()) {
            keycloak.updateSecret(client.orgId, planOf(client.orgId), client.clientId(), secret, client.scopeSet());
        }
        Log.infof("event=client_secret_rotated org_id=%s client_id=%s", client.orgId, client.clientId());
        return ClientDtos.ClientView.of(client, secret);
    }

    /** Deleting a client deletes its refresh tokens (ON DELETE CASCADE); its access tokens stop introspecting as active. */
    @Transactional
    public void delete(String clientId) {
        OAuthClient client = require(clientId);
        publish("credential.revoked", client, "deleted");
        revocations.afterCommit(CREDENTIAL_TYPE, client.clientId(), null, "deleted");
        client.delete();
        OAuthClient.flush();
        keycloak.remove(client.clientId());
        Log.infof("event=client_deleted org_id=%s client_id=%s", client.orgId, client.clientId());
    }

    /** Plans never change once an org exists, so the plan can be fixed in the Keycloak client's claims. */
    private static String planOf(String orgId) {
        return TypeId.parse(Organization.ID_PREFIX, orgId)
                .map(id -> Organization.<Organization>findById(id))
                .map(org -> org.plan.wireName())
                .orElse(null);
    }

    private OAuthClient require(String clientId) {
        var id = Ids.require(OAuthClient.ID_PREFIX, clientId, "client");
        // An HQL query rather than findById: Hibernate adds the tenant condition to it, so another org's client is simply absent.
        OAuthClient client = OAuthClient.<OAuthClient>find("id", id).firstResult();
        if (client == null) {
            throw ApiException.notFound("client");
        }
        return client;
    }

    private void publish(String type, OAuthClient client, String reason) {
        var data = new ClientDtos.CredentialEvent(client.clientId(), CREDENTIAL_TYPE, client.clientId(), client.name,
                List.copyOf(client.scopeSet()), reason);
        outbox.publish(DomainEvent.of(Topics.AUTH, type, client.clientId(), data));
    }

    private static String printable(String scope) {
        String cut = scope.length() > 64 ? scope.substring(0, 64) + "..." : scope;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    /** Runs {@link #create} for another org: the operator bootstrapping an org's first admin client. */
    public ClientDtos.ClientView createAsOperatorFor(String orgId, ClientDtos.CreateClient request) {
        RequestPrincipal asOrgAdmin = SystemPrincipal.of(orgId, "operator");
        try {
            return TenantContext.callAs(asOrgAdmin, () -> create(request, asOrgAdmin));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
