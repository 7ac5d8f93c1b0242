package dev.weft.connections.extension;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/** Bodies of /v1/extensions. */
public final class ExtensionDtos {
    private ExtensionDtos() {
    }

    public record RegisterExtension(
            @NotBlank @Size(max = 200) String name,
            /** Becomes the provider id {@code ext_<key>} that connections name. */
            @NotBlank @Pattern(regexp = "[a-z][a-z0-9-]{1,39}", message = "must be 2-40 lowercase letters, digits or dashes, starting with a letter") String key,
            @NotBlank @Size(max = 2000) String baseUrl,
            @Size(max = 2000) String description,
            /** Optional JSON Schema that connections' {@code config} must satisfy. */
            JsonNode configSchema) {
    }

    public record ExtensionView(
            String id,
            String provider,
            String name,
            String description,
            String baseUrl,
            JsonNode configSchema,
            /** Shown once, at registration: Weft signs every request to the extension with it. */
            String secret,
            Instant createdAt,
            Instant updatedAt) {
    }
}
