package dev.weft.connections.connection;

import dev.weft.connections.connector.ProviderCatalog;
import dev.weft.connections.connector.ProviderDefinition;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.tenancy.RequiresScope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The provider catalog: what can be connected and what each provider's config and credentials must hold. */
@Path("/v1/providers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "providers", description = "The provider catalog with the JSON Schemas of each provider's config and credentials")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ProviderResource {
    private final ProviderCatalog catalog;

    public ProviderResource(ProviderCatalog catalog) {
        this.catalog = catalog;
    }

    public record AuthTypeView(String type, String discriminatorValue, JsonNode credentialsSchema) {
    }

    public record ProviderView(String id, String name, String category, String description, String docsUrl,
                               List<String> authTypes, String credentialsDiscriminator, JsonNode configSchema,
                               List<AuthTypeView> credentials, List<String> objects, boolean oauth) {
        static ProviderView of(ProviderDefinition d) {
            return new ProviderView(d.id(), d.name(), d.category(), d.description(), d.docsUrl(),
                    d.authTypes().stream().map(ProviderDefinition.AuthType::type).toList(), d.credentialsDiscriminator(), d.configSchema(),
                    d.authTypes().stream().map(a -> new AuthTypeView(a.type(), a.discriminatorValue(), a.credentialsSchema())).toList(),
                    d.objects(), d.oauth().isPresent());
        }
    }

    public record ProviderList(List<ProviderView> data) {
    }

    @GET
    @RequiresScope("connections:read")
    @Operation(operationId = "listProviders", summary = "List providers with their auth types and the JSON Schemas of config and credentials")
    @APIResponse(responseCode = "200", description = "Every built-in provider")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    public ProviderList list() {
        return new ProviderList(catalog.all().stream().map(ProviderView::of).toList());
    }

    @GET
    @Path("/{id}")
    @RequiresScope("connections:read")
    @Operation(operationId = "getProvider", summary = "Get one provider")
    @APIResponse(responseCode = "200", description = "The provider")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs connections:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ProviderView get(@PathParam("id") String id) {
        return catalog.find(id).map(ProviderView::of).orElseThrow(() -> ApiException.notFound("provider"));
    }
}
