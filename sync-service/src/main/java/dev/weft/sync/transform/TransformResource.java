package dev.weft.sync.transform;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

/** Custom transforms (seed 000 "Custom Transforms"): JSONata or sandboxed JavaScript applied to each synced record. */
@Path("/v1/transforms")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "transforms", description = "Custom transforms: JSONata expressions or sandboxed JavaScript applied to each record a sync moves")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
@APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs syncs:read to read, syncs:write to change or test")
public class TransformResource {
    static final String SEED_EXAMPLE = "{\"name\":\"Format Phone Numbers\",\"type\":\"javascript\",\"code\":\"module.exports = (record) => { "
            + "if (record.Phone) { record.Phone = record.Phone.replace(/[^0-9]/g, ''); if (record.Phone.length === 10) { "
            + "record.Phone = '+1' + record.Phone; } } return record; };\"}";
    static final String JSONATA_EXAMPLE = "{\"name\":\"Contact to warehouse row\",\"type\":\"jsonata\",\"code\":\"{ \\\"email_address\\\": "
            + "$lowercase(Email), \\\"first_name\\\": FirstName }\",\"description\":\"lower-cased e-mail\"}";

    private final TransformService transforms;

    public TransformResource(TransformService transforms) {
        this.transforms = transforms;
    }

    @POST
    @RequiresScope("syncs:write")
    @TemplateLiteralBodies.AcceptsTemplateLiterals
    @Operation(operationId = "createTransform", summary = "Create a transform; its code is compiled now (the seed's backtick-quoted code is accepted as written)")
    @RequestBody(content = @Content(examples = {
            @ExampleObject(name = "seed 000: Format Phone Numbers", value = SEED_EXAMPLE),
            @ExampleObject(name = "JSONata mapping", value = JSONATA_EXAMPLE)}))
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: missing name/type/code, unknown type, or code that does not compile "
            + "(details.constraint syntax|limit|refused, details.line and details.column)")
    public Response create(@Valid @NotNull TransformDtos.TransformRequest request) {
        return Response.status(201).entity(transforms.create(request)).build();
    }

    @GET
    @RequiresScope("syncs:read")
    @Operation(operationId = "listTransforms", summary = "List the org's transforms, newest first")
    @APIResponse(responseCode = "200", description = "A page of transforms")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit or cursor")
    public Page<TransformDtos.TransformView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return transforms.list(limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("syncs:read")
    @Operation(operationId = "getTransform", summary = "Get a transform with its code")
    @APIResponse(responseCode = "200", description = "The transform")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public TransformDtos.TransformView get(@PathParam("id") String id) {
        return transforms.get(id);
    }

    @PUT
    @Path("/{id}")
    @RequiresScope("syncs:write")
    @TemplateLiteralBodies.AcceptsTemplateLiterals
    @Operation(operationId = "replaceTransform", summary = "Replace a transform's name, type, code and description; the new code is compiled first")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "JSONata mapping", value = JSONATA_EXAMPLE)))
    @APIResponse(responseCode = "200", description = "The transform")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: as for create")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public TransformDtos.TransformView replace(@PathParam("id") String id, @Valid @NotNull TransformDtos.TransformRequest request) {
        return transforms.replace(id, request);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("syncs:write")
    @Operation(operationId = "deleteTransform", summary = "Delete a transform")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        transforms.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/test")
    @RequiresScope("syncs:write")
    @Operation(operationId = "testTransform", summary = "Run the transform on up to 100 sample records: each one's output, skip, or error with line and column")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "two contacts",
            value = "{\"records\":[{\"Phone\":\"(555) 123-4567\",\"Email\":\"ada@example.com\"},{\"Email\":\"grace@example.com\"}]}")))
    @APIResponse(responseCode = "200", description = "One result per record, in order (a failing record is reported, not a failed call)")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: records missing, empty, over 100, or not objects")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public TransformDtos.TestResponse test(@PathParam("id") String id, @Valid @NotNull TransformDtos.TestRequest request) {
        return transforms.test(id, request);
    }
}
