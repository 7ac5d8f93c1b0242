package dev.weft.platform.testapp;

import dev.weft.platform.tenancy.RequiresScope;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** An upload path (weft.platform.http.upload-paths): its body may be larger than a JSON endpoint's, and streams. */
@Path("/v1/uploads/{name}")
public class UploadResource {

    @PUT
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresScope("widgets:write")
    public Map<String, Object> upload(@PathParam("name") String name, InputStream body) throws IOException {
        long size = 0;
        byte[] buffer = new byte[8192];
        for (int n; (n = body.read(buffer)) > 0; ) {
            size += n;
        }
        return Map.of("name", name, "size", size);
    }
}
