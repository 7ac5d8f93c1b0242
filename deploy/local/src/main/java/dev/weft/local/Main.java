package dev.weft.local;

import sun.misc.Signal;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code java -cp "weft-local.jar:lib/*" dev.weft.local.Main up <weft-dir> [<repo-root>]} starts the suite and keeps running
 * as its supervisor until SIGTERM; {@code status <weft-dir>} reports on a running one. bin/weft is
 * the friendly front: it builds, backgrounds, waits and stops.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Must precede any logging: keeps component logs open until the suite has stopped them.
        System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        if (args.length >= 2 && args[0].equals("up")) {
            Path weftDir = Path.of(args[1]).toAbsolutePath().normalize();
            Path repoRoot = args.length > 2 ? Path.of(args[2]) : weftDir.getParent();
            up(weftDir, repoRoot);
        } else if (args.length >= 2 && args[0].equals("status")) {
            System.exit(new Status(Path.of(args[1]).toAbsolutePath().normalize(), System.out).print());
        } else {
            System.err.println("""
                    usage: java -cp "weft-local.jar:lib/*" dev.weft.local.Main up <weft-dir> [<repo-root>]
                           java -cp "weft-local.jar:lib/*" dev.weft.local.Main status <weft-dir>
                    Most people want bin/weft up|down|status|logs instead.""");
            System.exit(2);
        }
    }

    private static void up(Path weftDir, Path repoRoot) throws InterruptedException {
        AtomicReference<LocalSuite> started = new AtomicReference<>();
        stopInOrderOn("TERM", started);
        stopInOrderOn("INT", started);
        try {
            started.set(LocalSuite.start(LocalConfig.fromEnvironment(weftDir, repoRoot, System.getenv())));
        } catch (LaunchException e) {
            System.err.println("weft: " + e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            System.err.println("weft: the launcher failed unexpectedly; everything it started has been stopped. "
                    + "Please report this with the trace below and .weft/logs/.");
            e.printStackTrace();
            System.exit(1);
        }
        // Supervise until a signal arrives.
        new CountDownLatch(1).await();
    }

    /**
     * On SIGTERM (bin/weft down) or Ctrl-C, stop the suite before the JVM's shutdown hooks run:
     * the PostgreSQL library registers a hook of its own that would otherwise stop the database
     * while the services are still draining. Before the suite is up, plain exit is enough; the
     * suite's own hook then stops whatever had started.
     */
    private static void stopInOrderOn(String signal, AtomicReference<LocalSuite> started) {
        Signal.handle(new Signal(signal), received -> {
            LocalSuite suite = started.get();
            if (suite == null) {
                System.exit(128 + received.getNumber());
            }
            suite.close();
            System.exit(0);
        });
    }
}
