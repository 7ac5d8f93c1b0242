package dev.weft.platform.testapp;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.tenancy.RequiresScope;
import dev.weft.platform.tenancy.TenantContext;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** A service-to-service endpoint, as connections-service's /internal/v1/connections/... are: who called, and an org-scoped read. */
@Path("/internal/v1/widgets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class InternalWidgetResource {

    public record Caller(String orgId, String credentialId, String credentialType, Map<String, Object> echo) {
    }

    @POST
    @Path("/whoami")
    @RequiresScope("widgets:read")
    public Caller whoami(Map<String, Object> body) {
        var principal = TenantContext.require();
        return new Caller(principal.orgId(), principal.credentialId(), principal.credentialType().name(), body);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("widgets:read")
    public WidgetResource.WidgetView get(@PathParam("id") String id) {
        Widget widget = Widget.findById(Ids.require("wdg", id, "widget"));
        if (widget == null) {
            throw ApiException.notFound("widget");
        }
        return WidgetResource.WidgetView.of(widget);
    }
}
