package dev.weft.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.StreamHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends the in-process components' logs to their own files under .weft/logs. Kafka and zonky's
 * PostgreSQL wrapper log through SLF4J, which this jar binds to java.util.logging, so routing is
 * a matter of attaching a file handler to their logger names.
 */
final class LogFiles implements AutoCloseable {
    private final List<Attached> attached = new ArrayList<>();

    private record Attached(Logger logger, Handler handler) {
    }

    /** Keeps the previous run's log as {@code <name>.log.1}, so a crash can still be read after a restart. */
    static Path rotate(Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not rotate " + file, e);
        }
    }

    /** Writes everything the named loggers (and their children) log to {@code file}, and nowhere else. */
    synchronized void route(Path file, Level level, String... loggerNames) {
        Handler handler;
        try {
            handler = new FlushingFileHandler(rotate(file));
        } catch (IOException e) {
            throw new LaunchException("Cannot write the log file " + file + " (" + e.getMessage()
                    + "); check that the directory is writable.", e);
        }
        handler.setLevel(Level.ALL);
        for (String name : loggerNames) {
            Logger logger = Logger.getLogger(name);
            attached.add(new Attached(logger, handler));
            logger.setLevel(level);
            logger.addHandler(handler);
            logger.setUseParentHandlers(false);
        }
    }

    @Override
    public synchronized void close() {
        for (Attached a : attached) {
            // Silenced rather than handed back to the console: a few lines (pg_ctl's stop output)
            // arrive asynchronously after everything stopped and would only clutter the terminal.
            a.logger().removeHandler(a.handler());
            a.logger().setLevel(Level.OFF);
            a.handler().close();
        }
        attached.clear();
    }

    /**
     * A plain append-to-one-file handler. JUL's FileHandler would treat '%' in the path as a pattern
     * and leave .lck files beside the logs; this one flushes every record so `tail -f` is live.
     */
    private static final class FlushingFileHandler extends StreamHandler {
        FlushingFileHandler(Path file) throws IOException {
            super(Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND),
                    new LineFormatter());
        }

        @Override
        public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
        }
    }

    /** One line per record: time, level, logger, message, then the stack trace if any. */
    private static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160)
                    .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                    .append(record.getLevel().getName()).append(' ')
                    .append(record.getLoggerName()).append(" - ")
                    .append(formatMessage(record)).append(System.lineSeparator());
            if (record.getThrown() != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
