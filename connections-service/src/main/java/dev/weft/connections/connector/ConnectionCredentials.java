package dev.weft.connections.connector;

import java.util.Optional;
import java.util.Set;

/**
 * A connection's decrypted credentials, lent to a connector for one call. For OAuth connections
 * {@link #accessToken()} returns a token valid for at least the next minute, refreshing it first
 * (once per connection, however many calls ask at the same moment); after a 401 from the vendor,
 * {@link #refreshAccessToken(String)} forces a refresh unless another call already did.
 */
public interface ConnectionCredentials {

    /** A credential field as the user stored it (e.g. {@code password}, {@code api_token}). */
    Optional<String> get(String field);

    /** The names of the fields that are set (e.g. to pass them all to an extension). */
    Set<String> fieldNames();

    default String require(String field) {
        return get(field).orElseThrow(() -> ConnectorException.auth("credential " + field + " is not set"));
    }

    /** A current OAuth access token; throws {@link ConnectorException} (auth) when it cannot be had. */
    String accessToken();

    /** Replaces {@code rejected} after the vendor refused it; returns the token to use now. */
    String refreshAccessToken(String rejected);
}
