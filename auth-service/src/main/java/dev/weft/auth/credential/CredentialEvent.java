package dev.weft.auth.credential;

import java.util.List;

/**
 * Data of {@code credential.created} / {@code credential.revoked} for API keys and signing keys,
 * in the shape of the OAuth client events: what changed and why, never the secret.
 */
public record CredentialEvent(String credentialId, String credentialType, String orgId, String name,
                              List<String> scopes, String mode, String reason) {
}
