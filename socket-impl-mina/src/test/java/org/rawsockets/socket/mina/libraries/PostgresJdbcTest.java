package org.rawsockets.socket.mina.libraries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.contract.TestPki;

/**
 * The PostgreSQL JDBC driver over the bundle's sockets (its {@code socketFactory} property), against
 * Debian's PostgreSQL started by the test ({@code initdb} into a temporary directory, {@code pg_ctl}
 * on a loopback port, as the {@code postgres} user when the test runs as root). TLS: the driver's
 * {@code sslfactory} layers the service's SSLSocket over the plain socket after PostgreSQL's
 * SSLRequest (STARTTLS).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresJdbcTest {

    private static final String[] PG_DIRS = pgDirs();
    private static final TestPki PKI = TestPki.get();

    private static Path dir;
    private static Path data;
    private static int port;

    private LibraryFixture fixture;

    private static String[] pgDirs() {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
            s.map(p -> p.resolve("bin").toString()).sorted((a, b) -> b.compareTo(a)).forEach(out::add);
        } catch (IOException e) {
            // not installed there: only the PATH is searched
        }
        return out.toArray(String[]::new);
    }

    /** Runs a PostgreSQL tool as the server's user, bounded; its output in the failure message. */
    private static void pg(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (LibraryFixture.isRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(LibraryFixture.executable(tool, PG_DIRS));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out));
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out));
        }
    }

    @BeforeAll
    static void startPostgres() throws Exception {
        dir = Files.createTempDirectory("rawsockets-pg");
        data = dir.resolve("data");
        Files.copy(PKI.serverPem(), dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(PKI.serverKey(), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
        run("chmod", "700", dir.toString());
        run("chmod", "600", dir.resolve("server.key").toString());
        if (LibraryFixture.isRoot()) {
            run("chown", "-R", "postgres", dir.toString());
        }
        pg("initdb", "-D", data.toString(), "-A", "trust", "-U", "tester", "-E", "UTF8", "--no-sync");
        for (int attempt = 0; ; attempt++) {
            port = LibraryFixture.freePort();
            try {
                pg("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                        "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c ssl=on -c ssl_cert_file=" + dir
                                + "/server.crt -c ssl_key_file=" + dir + "/server.key -c fsync=off",
                        "start");
                return;
            } catch (IOException e) {
                if (attempt >= 2) {
                    throw new IOException(e.getMessage() + "\nserver log:\n"
                            + Files.readString(dir.resolve("server.log")), e);
                }
            }
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (data != null) {
            pg("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }
        if (dir != null) {
            run("rm", "-rf", dir.toString());
        }
    }

    @BeforeEach
    void fixture() {
        fixture = new LibraryFixture(String.valueOf(port));
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    private Properties properties(String sslmode) {
        String key = "test-" + System.nanoTime();
        JdbcSocketFactories.PLAIN.put(key, fixture.service.socketFactory());
        JdbcSocketFactories.TLS.put(key, fixture.service.sslSocketFactory(TcpSocketOptions.builder()
                .tls(TlsOptions.builder().trustedCertificatesPem(PKI.read(PKI.caPem())).build()).build()));
        Properties p = new Properties();
        p.setProperty("user", "tester");
        p.setProperty("socketFactory", JdbcSocketFactories.Plain.class.getName());
        p.setProperty("socketFactoryArg", key);
        p.setProperty("sslmode", sslmode);
        p.setProperty("sslfactory", JdbcSocketFactories.Tls.class.getName());
        p.setProperty("sslfactoryarg", key);
        p.setProperty("connectTimeout", "20");
        return p;
    }

    private void queryAndCheckOwnership(Connection c, boolean tls) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE t (id int, name text)");
            st.execute("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
            try (ResultSet rs = st.executeQuery("SELECT count(*), max(name), version() FROM t")) {
                assertTrue(rs.next());
                assertEquals(1000, rs.getInt(1));
                assertEquals("row 999", rs.getString(2));
                assertTrue(rs.getString(3).startsWith("PostgreSQL"), rs.getString(3));
            }
            try (ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next());
                assertEquals(tls, rs.getBoolean(1), "the server's view of TLS on this connection");
            }
        }
        SocketInfo s = fixture.socketTo(port);
        assertEquals(LibraryFixture.BUNDLE + " [42]", s.owner(), "the driver's connection is the bundle's socket");
        assertTrue(s.bytesIn() > 0 && s.bytesOut() > 0, "counted: " + s);
        assertEquals(1, fixture.service.sockets().size(), "one connection: " + fixture.service.sockets());
    }

    @Test
    void connectsAndQueriesThroughTheBundlesSocket() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                properties("disable"))) {
            queryAndCheckOwnership(c, false);
        }
        assertTrue(fixture.opened(port) == 1, "opened once: " + fixture.audit.recent(5));
    }

    /** sslmode=require: SSLRequest in plain text, then TLS layered over the same socket. */
    @Test
    void upgradesToTlsInPlace() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                properties("require"))) {
            queryAndCheckOwnership(c, true);
        }
    }

    @Test
    void aRefusedServerFailsWithTheNotAllowedException() throws Exception {
        int other = LibraryFixture.freePort();
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + other + "/postgres", properties("disable")));
        Throwable cause = e;
        while (cause != null && !(cause instanceof NotAllowedException)) {
            cause = cause.getCause();
        }
        NotAllowedException n = assertInstanceOf(NotAllowedException.class, cause, "the driver's error: " + e);
        assertTrue(n.getMessage().contains(":" + other), n.getMessage());
    }
}
