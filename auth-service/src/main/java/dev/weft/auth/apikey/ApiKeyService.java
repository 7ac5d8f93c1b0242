package dev.weft.auth.apikey;

import dev.weft.auth.client.ClientSecrets;
import dev.weft.auth.client.Scopes;
import dev.weft.auth.credential.Grantable;
import dev.weft.auth.credential.IssuedCredentials;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * API keys of the current org (tenant-scoped by Hibernate). A key is shown once; only its SHA-256
 * is stored (256 random bits need no password KDF). Each change writes its credential event to
 * the outbox in the same transaction.
 */
@ApplicationScoped
public class ApiKeyService {
    /** Characters of the random part kept for display: enough to tell keys apart, far too few to guess the rest. */
    private static final int DISPLAY_CHARS = 4;

    private final CursorCodec cursors;
    private final IssuedCredentials credentials;

    public ApiKeyService(CursorCodec cursors, IssuedCredentials credentials) {
        this.cursors = cursors;
        this.credentials = credentials;
    }

    @Transactional
    public ApiKeyDtos.ApiKeyView create(ApiKeyDtos.CreateApiKey request, RequestPrincipal creator) {
        Set<String> scopes = Grantable.scopes(request.scopes(), creator);
        if (request.expiresAt() != null && !request.expiresAt().isAfter(Instant.now())) {
            throw ApiException.invalid("expires_at", "future", "expires_at must be in the future");
        }
        String mode = request.mode() == null ? "live" : request.mode();
        String prefix = "wft_" + mode + "_";
        String secret = ClientSecrets.generate(prefix);
        ApiKey key = new ApiKey();
        key.name = request.name().trim();
        key.scopes = Scopes.format(scopes);
        key.mode = mode;
        key.keyHash = ClientSecrets.hash(secret);
        key.keyPrefix = secret.substring(0, prefix.length() + DISPLAY_CHARS);
        key.createdBy = creator.credentialId();
        key.expiresAt = request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.MICROS);
        key.persist();
        credentials.publish("credential.created", key, "created");
        Log.infof("event=api_key_created org_id=%s key_id=%s mode=%s scopes=\"%s\" created_by=%s",
                TenantContext.requireOrgId(), key.keyId(), mode, key.scopes, creator.credentialId());
        return ApiKeyDtos.ApiKeyView.of(key, secret);
    }

    public Page<ApiKeyDtos.ApiKeyView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(ApiKey.class).page(page, k -> ApiKeyDtos.ApiKeyView.of(k, null), cursors);
    }

    public ApiKeyDtos.ApiKeyView get(String keyId) {
        return ApiKeyDtos.ApiKeyView.of(require(keyId), null);
    }

    @Transactional
    public void revoke(String keyId) {
        ApiKey key = require(keyId);
        if (credentials.revoke(key)) {
            Log.infof("event=api_key_revoked org_id=%s key_id=%s", key.orgId, key.keyId());
        }
    }

    private ApiKey require(String keyId) {
        return credentials.require(ApiKey.class, ApiKey.ID_PREFIX, keyId, "api key");
    }
}
