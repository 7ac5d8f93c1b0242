package dev.weft.local;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code weft status}: what the state files say runs, checked against the live processes and health endpoints. */
final class Status {
    private final StateFiles state;
    private final PrintStream out;
    private final HealthProbe probe = new HealthProbe();

    Status(Path weftDir, PrintStream out) {
        this.state = new StateFiles(weftDir);
        this.out = out;
    }

    /** @return 0 when the launcher runs and every service is ready, 1 otherwise */
    int print() {
        Optional<Long> launcher = launcherPid();
        Map<String, Long> children = state.readProcesses();
        if (launcher.isEmpty()) {
            long leftOver = children.values().stream().filter(Status::alive).count();
            out.println("Weft is not running (no live launcher in " + state.path(StateFiles.PID) + ").");
            if (leftOver > 0) {
                out.println(leftOver + " process(es) of an earlier run are still alive; run `bin/weft down` to stop them.");
            } else {
                out.println("Start it with `bin/weft up`.");
            }
            return 1;
        }
        boolean allReady = Files.exists(state.path(StateFiles.READY));
        out.println("Weft launcher: pid " + launcher.get() + (allReady ? ", started" : ", still starting (see .weft/logs/launcher.log)"));
        Map<String, String> env = state.readEnv();
        for (WeftService service : WeftService.values()) {
            String url = env.getOrDefault(service.urlVariable(), "http://127.0.0.1:" + service.defaultPort());
            boolean ready = probe.isReady(url);
            allReady &= ready;
            Long pid = children.get(service.id());
            out.printf(Locale.ROOT, "  %-20s %-24s %-10s %s%n", service.module(), url, ready ? "ready" : "NOT READY",
                    pid == null ? "" : "pid " + pid + (alive(pid) ? "" : " (exited)"));
        }
        String api = env.getOrDefault("WEFT_API_URL", "http://127.0.0.1:" + LocalConfig.DEFAULT_API_PORT);
        boolean routerUp = probe.status(api + "/v1") > 0;
        allReady &= routerUp;
        out.printf(Locale.ROOT, "  %-20s %-24s %s%n", "router", api, routerUp ? "up" : "DOWN");
        allReady &= printTcp("postgresql", env.getOrDefault("WEFT_PG_URL", ""), children.get("postgres"));
        allReady &= printTcp("kafka", env.getOrDefault("WEFT_KAFKA_BOOTSTRAP", ""), null);
        if (!allReady) {
            out.println("Something is not ready: read its log under " + env.getOrDefault("WEFT_LOG_DIR", ".weft/logs")
                    + ", or restart with `bin/weft down && bin/weft up`.");
        }
        return allReady ? 0 : 1;
    }

    private boolean printTcp(String name, String address, Long pid) {
        String hostPort = address.startsWith("jdbc:") ? URI.create(address.substring(5)).getAuthority() : address;
        boolean up = !hostPort.isEmpty() && accepts(hostPort);
        out.printf(Locale.ROOT, "  %-20s %-24s %-10s %s%n", name, hostPort, up ? "up" : "DOWN", pid == null ? "" : "pid " + pid);
        return up;
    }

    private Optional<Long> launcherPid() {
        try {
            Path file = state.path(StateFiles.PID);
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(file).trim());
            return alive(pid) ? Optional.of(pid) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean accepts(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 1000);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
