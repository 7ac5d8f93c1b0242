package dev.weft.auth.signingkey;

import dev.weft.auth.client.ClientSecrets;
import dev.weft.auth.client.Scopes;
import dev.weft.auth.credential.Grantable;
import dev.weft.auth.credential.IssuedCredentials;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.Set;

/**
 * HMAC request-signing keys of the current org. The secret is shown once and stored encrypted,
 * bound to its row; each change writes its credential event to the outbox in the same transaction.
 */
@ApplicationScoped
public class SigningKeyService {
    public static final String SECRET_PREFIX = "whmac_";

    private final CursorCodec cursors;
    private final SecretCipher cipher;
    private final IssuedCredentials credentials;

    public SigningKeyService(CursorCodec cursors, SecretCipher cipher, IssuedCredentials credentials) {
        this.cursors = cursors;
        this.cipher = cipher;
        this.credentials = credentials;
    }

    @Transactional
    public SigningKeyDtos.SigningKeyView create(SigningKeyDtos.CreateSigningKey request, RequestPrincipal creator) {
        Set<String> scopes = Grantable.scopes(request.scopes(), creator);
        String secret = ClientSecrets.generate(SECRET_PREFIX);
        RequestSigningKey key = new RequestSigningKey();
        // The id is needed before insert: it is part of the ciphertext's associated data.
        key.id = TypeId.uuidV7();
        key.name = request.name().trim();
        key.scopes = Scopes.format(scopes);
        key.secretEnc = cipher.encrypt(secret, RequestSigningKey.associatedData(key.id, TenantContext.requireOrgId()));
        key.createdBy = creator.credentialId();
        key.persist();
        credentials.publish("credential.created", key, "created");
        Log.infof("event=signing_key_created org_id=%s key_id=%s scopes=\"%s\" created_by=%s",
                TenantContext.requireOrgId(), key.keyId(), key.scopes, creator.credentialId());
        return SigningKeyDtos.SigningKeyView.of(key, secret);
    }

    public Page<SigningKeyDtos.SigningKeyView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(RequestSigningKey.class).page(page, k -> SigningKeyDtos.SigningKeyView.of(k, null), cursors);
    }

    public SigningKeyDtos.SigningKeyView get(String keyId) {
        return SigningKeyDtos.SigningKeyView.of(require(keyId), null);
    }

    @Transactional
    public void revoke(String keyId) {
        RequestSigningKey key = require(keyId);
        if (credentials.revoke(key)) {
            Log.infof("event=signing_key_revoked org_id=%s key_id=%s", key.orgId, key.keyId());
        }
    }

    private RequestSigningKey require(String keyId) {
        return credentials.require(RequestSigningKey.class, RequestSigningKey.ID_PREFIX, keyId, "signing key");
    }
}
