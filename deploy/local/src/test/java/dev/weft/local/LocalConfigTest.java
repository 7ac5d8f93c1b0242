package dev.weft.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalConfigTest {
    private static final Path WEFT = Path.of("/repo/.weft");
    private static final Path REPO = Path.of("/repo");

    @Test
    void defaults_to_the_documented_ports() {
        LocalConfig config = LocalConfig.fromEnvironment(WEFT, REPO, Map.of());

        assertEquals(8080, config.apiPort());
        assertEquals(55432, config.postgresPort());
        assertEquals(59092, config.kafkaPort());
        assertEquals(59093, config.kafkaControllerPort());
        assertEquals(8081, config.port(WeftService.AUTH));
        assertEquals(8086, config.port(WeftService.WORKFLOW));
        assertEquals(Duration.ofSeconds(120), config.readyTimeout());
        assertEquals("jdbc:postgresql://127.0.0.1:55432/weft", config.postgresJdbcUrl());
        assertEquals(Path.of("/repo/auth-service/target/quarkus-app/quarkus-run.jar"), WeftService.AUTH.jar(config.repoRoot()));
    }

    @Test
    void environment_variables_move_ports() {
        LocalConfig config = LocalConfig.fromEnvironment(WEFT, REPO, Map.of(
                "WEFT_API_PORT", "9080", "WEFT_SYNC_PORT", "9083", "WEFT_PG_PORT", "6543",
                "WEFT_READY_TIMEOUT", "300", "WEFT_JAVA_OPTS", " -Xmx256m  -XX:+UseSerialGC "));

        assertEquals(9080, config.apiPort());
        assertEquals(9083, config.port(WeftService.SYNC));
        assertEquals(6543, config.postgresPort());
        assertEquals(Duration.ofSeconds(300), config.readyTimeout());
        assertEquals(List.of("-Xmx256m", "-XX:+UseSerialGC"), config.jvmOptions());
    }

    @Test
    void a_bad_port_names_the_variable() {
        LaunchException notNumber = assertThrows(LaunchException.class,
                () -> LocalConfig.fromEnvironment(WEFT, REPO, Map.of("WEFT_AUTH_PORT", "eighty")));
        assertTrue(notNumber.getMessage().startsWith("WEFT_AUTH_PORT='eighty'"), notNumber.getMessage());

        LaunchException tooBig = assertThrows(LaunchException.class,
                () -> LocalConfig.fromEnvironment(WEFT, REPO, Map.of("WEFT_API_PORT", "70000")));
        assertTrue(tooBig.getMessage().contains("WEFT_API_PORT"), tooBig.getMessage());
    }

    @Test
    void two_components_on_one_port_is_refused_before_anything_starts() {
        LocalConfig config = LocalConfig.fromEnvironment(WEFT, REPO, Map.of("WEFT_SYNC_PORT", "8081"));

        LaunchException clash = assertThrows(LaunchException.class, () -> Ports.requireFree(config));
        assertTrue(clash.getMessage().contains("auth-service") && clash.getMessage().contains("sync-service"), clash.getMessage());
    }

    @Test
    void a_taken_port_is_named_with_what_needed_it() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            LocalConfig config = LocalConfig.fromEnvironment(WEFT, REPO, Map.of("WEFT_WEBHOOK_PORT", Integer.toString(taken.getLocalPort())));
            // Only the webhook port matters here; the others may be busy on a developer's machine.
            LaunchException busy = assertThrows(LaunchException.class, () -> Ports.requireFree(onlyWebhook(config)));
            assertTrue(busy.getMessage().contains("Port " + taken.getLocalPort()), busy.getMessage());
            assertTrue(busy.getMessage().contains("webhook-service (WEFT_WEBHOOK_PORT)"), busy.getMessage());
        }
    }

    private static LocalConfig onlyWebhook(LocalConfig config) {
        java.util.Map<WeftService, Integer> ports = new java.util.EnumMap<>(WeftService.class);
        for (WeftService service : WeftService.values()) {
            ports.put(service, service == WeftService.WEBHOOK ? config.port(service) : dev.weft.testing.infra.FreePorts.next());
        }
        return new LocalConfig(config.weftDir(), config.repoRoot(), dev.weft.testing.infra.FreePorts.next(),
                dev.weft.testing.infra.FreePorts.next(), dev.weft.testing.infra.FreePorts.next(),
                dev.weft.testing.infra.FreePorts.next(), ports, config.readyTimeout(), config.jvmOptions());
    }
}
