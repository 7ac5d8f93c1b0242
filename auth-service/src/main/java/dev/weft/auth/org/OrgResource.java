package dev.weft.auth.org;

import dev.weft.auth.client.ClientDtos;
import dev.weft.auth.client.ClientService;
import dev.weft.auth.operator.OperatorVerifier;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

/**
 * Organizations. Creating and listing them is the bootstrap operator's alone; an org admin may
 * read its own org. Anyone else asking about an org that is not theirs gets a 404.
 */
@Path("/v1/orgs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "orgs", description = "Organizations (tenants) and their plans; created by the operator")
public class OrgResource {
    private final OrgService orgs;
    private final ClientService clients;
    private final CurrentPrincipal principal;

    public OrgResource(OrgService orgs, ClientService clients, CurrentPrincipal principal) {
        this.orgs = orgs;
        this.clients = clients;
        this.principal = principal;
    }

    @POST
    @Operation(operationId = "createOrg", summary = "Create an organization with a plan (operator only)")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "acme", value = "{\"name\":\"Acme\",\"plan\":\"professional\"}")))
    @APIResponse(responseCode = "201", description = "Created; limits show the plan's rate limits")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: missing name, unknown plan")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: not the operator")
    public Response create(@Valid @NotNull OrgDtos.CreateOrg request) {
        requireOperator();
        return Response.status(201).entity(orgs.create(request)).build();
    }

    @GET
    @Operation(operationId = "listOrgs", summary = "List organizations, newest first (operator only)")
    @APIResponse(responseCode = "200", description = "A page of organizations")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: not the operator")
    public Page<OrgDtos.OrgView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        requireOperator();
        return orgs.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getOrg", summary = "Get an organization (the operator, or an admin of that org)")
    @APIResponse(responseCode = "200", description = "The organization and its plan limits")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: own org without admin")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such org, or not the caller's")
    public OrgDtos.OrgView get(@PathParam("id") String id) {
        RequestPrincipal caller = principal.get();
        if (!OperatorVerifier.isOperator(caller)) {
            if (!id.equals(caller.orgId())) {
                throw ApiException.notFound("organization");
            }
            if (!caller.hasScope(RequestPrincipal.ADMIN_SCOPE)) {
                throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "This operation needs the scope admin",
                        Map.of("required_scope", RequestPrincipal.ADMIN_SCOPE));
            }
        }
        return orgs.get(id);
    }

    @POST
    @Path("/{id}/clients")
    @Operation(operationId = "createOrgClient", summary = "Create an OAuth client in an organization (operator only): how an org gets its first admin client")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "first admin",
            value = "{\"name\":\"bootstrap admin\",\"scopes\":[\"admin\"]}")))
    @APIResponse(responseCode = "201", description = "Created, with client_id and client_secret (shown once)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: not the operator")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such organization")
    public Response createClient(@PathParam("id") String id, @Valid @NotNull ClientDtos.CreateClient request) {
        requireOperator();
        Organization org = orgs.require(id);
        return Response.status(201).entity(clients.createAsOperatorFor(org.publicId(), request)).build();
    }

    private void requireOperator() {
        // Checked by credential type, not scope: an org's admin scope implies every scope, but not this.
        if (!OperatorVerifier.isOperator(principal.get())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Only the operator credential may manage organizations");
        }
    }
}
