package dev.weft.auth.apikey;

import dev.weft.auth.client.Scopes;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of /v1/api-keys. */
public final class ApiKeyDtos {
    private ApiKeyDtos() {
    }

    /** {@code mode} defaults to {@code live}; {@code expires_at} is optional (no expiry). */
    public record CreateApiKey(@NotBlank @Size(max = 200) String name,
                               @NotNull @NotEmpty @Size(max = Scopes.MAX_SCOPES) List<@NotBlank String> scopes,
                               @Pattern(regexp = "live|test", message = "must be live or test") String mode,
                               Instant expiresAt) {
    }

    /** {@code key} is present only in the response that created it; {@code prefix} is safe to show anywhere. */
    public record ApiKeyView(String id, String name, String prefix, String mode, List<String> scopes, String status,
                             Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt, String key) {
        static ApiKeyView of(ApiKey key, String secret) {
            return new ApiKeyView(key.keyId(), key.name, key.keyPrefix, key.mode, List.copyOf(key.scopeSet()), key.status(),
                    key.createdAt, key.expiresAt, key.lastUsedAt, key.revokedAt, secret);
        }
    }
}
