package dev.weft.local;

import dev.weft.testing.infra.KafkaServer;
import dev.weft.testing.infra.PostgresServer;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;

/**
 * The whole of Weft on one machine: PostgreSQL and Kafka (data under .weft, kept across runs),
 * the six services as child JVMs, and the router in front. {@link #start} returns once every
 * service reports ready; {@link #close} stops everything in reverse order and is also run by a
 * JVM shutdown hook, so a SIGTERM to the launcher (bin/weft down) or a dying test JVM leaves no
 * child process behind.
 */
public final class LocalSuite implements AutoCloseable {
    public static final String DATABASE = "weft";
    private static final int LOG_TAIL_LINES = 20;
    private static final long SERVICE_STOP_GRACE_SECONDS = 10;

    private final LocalConfig config;
    private final PrintStream out;
    private final StateFiles state;
    private final LogFiles logFiles = new LogFiles();
    private final Thread shutdownHook = new Thread(this::close, "weft-local-shutdown");
    private final CountDownLatch closed = new CountDownLatch(1);
    private final long startedNanos = System.nanoTime();

    // Guarded by this: what close() must undo, newest first, and the children's pids.
    private final Deque<Stop> stops = new ArrayDeque<>();
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final List<ServiceProcess> services = new ArrayList<>();
    private Map<String, String> serviceEnvironment = Map.of();
    private boolean closing;
    // Set once this run has claimed .weft's pid file; before that the files may belong to another run.
    private volatile boolean ownsStateFiles;

    private String summary = "";

    private record Stop(String what, Runnable action) {
    }

    private LocalSuite(LocalConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.state = new StateFiles(config.weftDir());
    }

    /** Starts everything and waits until each service is ready; on any failure stops what started and throws. */
    public static LocalSuite start(LocalConfig config) {
        return start(config, System.out);
    }

