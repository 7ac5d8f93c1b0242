package dev.weft.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local router and the Kubernetes ingress must route every path the same way. */
class RoutesMatchIngressTest {
    /** Surefire runs in the module directory, deploy/local. */
    private static final Path INGRESS = Path.of("../k8s/base/ingress.yaml");

    @Test
    void ingress_lists_exactly_the_route_table_with_prefix_matching() throws IOException {
        assertTrue(Files.exists(INGRESS), "expected the ingress at " + INGRESS.toAbsolutePath());
        JsonNode ingress = new ObjectMapper(new YAMLFactory()).readTree(INGRESS.toFile());
        assertEquals("Ingress", ingress.path("kind").asText());

        // Longest path first is ingress-nginx's order for Prefix paths; a regex or rewrite annotation would change it
        // (regex locations match in file order), and /v1/integrations/email would no longer beat /v1/integrations.
        ingress.path("metadata").path("annotations").fieldNames().forEachRemaining(name -> assertTrue(
                !name.endsWith("/use-regex") && !name.endsWith("/rewrite-target"), "annotation " + name + " changes path precedence"));

        Set<String> fromIngress = new TreeSet<>();
        for (JsonNode rule : ingress.path("spec").path("rules")) {
            for (JsonNode path : rule.path("http").path("paths")) {
                String where = path.path("path").asText();
                assertEquals("Prefix", path.path("pathType").asText(), "pathType of " + where);
                assertEquals("http", path.path("backend").path("service").path("port").path("name").asText(), "port of " + where);
                fromIngress.add(where + " -> " + path.path("backend").path("service").path("name").asText());
            }
        }

        Set<String> fromRoutes = new TreeSet<>();
        for (Routes.Route route : Routes.load().all()) {
            fromRoutes.add(route.prefix() + " -> " + route.service().module());
        }
        assertEquals(fromRoutes, fromIngress,
                "deploy/k8s/base/ingress.yaml and routes.properties disagree; change both together");
    }
}
