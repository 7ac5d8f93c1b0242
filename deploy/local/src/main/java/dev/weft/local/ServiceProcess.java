package dev.weft.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service running as a child JVM from its Quarkus fast-jar, its stdout and stderr appended to
 * its own log file. Stopping asks politely first (SIGTERM lets Quarkus close its pools and commit
 * Kafka offsets), then kills.
 */
final class ServiceProcess {
    private final WeftService service;
    private final Path logFile;
    private final Process process;

    private ServiceProcess(WeftService service, Path logFile, Process process) {
        this.service = service;
        this.logFile = logFile;
        this.process = process;
    }

    static ServiceProcess start(WeftService service, Path jar, Path workDir, Path logFile,
                                List<String> jvmOptions, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LogFiles.rotate(logFile).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(workDir);
            return new ServiceProcess(service, logFile, builder.start());
        } catch (IOException e) {
            throw new LaunchException("Could not start " + service.module() + " (" + String.join(" ", command) + "): "
                    + e.getMessage() + ". Check that the JDK at " + javaExecutable() + " runs.", e);
        }
    }

    /** The JVM running the launcher runs the services too: bin/weft already chose a JDK 21+. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    WeftService service() {
        return service;
    }

    Path logFile() {
        return logFile;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code, or -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    java.util.concurrent.CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** SIGKILL at once, as a crash or kill -9 would end it: no shutdown hook runs. */
    void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGTERM, wait up to {@code graceSeconds}, then SIGKILL; also kills anything it spawned. */
    void stop(long graceSeconds) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** The last lines of this service's log, to show why it failed without sending anyone hunting. */
    String tail(int lines) {
        return tail(logFile, lines);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(" + file + " does not exist)";
            }
            // Decoding bytes (not readAllLines) tolerates a line cut mid-character by a crash.
            List<String> all = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }
}
