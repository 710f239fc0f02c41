package apps;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty 12 on a Unix-domain socket, as written without Shunt: a server on {@code UnixDomainServerConnector}, and the
 * Jetty {@code HttpClient} over {@code Transport.TCPUnix} (the client works against any HTTP server on the socket).
 *
 * <p>{@code server <path>}: {@code POST /echo} returns the request body, {@code GET /report} the server's Shunt report;
 * prints {@code READY}. {@code client <path> <requests> <bytes>}: that many echo requests of pseudo-random bodies,
 * then prints {@code REPORT <shunt> server <server's shunt> bodies=<ok|first mismatch>}.
 */
public final class JettyApp {
    private JettyApp() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        if (args[0].equals("server")) {
            server(path);
        } else {
            client(path, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
    }

    private static void server(Path path) throws Exception {
        Server server = new Server();
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server);
        connector.setUnixDomainPath(path);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHttpURI().getPath().equals("/report")) {
                    Content.Sink.write(response, true, Report.shunt(), callback);
                } else {
                    ByteBuffer body = Content.Source.asByteBuffer(request);
                    response.write(true, body, callback);
                }
                return true;
            }
        });
        server.start();
        System.out.println("READY");
        server.join();
    }

    private static void client(Path path, int requests, int bytes) throws Exception {
        HttpClient client = new HttpClient();
        client.start();
        try {
            Transport transport = new Transport.TCPUnix(path);
            Random random = new Random(bytes);
            String bodies = "ok";
            for (int i = 0; i < requests && bodies.equals("ok"); i++) {
                byte[] body = new byte[1 + random.nextInt(bytes)];
                random.nextBytes(body);
                ContentResponse response = client.newRequest("http://localhost/echo").transport(transport)
                        .method(HttpMethod.POST).body(new BytesRequestContent(body)).send();
                if (response.getStatus() != 200 || !Arrays.equals(body, response.getContent())) {
                    bodies = "request " + i + " status " + response.getStatus();
                }
            }
            String server = new String(client.newRequest("http://localhost/report").transport(transport).send()
                    .getContent(), StandardCharsets.UTF_8);
            System.out.println("REPORT " + Report.shunt() + " server " + server + " bodies=" + bodies);
        } finally {
            client.stop();
        }
    }
}
