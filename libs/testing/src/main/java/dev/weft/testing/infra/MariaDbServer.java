package dev.weft.testing.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A MariaDB server of its own with the binlog on ({@code --log-bin --binlog-format=ROW --server-id=1}), from the
 * machine's Debian binaries ({@code mariadbd}, {@code mariadb-install-db}): a temporary data directory, a random port
 * on 127.0.0.1, its socket in that directory, {@code root} without a password. The machine's own server runs with
 * {@code log_bin} OFF, so binlog change capture needs this second one.
 */
public final class MariaDbServer implements AutoCloseable {
    private static final List<Path> SERVERS = List.of(Path.of("/usr/sbin/mariadbd"), Path.of("/usr/sbin/mysqld"));
    private static final List<Path> INSTALLERS = List.of(Path.of("/usr/bin/mariadb-install-db"), Path.of("/usr/bin/mysql_install_db"),
            Path.of("/usr/local/bin/mariadb-install-db"));
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Process process;
    private final Path directory;
    private final int port;

    private MariaDbServer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** Whether the binaries this needs are installed. */
    public static boolean binariesPresent() {
        return find(SERVERS).isPresent() && find(INSTALLERS).isPresent();
    }

    public static MariaDbServer start() throws IOException {
        Path server = find(SERVERS).orElseThrow(() -> new IOException("no mariadbd in " + SERVERS));
        Path installer = find(INSTALLERS).orElseThrow(() -> new IOException("no mariadb-install-db in " + INSTALLERS));
        Path directory = Files.createTempDirectory("weft-mariadb");
        Path data = directory.resolve("data");
        String user = System.getProperty("user.name");
        run(List.of(installer.toString(), "--no-defaults", "--datadir=" + data, "--user=" + user, "--auth-root-authentication-method=normal",
                "--skip-test-db"), directory.resolve("install.log"));
        IOException last = null;
        // A free port may be taken between choosing it and the server binding it: try another.
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = FreePorts.next();
            Path errors = directory.resolve("error-" + attempt + ".log");
            Process process = new ProcessBuilder(server.toString(), "--no-defaults", "--datadir=" + data, "--user=" + user,
                    "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + directory.resolve("mariadb.sock"),
                    "--pid-file=" + directory.resolve("mariadb.pid"), "--tmpdir=" + directory, "--log-error=" + errors,
                    "--log-bin=" + data.resolve("binlog"), "--binlog-format=ROW", "--binlog-row-image=FULL", "--server-id=1",
                    "--skip-name-resolve", "--character-set-server=utf8mb4", "--innodb-buffer-pool-size=64M", "--max-connections=200")
                    .redirectErrorStream(true).redirectOutput(directory.resolve("out-" + attempt + ".log").toFile()).start();
            try {
                awaitReady(process, errors);
                MariaDbServer started = new MariaDbServer(process, directory, port);
                return started;
            } catch (IOException e) {
                process.destroyForcibly();
                last = e;
            }
        }
        deleteQuietly(directory);
        throw last;
    }

    public int port() {
        return port;
    }

    /** JDBC URL of the server (no database); user {@code root}, no password. */
    public String jdbcUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/";
    }

    @Override
    public void close() {
        // SIGTERM: the server shuts down cleanly.
        process.destroy();
        try {
            if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteQuietly(directory);
    }

    private static void awaitReady(Process process, Path errors) throws IOException {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            String log = Files.exists(errors) ? Files.readString(errors, StandardCharsets.UTF_8) : "";
            if (log.contains("ready for connections")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IOException("mariadbd exited with " + process.exitValue() + ": " + tail(log));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while mariadbd started", e);
            }
        }
        throw new IOException("mariadbd was not ready within " + READY_WITHIN.toSeconds() + " s");
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(command.getFirst() + " failed: " + tail(Files.readString(log, StandardCharsets.UTF_8)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command.getFirst() + " ran", e);
        }
    }

    private static String tail(String log) {
        return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    }

    private static Optional<Path> find(List<Path> candidates) {
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
