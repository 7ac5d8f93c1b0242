package dev.weft.auth.token;

import dev.weft.auth.client.ClientAuthenticator;
import dev.weft.auth.client.ClientAuthenticator.AuthenticatedClient;
import dev.weft.auth.client.OAuthClient;
import dev.weft.auth.client.Scopes;
import dev.weft.auth.credential.LocalCredentialIntrospector;
import dev.weft.auth.credential.LocalRevocations;
import dev.weft.auth.signingkey.RequestSigningKey;
import dev.weft.platform.auth.ApiKeyVerifier;
import dev.weft.platform.auth.CredentialGrant;
import dev.weft.platform.auth.JwtVerifier;
import dev.weft.platform.auth.RevocationListener;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.auth.operator.OperatorVerifier;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The OAuth endpoints' logic: the client-credentials and refresh-token grants (RFC 6749),
 * revocation (RFC 7009) and introspection (RFC 7662). Work for a client runs in the tenant
 * context of the client's org, so events land in that org.
 */
@ApplicationScoped
public class TokenService {
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    public static final String REFRESH_TOKEN = "refresh_token";

    private final ClientAuthenticator clients;
    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final RevokedAccessTokens revokedAccessTokens;
    private final LocalCredentialIntrospector credentials;
    private final Outbox outbox;
    private final LocalRevocations revocations;

    public TokenService(ClientAuthenticator clients, AccessTokens accessTokens, RefreshTokens refreshTokens,
                        RevokedAccessTokens revokedAccessTokens, LocalCredentialIntrospector credentials, Outbox outbox,
                        LocalRevocations revocations) {
        this.outbox = outbox;
        this.revocations = revocations;
        this.clients = clients;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.revokedAccessTokens = revokedAccessTokens;
        this.credentials = credentials;
    }

