package dev.weft.connections.connector;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * A catalog entry ({@code providers/<id>.json}): what a provider is, how it authenticates, and the
 * JSON Schemas a connection's {@code config} and {@code credentials} must satisfy. When a provider
 * has several auth types, the credentials field named by {@code credentialsDiscriminator} (e.g.
 * {@code oauth_flow}) picks one; without it, the first applies.
 */
public record ProviderDefinition(
        String id,
        String name,
        String category,
        String description,
        String docsUrl,
        JsonNode configSchema,
        String credentialsDiscriminator,
        List<AuthType> authTypes,
        List<String> objects,
        Optional<OAuth> oauth) {

    /** One way to authenticate: {@code oauth2_authorization_code}, {@code oauth2_jwt_bearer}, {@code api_token}, {@code basic}, {@code database_credentials}, {@code key_pair} (Snowflake). */
    public record AuthType(String type, String discriminatorValue, JsonNode credentialsSchema) {
    }

    /** The provider's OAuth endpoints (each can be overridden by configuration) and default scopes. */
    public record OAuth(String authorizeUrl, String tokenUrl, String revokeUrl, List<String> scopes,
                        String scopeSeparator, boolean pkce, JsonNode extraAuthorizeParams) {
    }
}
