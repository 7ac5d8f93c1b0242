package dev.weft.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a script of one of e2e's small npm packages (a folder beside pom.xml holding package.json, the
 * script and, where versions must not drift, package-lock.json) with JSON on stdin, so the suite is
 * checked by the libraries customers use rather than by Weft's own code. Installed once per build
 * under target/, again when package.json changes; needs node and npm.
 */
final class NodeScript {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));

    record Result(int exitCode, String output) {
    }

    private NodeScript() {
    }

    static Result run(String folder, String script, Object input) throws IOException, InterruptedException {
        Path work = install(folder);
        Process node = new ProcessBuilder("node", work.resolve(script).toString()).redirectErrorStream(true).start();
        node.getOutputStream().write(new ObjectMapper().writeValueAsBytes(input));
        node.getOutputStream().close();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!node.waitFor(60, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            throw new AssertionError(folder + "/" + script + " did not finish within 60 s: " + output);
        }
        return new Result(node.exitValue(), output);
    }

    private static synchronized Path install(String folder) throws IOException, InterruptedException {
        Path source = MODULE.resolve(folder);
        Path work = MODULE.resolve("target").resolve(folder);
        Path installed = work.resolve("package.json");
        if (Files.isDirectory(work.resolve("node_modules")) && Files.exists(installed)
                && Arrays.equals(Files.readAllBytes(installed), Files.readAllBytes(source.resolve("package.json")))) {
            copy(source, work); // scripts may have changed; the dependencies have not
            return work;
        }
        Files.createDirectories(work);
        copy(source, work);
        // With a lockfile, npm ci installs exactly the versions it pins, transitive ones included.
        List<String> command = Files.exists(work.resolve("package-lock.json"))
                ? List.of("npm", "ci", "--no-audit", "--no-fund", "--silent")
                : List.of("npm", "install", "--no-audit", "--no-fund", "--silent");
        Process npm = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(180, TimeUnit.SECONDS) || npm.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " in " + work + " failed (node and npm are needed for this test): " + output);
        }
        return work;
    }

    private static void copy(Path source, Path work) throws IOException {
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, work.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