    public record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken, String scope) {
    }

    public TokenResponse token(OAuthRequest request) {
        String grantType = request.get("grant_type");
        if (grantType == null) {
            throw OAuthError.invalidRequest("grant_type is required");
        }
        if (!CLIENT_CREDENTIALS.equals(grantType) && !REFRESH_TOKEN.equals(grantType)) {
            throw OAuthError.unsupportedGrantType("grant_type must be client_credentials or refresh_token");
        }
        AuthenticatedClient client = authenticate(request);
        Set<String> requested = requestedScopes(request);
        return CLIENT_CREDENTIALS.equals(grantType) ? clientCredentials(client, requested) : refresh(client, request, requested);
    }

    private TokenResponse clientCredentials(AuthenticatedClient client, Set<String> requested) {
        if (!Scopes.covers(client.scopes(), requested)) {
            throw OAuthError.invalidScope("The requested scope exceeds the client's scopes");
        }
        String scope = Scopes.format(requested.isEmpty() ? client.scopes() : requested);
        TokenResponse response = inTransactionAs(client, () -> {
            RefreshTokens.Started family = refreshTokens.start(client.orgId(), client.id(), scope);
            return respond(client, scope, family.refreshToken(), family.family());
        });
        Log.infof("event=token_issued grant=client_credentials org_id=%s client_id=%s scope=\"%s\"", client.orgId(), client.clientId(), scope);
        return response;
    }

    private TokenResponse refresh(AuthenticatedClient client, OAuthRequest request, Set<String> requested) {
        String presented = request.get("refresh_token");
        if (presented == null) {
            throw OAuthError.invalidRequest("refresh_token is required");
        }
        RefreshTokens.Rotation rotation = inTransactionAs(client,
                () -> refreshTokens.rotate(presented, client.id(), client.clientId(), requested));
        // Decided after commit: a reuse must revoke the family even though this request fails.
        return switch (rotation) {
            case RefreshTokens.Rotation.Rotated rotated -> {
                String scope = requested.isEmpty() ? rotated.scope() : Scopes.format(requested);
                Log.infof("event=token_issued grant=refresh_token org_id=%s client_id=%s scope=\"%s\"", client.orgId(), client.clientId(), scope);
                yield respond(client, scope, rotated.refreshToken(), rotated.family());
            }
            case RefreshTokens.Rotation.Reused reused -> throw OAuthError.invalidGrant("Refresh token was already used; its whole family is now revoked");
            case RefreshTokens.Rotation.ScopeTooWide tooWide -> throw OAuthError.invalidScope("The requested scope exceeds the refresh token's scope");
            case RefreshTokens.Rotation.Refused refused -> {
                Log.infof("event=refresh_refused org_id=%s client_id=%s reason=%s", client.orgId(), client.clientId(), refused.reason());
                throw OAuthError.invalidGrant("Refresh token is invalid, expired or revoked");
            }
        };
    }

    private TokenResponse respond(AuthenticatedClient client, String scope, String refreshToken, String family) {
        AccessTokens.Minted minted = accessTokens.mint(client, scope, family);
        long expiresIn = minted.expiresAt().getEpochSecond() - java.time.Instant.now().getEpochSecond();
        return new TokenResponse(minted.token(), "Bearer", Math.max(expiresIn, 0), refreshToken, scope);
    }

    /**
     * RFC 7009: the token is revoked if this client owns it; unknown tokens, and tokens of other
     * clients, are answered the same way (200), so revocation reveals nothing.
     */
    public void revoke(OAuthRequest request) {
        String token = request.get("token");
        if (token == null) {
            throw OAuthError.invalidRequest("token is required");
        }
        AuthenticatedClient client = authenticate(request);
        if (looksLikeJwt(token)) {
            accessTokens.verify(token).filter(claims -> client.clientId().equals(claims.getSubject())).ifPresent(claims -> {
                Instant expiresAt = Instant.ofEpochSecond(claims.getExpirationTime());
                inTransactionAs(client, () -> {
                    // Recorded here for introspection; announced so that every service refuses it within seconds, not at its expiry.
                    if (revokedAccessTokens.revoke(claims.getTokenID(), client.orgId(), expiresAt)) {
                        outbox.publish(DomainEvent.of(Topics.AUTH, "credential.revoked", claims.getTokenID(), new AccessTokenRevoked(
                                claims.getTokenID(), RevocationListener.ACCESS_TOKEN, client.clientId(), expiresAt, "revoked")));
                        revocations.afterCommit(RevocationListener.ACCESS_TOKEN, claims.getTokenID(), expiresAt, "revoked");
                    }
                    return null;
                });
                Log.infof("event=access_token_revoked org_id=%s client_id=%s jti=%s", client.orgId(), client.clientId(), claims.getTokenID());
            });
            return;
        }
        refreshTokens.find(token).filter(found -> found.clientId().equals(client.id())).ifPresent(found ->
                inTransactionAs(client, () -> {
                    refreshTokens.revokeFamily(found.familyId(), client.orgId(), client.clientId(), "revoked");
                    return null;
                }));
    }

    /** The credential.revoked data for one access token: identifiers and expiry only. */
    public record AccessTokenRevoked(String credentialId, String credentialType, String clientId, Instant expiresAt, String reason) {
    }

    /**
     * Who asks for an introspection, and so what it may see: the operator everything; anyone else only its
     * own org's tokens (another org's are inactive), of those all when it holds {@code introspect} (or
     * admin), else only the access and refresh tokens issued to {@code clientId} itself.
     */
    private record Introspector(boolean operator, String orgId, String clientId, boolean wholeOrg) {
        static Introspector of(RequestPrincipal principal) {
            // A bearer caller got past the introspect scope check (or is the operator).
            return new Introspector(OperatorVerifier.isOperator(principal), principal.orgId(), principal.credentialId(), true);
        }

        static Introspector of(AuthenticatedClient client) {
            return new Introspector(false, client.orgId(), client.clientId(), Scopes.covers(client.scopes(), Set.of(Scopes.INTROSPECT)));
        }

        boolean maySee(Map<String, Object> answer) {
            if (operator) {
                return true;
            }
            return orgId.equals(answer.get("org")) && (wholeOrg || clientId.equals(answer.get("client_id")));
        }
    }

    /** RFC 7662 for a caller that authenticated with a platform credential: the operator, or scope introspect. */
    public Map<String, Object> introspect(OAuthRequest request, RequestPrincipal caller) {
        return introspect(request, Introspector.of(caller));
    }

    /**
     * RFC 7662 for an OAuth client authenticating as at the token endpoint (client_secret_basic or
     * client_secret_post), as standard client libraries call it. Authenticated first, so a caller
     * without valid credentials learns nothing, not even whether its request named a token.
     */
    public Map<String, Object> introspectAsClient(OAuthRequest request) {
        AuthenticatedClient client = authenticate(request);
        return introspect(request, Introspector.of(client));
    }

    /** Anything the caller may not see answers exactly like an unknown token: {@code {"active":false}}. */
    private Map<String, Object> introspect(OAuthRequest request, Introspector caller) {
        String token = request.get("token");
        if (token == null) {
            throw OAuthError.invalidRequest("token is required");
        }
        Map<String, Object> inactive = Map.of("active", false);
        if (TypeId.parse(RequestSigningKey.ID_PREFIX, token).isPresent()) {
            // The answer carries the signing secret (services recompute signatures): the operator only.
            return caller.operator() ? introspectSigningKey(token) : inactive;
        }
        Map<String, Object> answer = token.startsWith(ApiKeyVerifier.KEY_PREFIX) ? introspectApiKey(token)
                : looksLikeJwt(token) ? introspectAccessToken(token) : introspectRefreshToken(token);
        return answer != null && caller.maySee(answer) ? answer : inactive;
    }

    private Map<String, Object> introspectAccessToken(String token) {
        Optional<JsonWebToken> verified = accessTokens.verify(token);
        if (verified.isEmpty()) {
            return null;
        }
        JsonWebToken claims = verified.get();
        if (revokedAccessTokens.isRevoked(claims.getTokenID()) || !clients.exists(claims.getSubject())) {
            return null;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("active", true);
        answer.put("scope", JwtVerifier.text(claims, "scope"));
        answer.put("client_id", claims.getSubject());
        answer.put("sub", claims.getSubject());
        answer.put("org", JwtVerifier.text(claims, "org"));
        answer.put("exp", claims.getExpirationTime());
        answer.put("iat", claims.getIssuedAtTime());
        answer.put("jti", claims.getTokenID());
        answer.put("iss", claims.getIssuer());
        answer.put("aud", claims.getAudience() == null ? null : List.copyOf(claims.getAudience()));
        answer.put("token_type", "Bearer");
        return answer;
    }

    private Map<String, Object> introspectApiKey(String token) {
        Optional<CredentialGrant> grant = credentials.apiKey(token);
        if (grant.isEmpty()) {
            return null;
        }
        Map<String, Object> answer = grantAnswer(grant.get(), "api_key");
        answer.put("mode", grant.get().mode());
        if (grant.get().expiresAt() != null) {
            answer.put("exp", grant.get().expiresAt().getEpochSecond());
        }
        return answer;
    }

    private Map<String, Object> introspectSigningKey(String keyId) {
        Optional<CredentialGrant> grant = credentials.signingKey(keyId);
        if (grant.isEmpty()) {
            return Map.of("active", false);
        }
        Map<String, Object> answer = grantAnswer(grant.get(), "signing_key");
        answer.put("secret", grant.get().secret());
        return answer;
    }

    private static Map<String, Object> grantAnswer(CredentialGrant grant, String tokenType) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("active", true);
        answer.put("token_type", tokenType);
        answer.put("key_id", grant.credentialId());
        answer.put("sub", grant.credentialId());
        answer.put("org", grant.orgId());
        answer.put("scope", Scopes.format(grant.scopes()));
        answer.put("plan", grant.plan());
        return answer;
    }

    private Map<String, Object> introspectRefreshToken(String token) {
        Optional<RefreshTokens.Found> found = refreshTokens.find(token);
        if (found.isEmpty() || !found.get().usable()) {
            return null;
        }
        RefreshTokens.Found row = found.get();
        String clientId = TypeId.format(OAuthClient.ID_PREFIX, row.clientId());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("active", true);
        answer.put("scope", row.scope());
        answer.put("client_id", clientId);
        answer.put("sub", clientId);
        answer.put("org", row.orgId());
        answer.put("exp", row.expiresAt().getEpochSecond());
        answer.put("iat", row.createdAt().getEpochSecond());
        answer.put("token_type", "refresh_token");
        return answer;
    }

    private AuthenticatedClient authenticate(OAuthRequest request) {
        OAuthRequest.ClientCredentials credentials = request.client();
        return clients.authenticate(credentials.clientId(), credentials.secret()).orElseThrow(() -> {
            Log.infof("event=client_authentication_failed client_id=%s", TypeId.parse(OAuthClient.ID_PREFIX, credentials.clientId()).isPresent()
                    ? credentials.clientId() : "malformed");
            return OAuthError.invalidClient("Client authentication failed");
        });
    }

    private static Set<String> requestedScopes(OAuthRequest request) {
        Set<String> requested = Scopes.parse(request.get("scope"));
        for (String scope : requested) {
            if (!Scopes.wellFormed(scope)) {
                throw OAuthError.invalidScope("Scope " + OAuthRequest.printable(scope) + " is not a valid scope");
            }
        }
        return requested;
    }

    private static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    private static <T> T inTransactionAs(AuthenticatedClient client, Callable<T> work) {
        RequestPrincipal asClient = new RequestPrincipal(client.orgId(), client.scopes(), client.clientId(),
                RequestPrincipal.CredentialType.ACCESS_TOKEN);
        try {
            return TenantContext.callAs(asClient, () -> QuarkusTransaction.requiringNew().call(work));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
