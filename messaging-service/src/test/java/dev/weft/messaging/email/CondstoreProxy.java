package dev.weft.messaging.email;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GreenMail 2.1.5 does not implement CONDSTORE (RFC 7162): this proxy in front of its IMAP port adds the little of it
 * the mailbox uses, so ImapMailbox's CONDSTORE path runs its real protocol code against a real server. It advertises
 * CONDSTORE in every capability list, answers SELECT/EXAMINE with {@code [HIGHESTMODSEQ n]}, and serves
 * {@code UID FETCH set (FLAGS) (CHANGEDSINCE m)} by asking GreenMail for the flags of the set and passing on
 * only the messages whose MODSEQ, kept here, is above m. The test says which UIDs it changed ({@link #changed}).
 * Line-based both ways (the commands the sync sends carry no literals; the answers' literals are passed through).
 */
final class CondstoreProxy implements AutoCloseable {
    private static final Pattern CHANGED_SINCE = Pattern.compile("^(\\S+) UID FETCH (\\S+) \\(([^)]*)\\) \\(CHANGEDSINCE (\\d+)\\)\\s*$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern OPEN = Pattern.compile("^(\\S+) (SELECT|EXAMINE) .*", Pattern.CASE_INSENSITIVE);
    private static final Pattern UID = Pattern.compile("\\bUID (\\d+)");

    private final ServerSocket server;
    private final int target;
    private final AtomicLong modseq = new AtomicLong(100);
    private final Map<Long, Long> modseqs = new ConcurrentHashMap<>();
    /** Every command the client sent, as sent (the test checks the CONDSTORE ones). */
    final List<String> commands = new CopyOnWriteArrayList<>();

    CondstoreProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("condstore-proxy").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    long highestModSeq() {
        return modseq.get();
    }

    /** A message's flags changed on the server: it gets the next MODSEQ, which is the mailbox's HIGHESTMODSEQ now. */
    void changed(long uid) {
        modseqs.put(uid, modseq.incrementAndGet());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                Session session = new Session();
                Thread.ofPlatform().daemon().start(() -> pump(() -> session.fromClient(client.getInputStream(), upstream.getOutputStream()), client, upstream));
                Thread.ofPlatform().daemon().start(() -> pump(() -> session.fromServer(upstream.getInputStream(), client.getOutputStream()), client, upstream));
            } catch (IOException e) {
                return;
            }
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private static void pump(Io io, Socket a, Socket b) {
        try {
            io.run();
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            try {
                a.close();
                b.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One client connection: which of its commands' answers are being rewritten. */
    private final class Session {
        private volatile String openTag;
        private volatile String changedTag;
        private volatile long changedSince;

        void fromClient(InputStream in, OutputStream out) throws IOException {
            String line;
            while ((line = readLine(in)) != null) {
                String command = line.strip();
                commands.add(command);
                Matcher changed = CHANGED_SINCE.matcher(command);
                Matcher open = OPEN.matcher(command);
                if (changed.matches()) {
                    changedSince = Long.parseLong(changed.group(4));
                    changedTag = changed.group(1);
                    // GreenMail knows no MODSEQ: it is asked for the flags, the filtering and MODSEQ are added on the way back.
                    line = changed.group(1) + " UID FETCH " + changed.group(2) + " (FLAGS)\r\n";
                } else if (open.matches()) {
                    openTag = open.group(1);
                }
                write(out, line);
            }
        }

        void fromServer(InputStream in, OutputStream out) throws IOException {
            String line;
            while ((line = readLine(in)) != null) {
                if (line.startsWith("* CAPABILITY ") || line.contains("[CAPABILITY ")) {
                    line = line.replaceFirst("CAPABILITY ", "CAPABILITY CONDSTORE ");
                }
                String tag = line.split(" ", 2)[0];
                if (tag.equals(openTag)) {
                    openTag = null;
                    write(out, "* OK [HIGHESTMODSEQ " + modseq.get() + "] Highest\r\n");
                } else if (changedTag != null && line.startsWith("* ") && line.contains(" FETCH (")) {
                    Matcher uid = UID.matcher(line);
                    long m = uid.find() ? modseqs.getOrDefault(Long.parseLong(uid.group(1)), 1L) : 1L;
                    if (m <= changedSince) {
                        continue;
                    }
                    line = line.replaceFirst(" FETCH \\(", " FETCH (MODSEQ (" + m + ") ");
                } else if (tag.equals(changedTag)) {
                    changedTag = null;
                }
                write(out, line);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
