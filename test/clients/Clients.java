import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Properties;
import javax.net.SocketFactory;
import org.postgresql.util.PGobject;

/**
 * engage's dashboard view through the PostgreSQL JDBC driver, as Metabase, Tableau or DBeaver
 * read it: every column with getString (jdbc-getString.exact) and with getObject
 * (jdbc-getObject.decoded), then with getObject from a statement prepared for binary results
 * (jdbc-binary-getObject.decoded); dumped for test/clients/compare.py.
 *
 *   java -cp postgresql.jar:CLASSES Clients QUERY OUTDIR   (libpq environment: PGHOST, PGPORT, PGUSER, PGDATABASE)
 *
 * A PGHOST starting with / is a Unix socket directory, reached through UnixSocketFactory
 * (the driver itself speaks only TCP).
 */
public class Clients {
    static final char US = '\u001f', RS = '\u001e';
    static final String NULL = "\\N";

    public static void main(String[] args) throws Exception {
        String query = args[0];
        Path out = Path.of(args[1]);
        try (Connection conn = connect(new Properties()); Statement st = conn.createStatement()) {
            read(st.executeQuery(query), out, "jdbc-getString.exact", "jdbc-getObject.decoded");
        }
        // Server-prepared from the first execution, as a dashboard's prepared statements are after
        // prepareThreshold executions: the driver then asks for binary results of the types it
        // decodes itself (numbers, timestamps); engage's types still come as text.
        Properties binary = new Properties();
        binary.setProperty("prepareThreshold", "-1");
        try (Connection conn = connect(binary); PreparedStatement ps = conn.prepareStatement(query)) {
            read(ps.executeQuery(), out, null, "jdbc-binary-getObject.decoded");
        }
    }

    /** Dumps a result set: getString into strings (unless null), getObject into objects. */
    static void read(ResultSet rs, Path out, String strings, String objects) throws Exception {
        StringBuilder text = new StringBuilder(), decoded = new StringBuilder();
        ResultSetMetaData md = rs.getMetaData();
        String[] labels = new String[md.getColumnCount()], s = new String[labels.length],
                o = new String[labels.length];
        for (int j = 0; j < labels.length; j++)
            labels[j] = md.getColumnLabel(j + 1);
        record(text, labels);
        record(decoded, labels);
        while (rs.next()) {
            for (int j = 0; j < labels.length; j++) {
                s[j] = strings == null ? null : rs.getString(j + 1);
                o[j] = decoded(rs.getObject(j + 1));
            }
            record(text, s);
            record(decoded, o);
        }
        rs.close();
        if (strings != null)
            Files.writeString(out.resolve(strings), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve(objects), decoded, StandardCharsets.UTF_8);
    }

    /** Appends one record to a dump: fields split by US, NULL as \N, the record ended by RS. */
    static void record(StringBuilder dump, String[] values) {
        for (int j = 0; j < values.length; j++) {
            if (j > 0)
                dump.append(US);
            dump.append(values[j] == null ? NULL : values[j]);
        }
        dump.append(RS);
    }

    /** The text form of what getObject returned: arrays as a JSON list of element strings. */
    static String decoded(Object value) throws Exception {
        if (value == null)
            return null;
        if (value instanceof PGobject)
            return ((PGobject) value).getValue();
        if (value instanceof Timestamp)
            return ((Timestamp) value).toInstant().toString();
        if (value instanceof Array) {
            StringBuilder list = new StringBuilder("[");
            for (Object e : (Object[]) ((Array) value).getArray()) {
                if (list.length() > 1)
                    list.append(',');
                String s = decoded(e);
                list.append(s == null ? "null" : json(s));
            }
            return list.append(']').toString();
        }
        return value.toString();
    }

    static String json(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\')
                q.append('\\').append(c);
            else if (c < 0x20)
                q.append(String.format("\\u%04x", (int) c));
            else
                q.append(c);
        }
        return q.append('"').toString();
    }

    /** A connection by the libpq environment, with the driver properties given. */
    static Connection connect(Properties props) throws Exception {
        String host = env("PGHOST", "localhost"), port = env("PGPORT", "5432");
        props.setProperty("user", env("PGUSER", System.getProperty("user.name")));
        props.setProperty("sslmode", "disable");
        props.setProperty("gssEncMode", "disable");
        if (host.startsWith("/")) {
            props.setProperty("socketFactory", UnixSocketFactory.class.getName());
            props.setProperty("socketFactoryArg", host + "/.s.PGSQL." + port);
            host = "localhost";
        }
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + env("PGDATABASE", props.getProperty("user"));
        return DriverManager.getConnection(url, props);
    }

    static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? otherwise : v;
    }

    /** Sockets to a Unix socket path (Java 16's SocketChannel), for the driver's socketFactory. */
    public static class UnixSocketFactory extends SocketFactory {
        private final String path;

        public UnixSocketFactory(String path) {
            this.path = path;
        }

        @Override
        public Socket createSocket() {
            return new UnixSocket(path);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return connected();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected();
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return connected();
        }

        private Socket connected() throws IOException {
            Socket s = createSocket();
            s.connect(null);
            return s;
        }
    }

    /** A Socket over a Unix socket channel: connect ignores the TCP address; options are no-ops. */
    static class UnixSocket extends Socket {
        private final String path;
        private SocketChannel channel;

        UnixSocket(String path) {
            this.path = path;
        }

        @Override
        public void connect(SocketAddress ignored, int timeout) throws IOException {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        }

        @Override
        public void connect(SocketAddress ignored) throws IOException {
            connect(ignored, 0);
        }

        @Override
        public InputStream getInputStream() {
            return Channels.newInputStream(channel);
        }

        @Override
        public OutputStream getOutputStream() {
            return Channels.newOutputStream(channel);
        }

        @Override
        public boolean isConnected() {
            return channel != null && channel.isConnected();
        }

        @Override
        public boolean isClosed() {
            return channel != null && !channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            if (channel != null)
                channel.close();
        }

        @Override
        public void setTcpNoDelay(boolean on) {
        }

        @Override
        public void setKeepAlive(boolean on) {
        }

        @Override
        public void setSoTimeout(int timeout) {
        }

        @Override
        public int getSoTimeout() {
            return 0;
        }

        @Override
        public void setReceiveBufferSize(int size) {
        }

        @Override
        public void setSendBufferSize(int size) {
        }
    }
}
