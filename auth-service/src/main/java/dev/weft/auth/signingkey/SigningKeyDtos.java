package dev.weft.auth.signingkey;

import dev.weft.auth.client.Scopes;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of /v1/signing-keys. */
public final class SigningKeyDtos {
    private SigningKeyDtos() {
    }

    public record CreateSigningKey(@NotBlank @Size(max = 200) String name,
                                   @NotNull @NotEmpty @Size(max = Scopes.MAX_SCOPES) List<@NotBlank String> scopes) {
    }

    /** {@code secret} is present only in the response that created it. */
    public record SigningKeyView(String id, String keyId, String name, List<String> scopes, String status,
                                 Instant createdAt, Instant lastUsedAt, Instant revokedAt, String secret) {
        static SigningKeyView of(RequestSigningKey key, String secret) {
            return new SigningKeyView(key.keyId(), key.keyId(), key.name, List.copyOf(key.scopeSet()), key.status(),
                    key.createdAt, key.lastUsedAt, key.revokedAt, secret);
        }
    }
}
