package dev.weft.auth.client;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of /v1/clients. */
public final class ClientDtos {
    private ClientDtos() {
    }

    public record CreateClient(@NotBlank @Size(max = 200) String name,
                               @NotNull @NotEmpty @Size(max = Scopes.MAX_SCOPES) List<@NotBlank String> scopes) {
    }

    /** {@code client_secret} is present only in the response that created it (create, rotate-secret). */
    public record ClientView(String id, String clientId, String name, List<String> scopes, Instant createdAt,
                             Instant secretRotatedAt, String clientSecret) {
        static ClientView of(OAuthClient client, String secret) {
            return new ClientView(client.clientId(), client.clientId(), client.name, List.copyOf(client.scopeSet()),
                    client.createdAt, client.secretRotatedAt, secret);
        }
    }

    /** What an event says about a credential: never the secret. */
    public record CredentialEvent(String credentialId, String credentialType, String clientId, String name,
                                  List<String> scopes, String reason) {
    }
}
