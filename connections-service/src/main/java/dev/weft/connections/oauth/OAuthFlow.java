package dev.weft.connections.oauth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionDtos;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.ProviderCatalog;
import dev.weft.connections.connector.ProviderDefinition;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.UriBuilder;

import javax.sql.DataSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The authorization-code flow (seed 002): {@link #authorize} records a single-use {@code state}
 * bound to the org and principal that asked, with a PKCE verifier, and sends the user to the
 * provider; {@link #callback} accepts the state once, exchanges the code and stores the tokens
 * sealed on a new or the reconnected connection. A state that is unknown, expired, already used or
 * meant for another provider is refused; only its hash is stored, so the table cannot replay one.
 */
@ApplicationScoped
public class OAuthFlow {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private final OAuthClient oauth;
    private final ProviderCatalog catalog;
    private final ConnectionService connections;
    private final SecretCipher cipher;
    private final DataSource dataSource;
    private final ConnectionsConfig config;

    public OAuthFlow(OAuthClient oauth, ProviderCatalog catalog, ConnectionService connections, SecretCipher cipher, DataSource dataSource,
                     ConnectionsConfig config) {
        this.oauth = oauth;
        this.catalog = catalog;
        this.connections = connections;
        this.cipher = cipher;
        this.dataSource = dataSource;
        this.config = config;
    }

    public record ProviderStatus(String provider, String name, boolean configured, List<String> scopes, boolean pkce, String callbackUrl) {
    }

    public record Authorization(String authorizationUrl, String state, Instant expiresAt) {
    }

    public record Completed(ConnectionDtos.ConnectionView connection, String returnTo) {
    }

    public record Disconnected(List<String> disconnected, boolean revokedAtProvider) {
    }

    public List<ProviderStatus> providers() {
        List<ProviderStatus> providers = new ArrayList<>();
        for (ProviderDefinition definition : catalog.all()) {
            oauth.endpoints(definition.id()).ifPresent(endpoints -> providers.add(new ProviderStatus(definition.id(), definition.name(),
                    endpoints.configured(), endpoints.scopes(), endpoints.pkce(), callbackUrl(definition.id()))));
        }
        return providers;
    }

    public Authorization authorize(String provider, String name, String connectionId, String returnTo, RequestPrincipal principal) {
        OAuthClient.Endpoints endpoints = oauth.require(provider);
        UUID reconnect = null;
        if (connectionId != null && !connectionId.isBlank()) {
            Connection existing = connections.require(connectionId);
            if (!existing.provider.equals(provider)) {
                throw ApiException.invalid("connection_id", "same_provider", "connection " + connectionId + " is not a " + provider + " connection");
            }
            reconnect = existing.id;
        }
        if (returnTo != null && !returnTo.isBlank()) {
            URI uri = URI.create(returnTo);
            if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http")) || uri.getHost() == null) {
                throw ApiException.invalid("return_to", "url", "return_to must be an absolute http(s) URL");
            }
        }
        String state = random(32);
        String verifier = random(48);
        Instant expiresAt = Instant.now().plus(config.oauth().stateTtl());
        String redirectUri = callbackUrl(provider);
        insertState(hash(state), principal, provider, reconnect, name, redirectUri, returnTo, cipher.encrypt(verifier, "oauth_state:" + hash(state)), expiresAt);

        UriBuilder url = UriBuilder.fromUri(endpoints.authorizeUrl())
                .queryParam("response_type", "code")
                .queryParam("client_id", endpoints.clientId().orElseThrow())
                .queryParam("redirect_uri", redirectUri)
                .queryParam("state", state);
        if (!endpoints.scopes().isEmpty()) {
            url.queryParam("scope", String.join(endpoints.scopeSeparator(), endpoints.scopes()));
        }
        if (endpoints.pkce()) {
            url.queryParam("code_challenge", URL_SAFE.encodeToString(sha256(verifier))).queryParam("code_challenge_method", "S256");
        }
        endpoints.extraAuthorizeParams().forEach(url::queryParam);
        Log.infof("event=oauth_authorize_started org_id=%s provider=%s principal=%s reconnect=%s", principal.orgId(), provider,
                principal.credentialId(), reconnect != null);
        return new Authorization(url.build().toString(), state, expiresAt);
    }

    /** Handles the provider's redirect. Runs without a caller: the state says which org and principal asked. */
    public Completed callback(String provider, String code, String state, String error, String errorDescription) {
        if (state == null || state.isBlank()) {
            throw ApiException.invalid("state", "required", "the callback carries no state");
        }
        StoredState stored = consumeState(hash(state)).orElseThrow(() ->
                ApiException.invalid("state", "valid_state", "state is unknown, expired or already used; start the authorization again"));
        if (!stored.provider().equals(provider)) {
            throw ApiException.invalid("state", "valid_state", "state was issued for another provider");
        }
        if (error != null && !error.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, provider + " did not authorize: " + error
                    + (errorDescription == null ? "" : " (" + errorDescription + ")"), java.util.Map.of("field", "error", "constraint", "authorized"));
        }
        if (code == null || code.isBlank()) {
            throw ApiException.invalid("code", "required", "the callback carries no code");
        }
        String verifier = cipher.decrypt(stored.encryptedVerifier(), "oauth_state:" + hash(state));
        OAuthClient.Tokens tokens = oauth.exchangeCode(provider, code, verifier, stored.redirectUri());
        // The caller who started the flow is not present any more: act for them, under their credential id.
        RequestPrincipal principal = SystemPrincipal.of(stored.orgId(), stored.principalId());
        ConnectionDtos.ConnectionView[] saved = new ConnectionDtos.ConnectionView[1];
        TenantContext.runAs(principal, () -> saved[0] = QuarkusTransaction.requiringNew().call(() -> {
            Connection existing = stored.connectionId() == null ? null : Connection.findById(stored.connectionId());
            ObjectNode credentials = existing == null ? JsonNodeFactory.instance.objectNode() : connections.openCredentials(existing);
            ProviderDefinition.AuthType authType = authorizationCodeType(provider);
            if (catalog.find(provider).map(ProviderDefinition::credentialsDiscriminator).orElse(null) instanceof String discriminator
                    && authType.discriminatorValue() != null) {
                credentials.put(discriminator, authType.discriminatorValue());
            }
            oauth.apply(credentials, tokens, catalog.declaredCredentialFields(provider, authType.type()));
            String name = stored.name() != null && !stored.name().isBlank() ? stored.name() : catalog.find(provider).orElseThrow().name();
            Connection connection = connections.saveAuthorized(existing, provider, name, authType.type(), credentials,
                    tokens.expiresAt().orElse(null), stored.principalId());
            return connections.view(connection);
        }));
        ConnectionDtos.ConnectionView view = saved[0];
        Log.infof("event=oauth_connected org_id=%s provider=%s connection_id=%s refresh_token=%s", stored.orgId(), provider, view.id(),
                tokens.refreshToken().isPresent());
        return new Completed(view, stored.returnTo());
    }

    /** Disconnects the org's OAuth connections of a provider (or one of them), revoking their grant at the provider when it can. */
    public Disconnected disconnect(String provider, String connectionId) {
        oauth.require(provider);
        List<Connection> targets = connectionId != null && !connectionId.isBlank()
                ? List.of(connections.require(connectionId))
                : Connection.<Connection>list("provider = ?1 and authType = 'oauth2_authorization_code'", provider);
        boolean revoked = !targets.isEmpty();
        List<String> ids = new ArrayList<>();
        for (Connection connection : targets) {
            if (!connection.provider.equals(provider)) {
                throw ApiException.invalid("connection_id", "same_provider", "connection is not a " + provider + " connection");
            }
            ObjectNode credentials = connections.openCredentials(connection);
            String token = credentials.path("refresh_token").asText(credentials.path("access_token").asText(null));
            String hint = credentials.hasNonNull("refresh_token") ? "refresh_token" : "access_token";
            try {
                revoked &= token != null && oauth.revoke(provider, token, hint);
            } catch (ConnectorException e) {
                revoked = false;
                Log.warnf("event=oauth_revoke_failed org_id=%s connection_id=%s message=\"%s\"", connection.orgId, connection.connectionId(), e.getMessage());
            }
            connections.delete(connection.connectionId());
            ids.add(connection.connectionId());
        }
        return new Disconnected(ids, revoked);
    }

    /** Forgets states a day after they expired; used ones are kept as long, to tell a replay from a typo in logs. */
    @io.quarkus.scheduler.Scheduled(every = "1h", delayed = "1m")
    void forgetOldStates() {
        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement delete = db.prepareStatement("DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'")) {
            delete.executeUpdate();
        } catch (SQLException e) {
            Log.warnf("event=oauth_state_cleanup_failed message=\"%s\"", e.getMessage());
        }
    }

    private ProviderDefinition.AuthType authorizationCodeType(String provider) {
        return catalog.find(provider).orElseThrow().authTypes().stream().filter(a -> a.type().equals("oauth2_authorization_code")).findFirst()
                .orElseThrow(() -> new ApiException(ErrorCode.INVALID_REQUEST, provider + " has no authorization-code flow"));
    }

    private String callbackUrl(String provider) {
        return config.oauth().callbackBaseUrl().replaceAll("/+$", "") + "/v1/integrations/oauth/" + provider + "/callback";
    }

    private record StoredState(String orgId, String principalId, String provider, UUID connectionId, String name, String redirectUri,
                               String returnTo, String encryptedVerifier) {
    }

    private void insertState(String stateHash, RequestPrincipal principal, String provider, UUID connectionId, String name, String redirectUri,
                             String returnTo, String encryptedVerifier, Instant expiresAt) {
        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement insert = db.prepareStatement("""
                     INSERT INTO oauth_states (state_hash, org_id, principal_id, provider, connection_id, name, redirect_uri, return_to, code_verifier, expires_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, stateHash);
            insert.setString(2, principal.orgId());
            insert.setString(3, principal.credentialId());
            insert.setString(4, provider);
            insert.setObject(5, connectionId);
            insert.setString(6, name);
            insert.setString(7, redirectUri);
            insert.setString(8, returnTo);
            insert.setString(9, encryptedVerifier);
            insert.setTimestamp(10, Timestamp.from(expiresAt));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the OAuth state", e);
        }
    }

    /** Marks the state used and returns it, atomically: of two callbacks with one state, one wins. */
    private Optional<StoredState> consumeState(String stateHash) {
        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement consume = db.prepareStatement("""
                     UPDATE oauth_states SET used_at = now()
                     WHERE state_hash = ? AND used_at IS NULL AND expires_at > now()
                     RETURNING org_id, principal_id, provider, connection_id, name, redirect_uri, return_to, code_verifier""")) {
            consume.setString(1, stateHash);
            try (ResultSet row = consume.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredState(row.getString(1), row.getString(2), row.getString(3), row.getObject(4, UUID.class),
                        row.getString(5), row.getString(6), row.getString(7), row.getString(8)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the OAuth state", e);
        }
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return URL_SAFE.encodeToString(value);
    }

    private static String hash(String state) {
        return HexFormat.of().formatHex(sha256(state));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