    public static LocalSuite start(LocalConfig config, PrintStream out) {
        LocalSuite suite = new LocalSuite(config, out);
        Runtime.getRuntime().addShutdownHook(suite.shutdownHook);
        try {
            suite.startAll();
            return suite;
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    private void startAll() {
        Ports.requireFree(config);
        requireJars();
        state.writePid(ProcessHandle.current().pid());
        ownsStateFiles = true;
        Map<String, String> secrets = state.secrets();

        register("log files", logFiles::close);
        logFiles.route(config.logFile("postgres"), Level.INFO, "io.zonky");
        logFiles.route(config.logFile("kafka"), Level.INFO, "kafka", "org.apache.kafka", "state.change.logger");
        logFiles.route(config.logFile("router"), Level.INFO, Router.ACCESS_LOGGER, "io.vertx", "io.netty");

        startInfrastructure();

        Map<String, String> environment = serviceEnvironment(secrets);
        serviceEnvironment = environment;
        register("services", this::stopServices);
        for (WeftService service : WeftService.values()) {
            startService(service, environment);
        }

        Vertx vertx = Vertx.vertx();
        register("Vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture().join());
        Router router = Router.start(vertx, Routes.load(), config.apiPort(), config.servicePorts(),
                service -> config.logFile(service.id()).toString());
        register("router", router::close);

        awaitReady();
        watchForCrashes();
        String operatorToken = secrets.get("WEFT_AUTH_OPERATOR_TOKEN");
        Map<String, String> credentials = state.firstCredentials(
                () -> new FirstCredentials(config.serviceUrl(WeftService.AUTH), operatorToken).create());
        summary = renderSummary(credentials);
        state.writeEnv(envFile(credentials, operatorToken));
        state.writeReady(summary);
        out.print(summary);
        out.flush();
    }

    private void requireJars() {
        List<String> missing = new ArrayList<>();
        for (WeftService service : WeftService.values()) {
            if (!Files.isRegularFile(service.jar(config.repoRoot()))) {
                missing.add(service.jar(config.repoRoot()).toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new LaunchException("These service jars are not built:\n  " + String.join("\n  ", missing)
                    + "\nBuild them with `./mvnw -DskipTests install` in " + config.repoRoot()
                    + " (bin/weft up does that by itself when a jar is missing).");
        }
    }

    private void startInfrastructure() {
        Path postgresData = config.weftDir().resolve("postgres");
        // Kafka and PostgreSQL start side by side: each takes seconds and neither needs the other.
        CompletableFuture<KafkaServer> kafka = CompletableFuture.supplyAsync(() -> Infrastructure.startKafka(
                config.weftDir().resolve("kafka"), config.kafkaPort(), config.kafkaControllerPort(), config.logFile("kafka")));
        RuntimeException failure = null;
        try {
            PostgresServer postgres = Infrastructure.startPostgres(postgresData, config.postgresPort(), DATABASE,
                    config.logFile("postgres"));
            OptionalLong postmaster = Infrastructure.postmasterPid(postgresData);
            register("PostgreSQL", () -> Infrastructure.stopPostgres(postgres, postmaster));
            postmaster.ifPresent(pid -> recordPid("postgres", pid));
            out.printf(Locale.ROOT, "weft: PostgreSQL ready on %s (%.1f s)%n", config.postgresJdbcUrl(), elapsedSeconds());
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            KafkaServer broker = kafka.join();
            register("Kafka", broker::stop);
            out.printf(Locale.ROOT, "weft: Kafka ready on %s (%.1f s)%n", config.kafkaBootstrap(), elapsedSeconds());
        } catch (java.util.concurrent.CompletionException e) {
            if (failure == null) {
                failure = e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Map<String, String> serviceEnvironment(Map<String, String> secrets) {
        Map<String, String> env = new LinkedHashMap<>(secrets);
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", config.postgresJdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "");
        env.put("KAFKA_BOOTSTRAP_SERVERS", config.kafkaBootstrap());
        // Tokens name the public base URL as issuer; services fetch auth-service's keys directly.
        env.put("WEFT_AUTH_ISSUER_URL", config.apiUrl());
        env.put("WEFT_PLATFORM_AUTH_JWT_ISSUER", config.apiUrl());
        env.put("WEFT_PLATFORM_AUTH_JWT_JWKS_URL", config.serviceUrl(WeftService.AUTH) + "/.well-known/jwks.json");
        // API keys and signing keys are checked with auth-service's introspection, as the operator.
        env.put("WEFT_PLATFORM_AUTH_INTROSPECTION_URL", config.serviceUrl(WeftService.AUTH) + "/v1/auth/introspect");
        env.put("WEFT_PLATFORM_AUTH_INTROSPECTION_TOKEN", secrets.getOrDefault("WEFT_AUTH_OPERATOR_TOKEN", ""));
        // Service-to-service calls (sync-service reading through connections-service, workflow-service sending mail through
        // messaging-service): a fresh shared credential per `up`, known only to the processes started now, and where each
        // service answers them.
        byte[] internal = new byte[32];
        new java.security.SecureRandom().nextBytes(internal);
        env.put("WEFT_PLATFORM_INTERNAL_TOKEN", "wit_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(internal));
        env.put("WEFT_SERVICES_CONNECTIONS_URL", config.serviceUrl(WeftService.CONNECTIONS));
        env.put("WEFT_SERVICES_MESSAGING_URL", config.serviceUrl(WeftService.MESSAGING));
        return env;
    }

    private void startService(WeftService service, Map<String, String> common) {
        Map<String, String> env = new LinkedHashMap<>(common);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(config.port(service)));
        if (service == WeftService.CONNECTIONS) {
            // OAuth providers send the user back through the router; extensions may run on this machine over http.
            env.put("WEFT_CONNECTIONS_OAUTH_CALLBACK_BASE_URL", config.apiUrl());
            env.put("WEFT_CONNECTIONS_EXTENSIONS_ALLOW_INSECURE_URLS", "true");
        }
        if (service == WeftService.MESSAGING) {
            // Documents' bytes (the filesystem store), kept with the rest of the state across down/up.
            env.put("WEFT_MESSAGING_DOCUMENTS_DIRECTORY", config.weftDir().resolve("data").resolve("messaging").resolve("documents").toString());
        }
        if (service == WeftService.WEBHOOK) {
            // Local receivers run on this machine, often over plain http.
            env.put("WEFT_WEBHOOKS_ALLOW_HTTP", "true");
            env.put("WEFT_WEBHOOKS_ALLOWED_CIDRS", "127.0.0.1/32,::1/128");
        }
        if (service == WeftService.WORKFLOW) {
            // Workflows' http actions and webhook notifications reach receivers on this machine too.
            env.put("WEFT_WORKFLOW_ALLOW_HTTP", "true");
            env.put("WEFT_WORKFLOW_ALLOWED_CIDRS", "127.0.0.1/32,::1/128");
        }
        ServiceProcess process = ServiceProcess.start(service, service.jar(config.repoRoot()),
                config.weftDir().resolve("data").resolve(service.id()), config.logFile(service.id()),
                config.jvmOptions(), env);
        boolean tooLate;
        synchronized (this) {
            tooLate = closing;
            if (!tooLate) {
                services.add(process);
            }
        }
        if (tooLate) {
            process.stop(0);
            throw new LaunchException("Stopped while starting " + service.module() + ": the launcher is shutting down.");
        }
        recordPid(service.id(), process.pid());
    }

    /**
     * Stops one service and starts it again, as a deploy or a crash would (tests use it to prove
     * that work in flight survives); returns once it is ready.
     */
    public void restart(WeftService service) {
        restart(service, false);
    }

    /**
     * As {@link #restart(WeftService)}, but the service is killed with SIGKILL (kill -9: no shutdown hook, work in
     * flight cut off where it stands) when {@code kill}.
     */
    public void restart(WeftService service, boolean kill) {
        ServiceProcess old;
        synchronized (this) {
            checkNotClosing();
            old = services.stream().filter(p -> p.service() == service).findFirst().orElseThrow();
            services.remove(old);
        }
        if (kill) {
            old.kill();
        } else {
            old.stop(10);
        }
        startService(service, serviceEnvironment);
        ServiceProcess started;
        synchronized (this) {
            started = services.stream().filter(p -> p.service() == service).findFirst().orElseThrow();
        }
        awaitReady(List.of(started));
    }

    private void awaitReady() {
        awaitReady(new ArrayList<>(services));
    }

    private void awaitReady(List<ServiceProcess> processes) {
        HealthProbe probe = new HealthProbe();
        long deadline = System.nanoTime() + config.readyTimeout().toNanos();
        List<ServiceProcess> pending = new ArrayList<>(processes);
        while (!pending.isEmpty()) {
            checkNotClosing();
            for (ServiceProcess process : List.copyOf(pending)) {
                if (!process.isAlive()) {
                    throw notReady(List.of(process), process.service().module() + " exited with code " + process.exitCode()
                            + " before it was ready.", "Fix what its log shows, then run bin/weft up again.");
                }
                if (probe.isReady(config.serviceUrl(process.service()))) {
                    pending.remove(process);
                    out.printf(Locale.ROOT, "weft: %s ready on %s (%.1f s)%n", process.service().module(),
                            config.serviceUrl(process.service()), elapsedSeconds());
                }
            }
            if (!pending.isEmpty() && System.nanoTime() > deadline) {
                throw notReady(pending, String.join(", ", pending.stream().map(p -> p.service().module()).toList())
                        + " did not become ready within " + config.readyTimeout().toSeconds()
                        + " s (GET /q/health/ready never answered 200).",
                        "If the machine is only slow, raise WEFT_READY_TIMEOUT (seconds); otherwise fix what the log shows and run bin/weft up again.");
            }
            sleep(Duration.ofMillis(250));
        }
    }

    private LaunchException notReady(List<ServiceProcess> failed, String what, String next) {
        StringBuilder message = new StringBuilder(what);
        for (ServiceProcess process : failed) {
            message.append("\n\nLast ").append(LOG_TAIL_LINES).append(" lines of ").append(process.logFile()).append(":\n")
                    .append(process.tail(LOG_TAIL_LINES).indent(2).stripTrailing());
        }
        return new LaunchException(message.append("\n\n").append(next).toString());
    }

    /** A service that dies later is reported (not restarted: a crash loop would hide the cause). */
    private void watchForCrashes() {
        for (ServiceProcess process : services) {
            process.onExit().thenRun(() -> {
                if (!isClosing()) {
                    out.println("weft: " + process.service().module() + " exited with code " + process.exitCode()
                            + "; see " + process.logFile() + ". Restart everything with bin/weft down && bin/weft up.");
                }
            });
        }
    }

    private void stopServices() {
        List<ServiceProcess> running;
        synchronized (this) {
            running = List.copyOf(services);
        }
        // In parallel: one slow service must not multiply the 10 s grace period by six.
        CompletableFuture.allOf(running.stream()
                .map(process -> CompletableFuture.runAsync(() -> process.stop(SERVICE_STOP_GRACE_SECONDS),
                        command -> Thread.ofPlatform().name("stop-" + process.service().id()).start(command)))
                .toArray(CompletableFuture[]::new)).join();
    }

    /** Stops everything that started, newest first. Safe to call twice and from any thread. */
    @Override
    public void close() {
        List<Stop> toRun;
        synchronized (this) {
            if (closing) {
                toRun = null;
            } else {
                closing = true;
                toRun = List.copyOf(stops);
                stops.clear();
            }
        }
        if (toRun == null) {
            awaitClosed();
            return;
        }
        if (!toRun.isEmpty()) {
            out.println("weft: stopping...");
        }
        try {
            for (Stop stop : toRun) {
                try {
                    stop.action().run();
                } catch (RuntimeException e) {
                    System.err.println("weft: stopping " + stop.what() + " failed: " + e.getMessage());
                }
            }
            if (ownsStateFiles) {
                state.removeRuntimeFiles();
            }
            if (!toRun.isEmpty()) {
                out.println("weft: stopped.");
                out.flush();
            }
        } finally {
            closed.countDown();
            if (Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the hook is running or about to; close() is idempotent
                }
            }
        }
    }

    private void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void register(String what, Runnable action) {
        if (closing) {
            action.run();
            throw new LaunchException("Stopped while starting " + what + ": the launcher is shutting down.");
        }
        stops.push(new Stop(what, action));
    }

    private synchronized boolean isClosing() {
        return closing;
    }

    private void checkNotClosing() {
        if (isClosing()) {
            throw new LaunchException("Stopped while waiting for the services: the launcher is shutting down.");
        }
    }

    private void recordPid(String name, long pid) {
        Map<String, Long> snapshot;
        synchronized (this) {
            pids.put(name, pid);
            snapshot = new LinkedHashMap<>(pids);
        }
        state.writeProcesses(snapshot);
    }

    private Map<String, String> envFile(Map<String, String> credentials, String operatorToken) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("WEFT_API_URL", config.apiUrl());
        for (WeftService service : WeftService.values()) {
            env.put(service.urlVariable(), config.serviceUrl(service));
        }
        env.put("WEFT_PG_URL", config.postgresJdbcUrl());
        env.put("WEFT_PG_USER", "postgres");
        env.put("WEFT_KAFKA_BOOTSTRAP", config.kafkaBootstrap());
        env.put("WEFT_LOG_DIR", config.logDir().toString());
        env.putAll(credentials);
        env.put("WEFT_OPERATOR_TOKEN", operatorToken);
        return env;
    }

    private String renderSummary(Map<String, String> credentials) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Weft is up (%.1f s). API: %s%n", elapsedSeconds(), config.apiUrl()));
        text.append(String.format(Locale.ROOT, "  organization %s, admin client %s (secret and operator token in .weft/env)%n",
                credentials.get(FirstCredentials.ORG), credentials.get(FirstCredentials.CLIENT_ID)));
        for (WeftService service : WeftService.values()) {
            text.append(String.format(Locale.ROOT, "  %-20s %-24s log %s%n", service.module(), config.serviceUrl(service),
                    config.logFile(service.id())));
        }
        text.append(String.format(Locale.ROOT, "  %-20s %-24s log %s%n", "router", config.apiUrl(), config.logFile("router")));
        text.append(String.format(Locale.ROOT, "  %-20s %-24s log %s%n", "postgresql", "127.0.0.1:" + config.postgresPort(),
                config.logFile("postgres")));
        text.append(String.format(Locale.ROOT, "  %-20s %-24s log %s%n", "kafka", config.kafkaBootstrap(), config.logFile("kafka")));
        text.append(String.format("  %-20s %s (user postgres, no password)%n", "database", config.postgresJdbcUrl()));
        return text.toString();
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("Interrupted while waiting for the services to become ready.");
        }
    }

    public LocalConfig config() {
        return config;
    }

    /** What {@code bin/weft up} prints once everything is ready. */
    public String summary() {
        return summary;
    }

    /** Every child process by name ({@code auth} ... {@code workflow}, {@code postgres}); the same as .weft/processes. */
    public synchronized Map<String, Long> childPids() {
        return Map.copyOf(pids);
    }

    /** Service ports by service, for callers that want to talk to a service without the router. */
    public Map<WeftService, Integer> servicePorts() {
        return new EnumMap<>(config.servicePorts());
    }
}
