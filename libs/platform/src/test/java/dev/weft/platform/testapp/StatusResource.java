package dev.weft.platform.testapp;

import dev.weft.platform.tenancy.AllowsClientAuthentication;
import dev.weft.platform.tenancy.PublicEndpoint;
import dev.weft.platform.tenancy.RequiresScope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** Public, scoped and client-authenticated operations under one path, as the OpenAPI filter must tell them apart. */
@Path("/v1/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    @GET
    @PublicEndpoint
    public Map<String, String> status() {
        return Map.of("status", "ok");
    }

    @GET
    @Path("/{component: [a-z]+}")
    @RequiresScope("widgets:read")
    public Map<String, String> component(@PathParam("component") String component) {
        return Map.of("component", component, "status", "ok");
    }

    /** Like RFC 7662 introspection: an OAuth client may call it without a platform credential. */
    @GET
    @Path("/clients")
    @AllowsClientAuthentication
    public Map<String, String> clients() {
        return Map.of("status", "ok");
    }
}
